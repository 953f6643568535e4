"""Which snapshot of a day folder is the day's evidence: the database's side of the snapshot clean-up
(``monitor.sampling.retention``, beside the writer, does the files)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from monitor.core.calendar import Calendar
from monitor.sampling.retention import DayFolder, Evidence
from monitor.store import models


def evidence_in(session: Session, calendar: Calendar) -> Evidence:
    """The clean-up's ``evidence``, read through ``session``."""
    return lambda folder: evidence(session, folder, calendar)


def evidence(session: Session, folder: DayFolder, calendar: Calendar) -> set[str]:
    """File names in ``folder`` to keep: per local day the site was assessed, the busiest sample's snapshot."""
    start = dt.datetime.combine(folder.day, dt.time(), dt.UTC) - dt.timedelta(hours=1)
    prefix = f"{folder.site_id}/{folder.camera_id}/{folder.day.isoformat()}/"
    rows = session.execute(
        select(
            models.Sample.slot_at,
            models.Sample.snapshot_path,
            models.Sample.activity,
            models.Sample.workers,
            models.Sample.machinery,
            models.Sample.vehicles,
        )
        .join(models.Camera, models.Camera.id == models.Sample.camera_pk)
        .where(
            models.Camera.site_id == folder.site_id,
            models.Camera.camera_id == folder.camera_id,
            models.Sample.slot_at >= start,
            models.Sample.slot_at < start + dt.timedelta(hours=26),
            models.Sample.snapshot_path.startswith(prefix, autoescape=True),
        )
    ).all()
    days = {calendar.day_of(r.slot_at) for r in rows}
    assessed = set(
        session.scalars(
            select(models.DailyScore.day).where(
                models.DailyScore.site_id == folder.site_id, models.DailyScore.day.in_(days)
            )
        )
    )
    best: dict[dt.date, tuple[tuple[float, int, dt.datetime], str]] = {}
    for r in rows:
        day = calendar.day_of(r.slot_at)
        if day not in assessed:
            continue
        rank = (r.activity or 0.0, (r.workers or 0) + (r.machinery or 0) + (r.vehicles or 0), r.slot_at)
        if day not in best or rank > best[day][0]:
            best[day] = (rank, r.snapshot_path.rsplit("/", 1)[1])
    return {name for _, name in best.values()}
