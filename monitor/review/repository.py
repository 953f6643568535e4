"""The review stage's queries, and the only ones: the sites in service, the period's daily scores, a site's
newest snapshot in a span and the assignments' dates. Frozen values with the status enums (``DayStatus``,
the assignments' ``State``) come back, never ORM rows."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from monitor.assignments.rules import State
from monitor.scoring.score import DayStatus
from monitor.store import models


@dataclass(frozen=True)
class ReviewedSite:
    """A site in service, as the review pack names it."""

    id: str
    name: str
    district: str
    responsible_unit: str


def active_sites(session: Session) -> list[ReviewedSite]:
    """The sites in service, by id."""
    rows = session.execute(
        select(models.Site.id, models.Site.name, models.Site.district, models.Site.responsible_unit)
        .where(models.Site.active)
        .order_by(models.Site.id)
    )
    return [ReviewedSite(*row) for row in rows]


@dataclass(frozen=True)
class ScoredDay:
    """A site's stored day: its score (None: not scored, as on an outage day) and status."""

    site_id: str
    day: dt.date
    score: float | None
    status: DayStatus


def scored_days(session: Session, first: dt.date, last: dt.date) -> list[ScoredDay]:
    """Every site's stored days from ``first`` to ``last``, oldest first."""
    rows = session.execute(
        select(models.DailyScore.site_id, models.DailyScore.day, models.DailyScore.score, models.DailyScore.status)
        .where(models.DailyScore.day >= first, models.DailyScore.day <= last)
        .order_by(models.DailyScore.day)
    )
    return [ScoredDay(site_id, day, score, DayStatus(status)) for site_id, day, score, status in rows]


@dataclass(frozen=True)
class Snapshot:
    path: str
    """Under the snapshot folder."""
    camera: str
    """The name of the camera that took it (its id without a name)."""
    at: dt.datetime
    """When it was taken (UTC)."""


def newest_snapshot(session: Session, site_id: str, start: dt.datetime, end: dt.datetime) -> Snapshot | None:
    """The site's newest snapshot of a slot in [start, end)."""
    row = session.execute(
        select(models.Sample.snapshot_path, models.Camera.name, models.Camera.camera_id, models.Sample.captured_at)
        .join(models.Camera, models.Camera.id == models.Sample.camera_pk)
        .where(
            models.Sample.site_id == site_id,
            models.Sample.slot_at >= start,
            models.Sample.slot_at < end,
            models.Sample.snapshot_path.is_not(None),
        )
        .order_by(models.Sample.slot_at.desc())
        .limit(1)
    ).first()
    if row is None:
        return None
    path, name, camera_id, at = row
    assert path is not None  # the query asks for a snapshot
    return Snapshot(path, name or camera_id, at)


@dataclass(frozen=True)
class AssignmentDates:
    """An assignment's unit, state and dates, for the units' table."""

    unit: str
    state: State
    assigned_at: dt.datetime
    deadline: dt.date
    closed_at: dt.datetime | None


def assignment_dates(session: Session) -> list[AssignmentDates]:
    """Every assignment, in the order they were made."""
    rows = session.execute(
        select(
            models.Assignment.unit,
            models.Assignment.state,
            models.Assignment.assigned_at,
            models.Assignment.deadline,
            models.Assignment.closed_at,
        ).order_by(models.Assignment.id)
    )
    return [
        AssignmentDates(unit, State(state), assigned_at, deadline, closed_at)
        for unit, state, assigned_at, deadline, closed_at in rows
    ]
