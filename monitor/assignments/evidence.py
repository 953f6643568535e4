"""What the cameras show since an assignment, for the operator who closes it (and the unit)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from monitor.assignments.store import site_days
from monitor.config import AppConfig
from monitor.store import models


@dataclass(frozen=True)
class DayEvidence:
    day: dt.date
    status: str
    score: float | None


@dataclass(frozen=True)
class Snapshot:
    camera_id: str
    sample_id: int
    slot_at: dt.datetime
    status: str
    camera_name: str = ""


@dataclass(frozen=True)
class Evidence:
    since: dt.date
    days: list[DayEvidence]
    active_days: int
    snapshots: list[Snapshot]


def evidence(session: Session, config: AppConfig, row: models.Assignment) -> Evidence:
    """Each scored day since the assignment's day, how many were active, and each camera's latest picture."""
    since = config.calendar.day_of(row.assigned_at)
    days = [DayEvidence(d.day, d.status, d.score) for d in site_days(session, row.site_id, since)]
    cameras = list(
        session.scalars(
            select(models.Camera)
            .where(models.Camera.site_id == row.site_id, models.Camera.active)
            .order_by(models.Camera.camera_id)
        )
    )
    ids = [c.last_sample_id for c in cameras if c.last_sample_id is not None]
    samples = {s.id: s for s in session.scalars(select(models.Sample).where(models.Sample.id.in_(ids)))} if ids else {}
    snapshots = []
    for cam in cameras:
        sample = samples.get(cam.last_sample_id) if cam.last_sample_id is not None else None
        if sample is not None and sample.snapshot_path:
            snapshots.append(
                Snapshot(cam.camera_id, sample.id, sample.slot_at, sample.status, cam.name or cam.camera_id)
            )
    return Evidence(since, days, sum(1 for d in days if d.status == "active"), snapshots)
