"""What the cameras show since an assignment, for the operator who closes it (and the unit)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.orm import Session

from monitor.assignments import repository
from monitor.assignments.repository import Assignment, ScoredDay, Snapshot
from monitor.config import AppConfig
from monitor.scoring.score import DayStatus


@dataclass(frozen=True)
class Evidence:
    since: dt.date
    days: list[ScoredDay]
    active_days: int
    snapshots: list[Snapshot]


def evidence(session: Session, config: AppConfig, assignment: Assignment) -> Evidence:
    """Each scored day since the assignment's day, how many were active, and each camera's latest picture."""
    since = config.calendar.day_of(assignment.assigned_at)
    days = repository.site_days(session, assignment.site_id, since)
    snapshots = repository.latest_snapshots(session, assignment.site_id)
    return Evidence(since, days, sum(1 for d in days if d.status is DayStatus.active), snapshots)
