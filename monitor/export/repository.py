"""The export stage's queries, and the only ones: the stored daily scores the files, summaries and records are
made of, the snapshots a time-lapse is made of, the sites it is asked for, and the outbox as the API lists it.
Everything comes back as frozen values with the status enum (``DayStatus``), never as ORM rows; a score's
JSON components are read once, here, into ``Components``."""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from monitor.scoring.score import DayStatus
from monitor.store import models


def _number(value: Any) -> float | None:
    """A stored number as it was stored (an int stays an int: the files show it as it is); anything else reads
    as missing."""
    return value if isinstance(value, int | float) and not isinstance(value, bool) else None


@dataclass(frozen=True)
class Components:
    """What a stored score is made of (``monitor.scoring.score.score_day``'s components), the figures the
    files show read once from the stored JSON. A figure missing from an older row is None."""

    coverage: float | None = None
    active_share: float | None = None
    avg_moving_workers: float | None = None
    avg_working_machines: float | None = None
    worker_hours: float | None = None
    machine_hours: float | None = None
    structure_change: float | None = None
    stored: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}), repr=False, compare=False)
    """Every key as stored, read-only: the record for the scheduling system carries them all (docs/export.md:
    the points, the samples, ``structure_cumulative``, a signed site's ``observed_status``)."""

    @classmethod
    def parse(cls, stored: Mapping[str, Any] | None) -> Components:
        raw = copy.deepcopy(dict(stored or {}))
        return cls(
            _number(raw.get("coverage")),
            _number(raw.get("active_share")),
            _number(raw.get("avg_moving_workers")),
            _number(raw.get("avg_working_machines")),
            _number(raw.get("worker_hours")),
            _number(raw.get("machine_hours")),
            _number(raw.get("structure_change")),
            MappingProxyType(raw),
        )

    def as_stored(self) -> dict[str, Any]:
        """A copy of the components as stored, every key, for a JSON body."""
        return copy.deepcopy(dict(self.stored))


@dataclass(frozen=True)
class ScoredDay:
    """A site's stored score of one day."""

    site_id: str
    day: dt.date
    score: float | None
    status: DayStatus
    components: Components


def _scored(row: models.DailyScore) -> ScoredDay:
    return ScoredDay(row.site_id, row.day, row.score, DayStatus(row.status), Components.parse(row.components))


def scores_on(session: Session, day: dt.date) -> list[ScoredDay]:
    """Every site's stored score of ``day``."""
    return [_scored(r) for r in session.scalars(select(models.DailyScore).where(models.DailyScore.day == day))]


def scores_between(session: Session, first: dt.date, last: dt.date) -> list[ScoredDay]:
    """Every stored score from ``first`` to ``last``, in order of days."""
    rows = session.scalars(
        select(models.DailyScore)
        .where(models.DailyScore.day >= first, models.DailyScore.day <= last)
        .order_by(models.DailyScore.day)
    )
    return [_scored(r) for r in rows]


def scored_days(session: Session, last: dt.date, limit: int) -> list[dt.date]:
    """The newest ``limit`` days up to ``last`` that any site has a score for, newest first."""
    return list(
        session.scalars(
            select(models.DailyScore.day)
            .where(models.DailyScore.day <= last)
            .distinct()
            .order_by(models.DailyScore.day.desc())
            .limit(limit)
        )
    )


@dataclass(frozen=True)
class SiteRef:
    """A site as stored: its names and the unit responsible for it."""

    id: str
    name: str
    responsible_unit: str


def site(session: Session, site_id: str) -> SiteRef | None:
    """The site ``site_id`` (None: no such site)."""
    row = session.execute(
        select(models.Site.name, models.Site.responsible_unit).where(models.Site.id == site_id)
    ).one_or_none()
    return SiteRef(site_id, row.name, row.responsible_unit) if row is not None else None


def active_site_ids(session: Session) -> list[str]:
    """The active sites' ids, in order."""
    return list(session.scalars(select(models.Site.id).where(models.Site.active).order_by(models.Site.id)))


@dataclass(frozen=True)
class Snapshot:
    """A stored snapshot: the camera that took it, when, and its path under the snapshot root."""

    camera_id: str
    camera_name: str
    captured_at: dt.datetime
    path: str


def snapshots(session: Session, site_id: str, start: dt.datetime, end: dt.datetime) -> list[Snapshot]:
    """The site's samples with a snapshot in [start, end): camera by camera, each in time order."""
    rows = session.execute(
        select(models.Camera.camera_id, models.Camera.name, models.Sample.captured_at, models.Sample.snapshot_path)
        .join(models.Camera, models.Camera.id == models.Sample.camera_pk)
        .where(
            models.Sample.site_id == site_id,
            models.Sample.slot_at >= start,
            models.Sample.slot_at < end,
            models.Sample.snapshot_path.is_not(None),
        )
        .order_by(models.Camera.camera_id, models.Sample.slot_at)
    )
    return [Snapshot(cid, name, at, path) for cid, name, at, path in rows if path is not None]


def latest_snapshot_sample(session: Session, site_id: str, start: dt.datetime, end: dt.datetime) -> int | None:
    """The id of the site's newest sample with a snapshot in [start, end)."""
    return session.scalar(
        select(models.Sample.id)
        .where(models.Sample.site_id == site_id, models.Sample.slot_at >= start, models.Sample.slot_at < end)
        .where(models.Sample.snapshot_path.is_not(None))
        .order_by(models.Sample.id.desc())
        .limit(1)
    )
