"""Daily camera availability: how many samples were expected, taken, and showed a live picture."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from monitor.core.calendar import expected_samples, local_window
from monitor.store import models


@dataclass(frozen=True)
class CameraAvailability:
    site_id: str
    camera_id: str
    day: dt.date
    expected: int
    taken: int
    online: int

    @property
    def coverage(self) -> float:
        """Share of expected samples that were taken at all."""
        return min(1.0, self.taken / self.expected) if self.expected else 0.0

    @property
    def uptime(self) -> float:
        """Share of expected samples that showed a live picture."""
        return min(1.0, self.online / self.expected) if self.expected else 0.0


def camera_availability(
    session: Session,
    day: dt.date,
    tz: ZoneInfo,
    interval_seconds: int,
    start: dt.time = dt.time(0, 0),
    end: dt.time = dt.time(23, 59, 59, 999999),
) -> list[CameraAvailability]:
    """Availability of every active camera on the local ``day`` between ``start`` and ``end``."""
    window = local_window(day, tz, start, end)
    expected = expected_samples(window, interval_seconds)
    online = func.sum(case((models.Sample.status == "online", 1), else_=0))
    rows = session.execute(
        select(models.Sample.camera_pk, func.count(), online)
        .where(models.Sample.slot_at >= window[0], models.Sample.slot_at < window[1])
        .group_by(models.Sample.camera_pk)
    )
    counts = {pk: (int(taken), int(up or 0)) for pk, taken, up in rows}
    cameras = session.scalars(
        select(models.Camera).where(models.Camera.active).order_by(models.Camera.site_id, models.Camera.camera_id)
    )
    return [CameraAvailability(c.site_id, c.camera_id, day, expected, *counts.get(c.id, (0, 0))) for c in cameras]


def day_faults(
    session: Session,
    day: dt.date,
    tz: ZoneInfo,
    start: dt.time = dt.time(0, 0),
    end: dt.time = dt.time(23, 59, 59, 999999),
) -> dict[tuple[str, str], tuple[str, str | None]]:
    """Each camera's most frequent fault of the day, (status, cause), for those with samples that were not
    online: why a camera that was sampled (covered) still showed no live picture."""
    window = local_window(day, tz, start, end)
    rows = session.execute(
        select(models.Camera.site_id, models.Camera.camera_id, models.Sample.status, models.Sample.cause, func.count())
        .join(models.Camera, models.Camera.id == models.Sample.camera_pk)
        .where(models.Sample.slot_at >= window[0], models.Sample.slot_at < window[1], models.Sample.status != "online")
        .group_by(models.Camera.site_id, models.Camera.camera_id, models.Sample.status, models.Sample.cause)
    )
    best: dict[tuple[str, str], tuple[int, str, str | None]] = {}
    for site_id, camera_id, status, cause, count in rows:
        key = (site_id, camera_id)
        if key not in best or count > best[key][0]:
            best[key] = (int(count), status, cause)
    return {key: (status, cause) for key, (_, status, cause) in best.items()}
