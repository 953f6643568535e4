"""The daily assessment job: files for the day, records queued for the scheduling system."""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path

from sqlalchemy.orm import Session

from monitor.config import AppConfig
from monitor.core.calendar import DAY_MIN
from monitor.export import repository
from monitor.export.files import write_files
from monitor.export.records import enqueue_day
from monitor.export.report import build_assessment

log = logging.getLogger(__name__)


def export_day(session: Session, config: AppConfig, day: dt.date, now: dt.datetime) -> dict[str, Path]:
    """Write the day's workbook, CSV and JSON and queue its records. Same data, same bytes. While the day's
    working hours run, the files and records say ``partial``; a day that has not begun is refused."""
    if (problem := day_refusal(config, day, now)) is not None:
        raise ValueError(problem)
    assessment = build_assessment(session, config, day, now)
    files = write_files(assessment, Path(config.export.folder))
    queued = enqueue_day(session, config, day, now) if config.export.delivery is not None else 0
    log.info(
        "assessment %s%s written to %s; %d record(s) queued for delivery",
        day,
        f" (partial, until {assessment.observed.until:%H:%M})" if assessment.observed.partial else "",
        files["xlsx"].parent,
        queued,
    )
    return files


def day_refusal(config: AppConfig, day: dt.date, now: dt.datetime) -> str | None:
    """Why ``day`` cannot be scored, exported or sent at ``now`` (None: it can). Records for a day that has
    not begun would tell the scheduling system about work nobody could have seen."""
    today = config.calendar.day_of(now)
    if day > today:
        return f"{day.isoformat()} has not happened yet (today is {today.isoformat()} in {config.timezone})"
    if day < DAY_MIN:
        return f"{day.isoformat()} is before {DAY_MIN.isoformat()}, the first day sitemon counts with"
    return None


def days_to_export(session: Session, config: AppConfig, now: dt.datetime, lookback_days: int = 7) -> list[dt.date]:
    """Scored days of the last week whose files are missing (the server was down at export time). Today
    only once its export time has passed: its running score is no reason to send a partial day."""
    last = config.calendar.last_day_past(now, config.export.run_at)
    folder = Path(config.export.folder)
    days = repository.scored_days(session, last, lookback_days)
    return sorted(d for d in days if not (folder / f"assessment-{d.isoformat()}.xlsx").is_file())
