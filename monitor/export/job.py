"""The daily assessment job: files for the day, records queued for the scheduling system."""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from monitor.config import AppConfig
from monitor.export.files import write_files
from monitor.export.outbox import enqueue_day
from monitor.export.report import build_assessment
from monitor.store import models

log = logging.getLogger(__name__)


def export_day(session: Session, config: AppConfig, day: dt.date, now: dt.datetime) -> dict[str, Path]:
    """Write the day's workbook, CSV and JSON and queue its records. Same data, same bytes."""
    files = write_files(build_assessment(session, config, day), Path(config.export.folder))
    queued = enqueue_day(session, config, day, now) if config.export.delivery is not None else 0
    log.info("assessment %s written to %s; %d record(s) queued for delivery", day, files["xlsx"].parent, queued)
    return files


def days_to_export(session: Session, config: AppConfig, lookback_days: int = 7) -> list[dt.date]:
    """Scored days of the last week whose files are missing (the server was down at export time)."""
    folder = Path(config.export.folder)
    days = session.scalars(
        select(models.DailyScore.day).distinct().order_by(models.DailyScore.day.desc()).limit(lookback_days)
    ).all()
    return sorted(d for d in days if not (folder / f"assessment-{d.isoformat()}.xlsx").is_file())
