"""Write the review pack of a period: gather the figures, render the document, save it."""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path

from sqlalchemy.orm import Session

from monitor.config import AppConfig
from monitor.core.calendar import Period
from monitor.review.document import render
from monitor.review.figures import ReviewFigures, gather

log = logging.getLogger(__name__)


def build(
    session: Session, config: AppConfig, period: Period, day: dt.date, today: dt.date, snapshots: Path | None = None
) -> tuple[ReviewFigures, bytes]:
    """The figures and the .docx; photos from ``snapshots`` (default: the config's snapshot folder)."""
    figures = gather(session, config, period, day, today)
    body = render(
        figures, snapshots or Path(config.sampling.snapshot_dir), config.review.max_site_pages, config.calendar
    )
    return figures, body


def file_name(figures: ReviewFigures) -> str:
    return f"review-{figures.period}-{figures.first.isoformat()}.docx"


def write(session: Session, config: AppConfig, period: Period, day: dt.date, today: dt.date, out: Path | None) -> Path:
    """The pack written to ``out`` (default: the export folder); returns its path."""
    figures, body = build(session, config, period, day, today)
    path = out or Path(config.export.folder) / file_name(figures)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(body)
    log.info("review pack %s: %d red, %d yellow", path, figures.headline.red_sites, figures.headline.yellow_sites)
    return path
