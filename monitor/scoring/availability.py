"""Daily camera availability: how many samples were expected, taken, and showed a live picture."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.orm import Session

from monitor.core.calendar import Calendar, expected_samples
from monitor.scoring import repository


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
    calendar: Calendar,
    start: dt.time = dt.time(0, 0),
    end: dt.time = dt.time(23, 59, 59, 999999),
) -> list[CameraAvailability]:
    """Availability of every active camera on the local ``day`` between ``start`` and ``end``."""
    window = calendar.window(day, start, end)
    expected = expected_samples(window, calendar.interval_seconds)
    counts = repository.sample_counts(session, window)
    return [
        CameraAvailability(c.site_id, c.camera_id, day, expected, *counts.get(c.pk, (0, 0)))
        for c in repository.active_cameras(session)
    ]


def day_faults(
    session: Session,
    day: dt.date,
    calendar: Calendar,
    start: dt.time = dt.time(0, 0),
    end: dt.time = dt.time(23, 59, 59, 999999),
) -> dict[tuple[str, str], tuple[str, str | None]]:
    """Each camera's most frequent fault of the day, (status, cause), for those with samples that were not
    online: why a camera that was sampled (covered) still showed no live picture."""
    window = calendar.window(day, start, end)
    best: dict[tuple[str, str], tuple[int, str, str | None]] = {}
    for site_id, camera_id, status, cause, count in repository.fault_counts(session, window):
        key = (site_id, camera_id)
        if key not in best or count > best[key][0]:
            best[key] = (count, status.value, cause)
    return {key: (status, cause) for key, (_, status, cause) in best.items()}
