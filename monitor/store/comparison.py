"""Two days of one camera side by side (周期对比): each day's evidence snapshot, chosen by one rule, its score,
and the day's structure reference for the change map between them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from sqlalchemy import select
from sqlalchemy.orm import Session

from monitor.core.calendar import Calendar
from monitor.store import models
from monitor.store.repo import decode_png

EVIDENCE_HOUR = dt.time(10, 0)
"""Without a structure reference that day, the snapshot nearest this local hour: full daylight, work under way."""


@dataclass(frozen=True)
class DayPicture:
    day: dt.date
    sample_id: int | None
    snapshot_path: str | None
    captured_at: dt.datetime | None
    rule: str
    """``clearest``: the day's structure reference slot (the clearest daylight picture of the structure zone);
    ``fixed_hour``: the snapshot nearest 10:00; ``none``: no snapshot that day."""
    score: float | None
    status: str | None


def camera_pk(session: Session, site_id: str, camera_id: str) -> int | None:
    return session.scalars(
        select(models.Camera.id).where(models.Camera.site_id == site_id, models.Camera.camera_id == camera_id)
    ).first()


def _structure_ref(session: Session, pk: int, day: dt.date) -> models.StructureRef | None:
    return session.scalars(
        select(models.StructureRef).where(models.StructureRef.camera_pk == pk, models.StructureRef.day == day)
    ).first()


def day_picture(session: Session, calendar: Calendar, site_id: str, pk: int, day: dt.date) -> DayPicture:
    """The day's evidence snapshot of the camera by the rule (see ``DayPicture.rule``), and the site's score."""
    score = session.scalars(
        select(models.DailyScore).where(models.DailyScore.site_id == site_id, models.DailyScore.day == day)
    ).first()
    start, end = calendar.whole_day(day)
    snapshots = select(models.Sample).where(
        models.Sample.camera_pk == pk,
        models.Sample.slot_at >= start,
        models.Sample.slot_at < end,
        models.Sample.snapshot_path.is_not(None),
    )
    ref = _structure_ref(session, pk, day)
    sample, rule = None, "none"
    if ref is not None:
        sample = session.scalars(snapshots.where(models.Sample.slot_at == ref.slot_at)).first()
        rule = "clearest" if sample is not None else rule
    if sample is None:
        target = calendar.at_local(day, EVIDENCE_HOUR)
        found = list(session.scalars(snapshots))
        if found:
            sample = min(found, key=lambda s: (abs((s.slot_at - target).total_seconds()), s.slot_at))
            rule = "fixed_hour"
    return DayPicture(
        day=day,
        sample_id=sample.id if sample else None,
        snapshot_path=sample.snapshot_path if sample else None,
        captured_at=sample.captured_at if sample else None,
        rule=rule,
        score=score.score if score else None,
        status=score.status if score else None,
    )


def structure_pictures(
    session: Session, pk: int, first: dt.date, second: dt.date
) -> tuple[npt.NDArray[np.uint8], npt.NDArray[np.uint8]] | None:
    """The two days' structure reference pictures (grey zone crops), or None when a day has none."""
    a, b = _structure_ref(session, pk, first), _structure_ref(session, pk, second)
    if a is None or b is None:
        return None
    return decode_png(a.image_png), decode_png(b.image_png)
