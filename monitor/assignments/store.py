"""Assignments in the database: given, replied to, closed; overdue and 活动已恢复 kept up to date."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

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
from monitor.store import models

log = logging.getLogger(__name__)
OPEN = (State.open.value, State.overdue.value, State.replied.value)


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


def create(session: Session, config: AppConfig, new: NewAssignment, by: str, now: dt.datetime) -> models.Assignment:
    """Give an assignment to the site's responsible unit (from the alert's site when one is given). Commits."""
    today = config.calendar.day_of(now)
    site_id = new.site_id
    if new.alert_id is not None:
        alert = session.get(models.Alert, new.alert_id)
        if alert is None:
            raise NotFound(f"alert {new.alert_id} does not exist")
        site_id = alert.site_id
    site = session.get(models.Site, site_id)
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
        raise Repeated(existing.id, existing.state)
    row = models.Assignment(
        site_id=site_id,
        unit=site.responsible_unit,
        alert_id=new.alert_id,
        problem=new.problem,
        ask=new.ask,
        deadline=deadline,
        assigned_by=by,
        assigned_at=now,
        state=State.open.value,
        reply="",
        close_note="",
    )
    session.add(row)
    session.commit()
    log.info("assignment %s to %s for site %s by %s", row.id, row.unit, site_id, by)
    return row


def same_issue(session: Session, site_id: str, problem: str) -> models.Assignment | None:
    """The site's first assignment not closed on the issue of ``problem``, if any."""
    issue = issue_of(problem)
    if issue is None:
        return None
    return next((r for r in listed(session, states=OPEN, site_id=site_id) if issue_of(r.problem) == issue), None)


def get(session: Session, assignment_id: int, unit: str | None = None) -> models.Assignment:
    """One assignment; for a unit's user, only that unit's (another's is as missing as one that is not)."""
    row = session.get(models.Assignment, assignment_id)
    if row is None or (unit is not None and row.unit != unit):
        raise NotFound(f"assignment {assignment_id} does not exist")
    return row


def reply(session: Session, row: models.Assignment, note: str, by: str, now: dt.datetime) -> None:
    check_reply(State(row.state))
    row.state, row.reply, row.replied_by, row.replied_at = State.replied.value, note, by, now
    session.commit()


def close(session: Session, row: models.Assignment, note: str, by: str, now: dt.datetime) -> None:
    check_close(State(row.state))
    row.state, row.close_note, row.closed_by, row.closed_at = State.closed.value, note, by, now
    session.commit()


def listed(
    session: Session,
    unit: str | None = None,
    states: tuple[str, ...] | None = None,
    site_id: str | None = None,
    assigned_from: dt.datetime | None = None,
    assigned_to: dt.datetime | None = None,
) -> list[models.Assignment]:
    query = select(models.Assignment).order_by(models.Assignment.deadline, models.Assignment.id)
    if unit is not None:
        query = query.where(models.Assignment.unit == unit)
    if states is not None:
        query = query.where(models.Assignment.state.in_(states))
    if site_id is not None:
        query = query.where(models.Assignment.site_id == site_id)
    if assigned_from is not None:
        query = query.where(models.Assignment.assigned_at >= assigned_from)
    if assigned_to is not None:
        query = query.where(models.Assignment.assigned_at < assigned_to)
    return list(session.scalars(query))


def site_days(session: Session, site_id: str, first: dt.date, last: dt.date | None = None) -> list[models.DailyScore]:
    query = select(models.DailyScore).where(models.DailyScore.site_id == site_id, models.DailyScore.day >= first)
    if last is not None:
        query = query.where(models.DailyScore.day <= last)
    return list(session.scalars(query.order_by(models.DailyScore.day)))


def overdue(session: Session) -> list[OverdueFact]:
    """The overdue assignments as they are stored (``refresh`` brings them up to date)."""
    return [OverdueFact(r.id, r.site_id, r.unit, r.deadline) for r in listed(session, states=(State.overdue.value,))]


def refresh(session: Session, config: AppConfig, today: dt.date) -> list[OverdueFact]:
    """Turn open assignments past their deadline overdue, mark 活动已恢复 where the site has worked again
    for the configured days, and return the overdue ones (``monitor.alerts.assignment_rules`` makes
    their alert). Commits."""
    overdue: list[OverdueFact] = []
    needed = config.assignments.resumed_after_days
    for row in listed(session, states=OPEN):
        if row.state == State.open.value and today > row.deadline:
            row.state, row.overdue_since = State.overdue.value, today
        if row.resumed_on is None and row.problem in IDLE_PROBLEMS:
            assigned = config.calendar.day_of(row.assigned_at)
            days = [(d.day, d.status) for d in site_days(session, row.site_id, assigned, today)]
            row.resumed_on = activity_resumed(days, assigned, needed)
        if row.state == State.overdue.value:
            overdue.append(OverdueFact(row.id, row.site_id, row.unit, row.deadline))
    session.commit()
    return overdue
