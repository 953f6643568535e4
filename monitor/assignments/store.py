"""Assignments given, replied to, closed; overdue and 活动已恢复 kept up to date. The rules decide here, the
stage's ``repository`` reads and writes."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from sqlalchemy.orm import Session

from monitor.assignments import repository
from monitor.assignments.repository import Assignment, NewRow, Progress
from monitor.assignments.rules import (
    IDLE_PROBLEMS,
    AssignmentError,
    OverdueFact,
    Repeated,
    State,
    activity_resumed,
    check_close,
    check_deadline,
    check_reply,
    issue_of,
)
from monitor.config import AppConfig

log = logging.getLogger(__name__)
OPEN = (State.open, State.overdue, State.replied)

listed = repository.stored_rows
"""The assignments as ORM rows, for the callers outside this stage not moved to the values yet (the alert
list's names in ``api/routers/alerts.py``, the CLI's list); the stage reads ``repository.assignments``."""


class NotFound(LookupError):
    pass


@dataclass(frozen=True)
class NewAssignment:
    site_id: str
    problem: str
    ask: str
    deadline: dt.date | None = None
    alert_id: int | None = None
    again: bool = False
    """Give it even though the site has one on the same issue not closed (asked and confirmed)."""


def create(session: Session, config: AppConfig, new: NewAssignment, by: str, now: dt.datetime) -> Assignment:
    """Give an assignment to the site's responsible unit (from the alert's site when one is given). Commits."""
    today = config.calendar.day_of(now)
    site_id = new.site_id
    if new.alert_id is not None:
        alert_site = repository.alert_site(session, new.alert_id)
        if alert_site is None:
            raise NotFound(f"alert {new.alert_id} does not exist")
        site_id = alert_site
    site = repository.site(session, site_id)
    if site is None or not site.active:
        raise NotFound(f"site {site_id!r} does not exist")
    if not site.responsible_unit:
        raise AssignmentError(
            f"site {site_id} has no responsible_unit in the configuration",
            "alert_id" if new.alert_id is not None else "site_id",
        )
    deadline = new.deadline or today + dt.timedelta(days=config.assignments.deadline_days)
    check_deadline(deadline, today)
    existing = same_issue(session, site_id, new.problem)
    if existing is not None and not new.again:
        raise Repeated(existing.id, existing.state.value)
    given = repository.add(
        session, NewRow(site_id, site.responsible_unit, new.alert_id, new.problem, new.ask, deadline, by, now)
    )
    log.info("assignment %s to %s for site %s by %s", given.id, given.unit, site_id, by)
    return given


def same_issue(session: Session, site_id: str, problem: str) -> Assignment | None:
    """The site's first assignment not closed on the issue of ``problem``, if any."""
    issue = issue_of(problem)
    if issue is None:
        return None
    found = repository.assignments(session, states=OPEN, site_id=site_id)
    return next((a for a in found if issue_of(a.problem) == issue), None)


def get(session: Session, assignment_id: int, unit: str | None = None) -> Assignment:
    """One assignment; for a unit's user, only that unit's (another's is as missing as one that is not)."""
    found = repository.assignment(session, assignment_id)
    if found is None or (unit is not None and found.unit != unit):
        raise NotFound(f"assignment {assignment_id} does not exist")
    return found


def reply(session: Session, assignment: Assignment, note: str, by: str, now: dt.datetime) -> Assignment:
    """The unit's reply (办理情况), while the assignment is open or overdue. Commits."""
    check_reply(assignment.state)
    return repository.store_reply(session, assignment.id, note, by, now)


def close(session: Session, assignment: Assignment, note: str, by: str, now: dt.datetime) -> Assignment:
    """Close it (销号), unless it is closed already. Commits."""
    check_close(assignment.state)
    return repository.store_close(session, assignment.id, note, by, now)


def overdue(session: Session) -> list[OverdueFact]:
    """The overdue assignments as they are stored (``refresh`` brings them up to date)."""
    return [
        OverdueFact(a.id, a.site_id, a.unit, a.deadline)
        for a in repository.assignments(session, states=(State.overdue,))
    ]


def refresh(session: Session, config: AppConfig, today: dt.date) -> list[OverdueFact]:
    """Turn open assignments past their deadline overdue, mark 活动已恢复 where the site has worked again
    for the configured days, and return the overdue ones (``monitor.alerts.assignment_rules`` makes
    their alert). Commits."""
    overdue: list[OverdueFact] = []
    changes: list[Progress] = []
    needed = config.assignments.resumed_after_days
    for a in repository.assignments(session, states=OPEN):
        state, overdue_since, resumed_on = a.state, a.overdue_since, a.resumed_on
        if state is State.open and today > a.deadline:
            state, overdue_since = State.overdue, today
        if resumed_on is None and a.problem in IDLE_PROBLEMS:
            assigned = config.calendar.day_of(a.assigned_at)
            days = [(d.day, d.status) for d in repository.site_days(session, a.site_id, assigned, today)]
            resumed_on = activity_resumed(days, assigned, needed)
        if (state, overdue_since, resumed_on) != (a.state, a.overdue_since, a.resumed_on):
            changes.append(Progress(a.id, state, overdue_since, resumed_on))
        if state is State.overdue:
            overdue.append(OverdueFact(a.id, a.site_id, a.unit, a.deadline))
    repository.store_progress(session, changes)
    return overdue
