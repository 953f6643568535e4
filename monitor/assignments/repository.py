"""The assignments' queries, and the only ones of the stage: the assignments themselves (given, replied to,
closed, kept up to date), the units and their members, and what the cameras and scores show of a unit's
sites. Frozen values with the status enums (``State``, ``DayStatus``, ``CameraStatus``) come back, never
ORM rows; the writes commit."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from monitor.assignments.rules import State
from monitor.core.values import CameraStatus
from monitor.scoring.score import DayStatus
from monitor.store import models


@dataclass(frozen=True)
class Assignment:
    """An assignment as stored (its state as stored: ``rules.state_on`` tells it as of a day)."""

    id: int
    site_id: str
    unit: str
    alert_id: int | None
    problem: str
    ask: str
    deadline: dt.date
    assigned_by: str
    assigned_at: dt.datetime
    state: State
    reply: str
    replied_by: str | None
    replied_at: dt.datetime | None
    reply_photo: str | None
    resumed_on: dt.date | None
    overdue_since: dt.date | None
    closed_by: str | None
    closed_at: dt.datetime | None
    close_note: str


def _assignment(row: models.Assignment) -> Assignment:
    return Assignment(
        id=row.id,
        site_id=row.site_id,
        unit=row.unit,
        alert_id=row.alert_id,
        problem=row.problem,
        ask=row.ask,
        deadline=row.deadline,
        assigned_by=row.assigned_by,
        assigned_at=row.assigned_at,
        state=State(row.state),
        reply=row.reply,
        replied_by=row.replied_by,
        replied_at=row.replied_at,
        reply_photo=row.reply_photo,
        resumed_on=row.resumed_on,
        overdue_since=row.overdue_since,
        closed_by=row.closed_by,
        closed_at=row.closed_at,
        close_note=row.close_note,
    )


@dataclass(frozen=True)
class NewRow:
    """What a new assignment stores (its state is open, its reply and close note empty)."""

    site_id: str
    unit: str
    alert_id: int | None
    problem: str
    ask: str
    deadline: dt.date
    assigned_by: str
    assigned_at: dt.datetime


@dataclass(frozen=True)
class Progress:
    """An open assignment brought up to date: its state, since when overdue, the day activity resumed."""

    assignment_id: int
    state: State
    overdue_since: dt.date | None
    resumed_on: dt.date | None


@dataclass(frozen=True)
class SiteRef:
    """A site as the assignments see it: its names, batch, responsible unit and whether it is in service."""

    id: str
    name: str
    district: str
    batch: str
    responsible_unit: str
    active: bool


@dataclass(frozen=True)
class ScoredDay:
    """A site's stored score of one day."""

    day: dt.date
    status: DayStatus
    score: float | None


@dataclass(frozen=True)
class Snapshot:
    """A camera's latest picture."""

    camera_id: str
    sample_id: int
    slot_at: dt.datetime
    status: CameraStatus
    camera_name: str = ""


@dataclass(frozen=True)
class UnitSite:
    """A site in service with today's stored score, its active cameras (how many online) and the newest of
    their latest samples."""

    site: SiteRef
    today: ScoredDay | None
    cameras_online: int
    cameras: int
    latest_sample_id: int | None


def _site(row: models.Site) -> SiteRef:
    return SiteRef(row.id, row.name, row.district, row.batch, row.responsible_unit, row.active)


# Assignments.


def _query_values(states: Iterable[str]) -> list[str]:
    return [State(s).value for s in states]


def assignments(
    session: Session,
    unit: str | None = None,
    states: Iterable[str] | None = None,
    site_id: str | None = None,
    assigned_from: dt.datetime | None = None,
    assigned_to: dt.datetime | None = None,
) -> list[Assignment]:
    """The assignments (of a unit, in some states, of a site, given in [from, to)), by deadline."""
    return [_assignment(r) for r in stored_rows(session, unit, states, site_id, assigned_from, assigned_to)]


def stored_rows(
    session: Session,
    unit: str | None = None,
    states: Iterable[str] | None = None,
    site_id: str | None = None,
    assigned_from: dt.datetime | None = None,
    assigned_to: dt.datetime | None = None,
) -> list[models.Assignment]:
    """``assignments`` as ORM rows, for the callers outside this stage that still read rows
    (``monitor.assignments.store.listed``: the alert list's names and the CLI's list); the stage itself
    reads ``assignments``."""
    query = select(models.Assignment).order_by(models.Assignment.deadline, models.Assignment.id)
    if unit is not None:
        query = query.where(models.Assignment.unit == unit)
    if states is not None:
        query = query.where(models.Assignment.state.in_(_query_values(states)))
    if site_id is not None:
        query = query.where(models.Assignment.site_id == site_id)
    if assigned_from is not None:
        query = query.where(models.Assignment.assigned_at >= assigned_from)
    if assigned_to is not None:
        query = query.where(models.Assignment.assigned_at < assigned_to)
    return list(session.scalars(query))


def assignment(session: Session, assignment_id: int) -> Assignment | None:
    row = session.get(models.Assignment, assignment_id)
    return _assignment(row) if row is not None else None


def _row(session: Session, assignment_id: int) -> models.Assignment:
    row = session.get(models.Assignment, assignment_id)
    if row is None:
        raise LookupError(f"assignment {assignment_id} does not exist")
    return row


def add(session: Session, new: NewRow) -> Assignment:
    """Store a new open assignment. Commits."""
    row = models.Assignment(
        site_id=new.site_id,
        unit=new.unit,
        alert_id=new.alert_id,
        problem=new.problem,
        ask=new.ask,
        deadline=new.deadline,
        assigned_by=new.assigned_by,
        assigned_at=new.assigned_at,
        state=State.open.value,
        reply="",
        close_note="",
    )
    session.add(row)
    session.commit()
    return _assignment(row)


def store_reply(session: Session, assignment_id: int, note: str, by: str, now: dt.datetime) -> Assignment:
    """The unit's reply: the assignment is replied. Commits."""
    row = _row(session, assignment_id)
    row.state, row.reply, row.replied_by, row.replied_at = State.replied.value, note, by, now
    session.commit()
    return _assignment(row)


def store_close(session: Session, assignment_id: int, note: str, by: str, now: dt.datetime) -> Assignment:
    """Closed (销号). Commits."""
    row = _row(session, assignment_id)
    row.state, row.close_note, row.closed_by, row.closed_at = State.closed.value, note, by, now
    session.commit()
    return _assignment(row)


def store_reply_photo(session: Session, assignment_id: int, path: str) -> Assignment:
    """The unit's photo with its reply (a path under the snapshot folder). Commits."""
    row = _row(session, assignment_id)
    row.reply_photo = path
    session.commit()
    return _assignment(row)


def store_progress(session: Session, changes: Iterable[Progress]) -> None:
    """Open assignments brought up to date (overdue, activity resumed). Commits, even when nothing changed."""
    for change in changes:
        row = _row(session, change.assignment_id)
        row.state, row.overdue_since, row.resumed_on = change.state.value, change.overdue_since, change.resumed_on
    session.commit()


# What an assignment is given from.


def alert_type(session: Session, alert_id: int) -> str | None:
    """The type of an alert, None when there is no such alert."""
    alert = session.get(models.Alert, alert_id)
    return alert.type if alert is not None else None


def alert_site(session: Session, alert_id: int) -> str | None:
    """The site of an alert, None when there is no such alert."""
    alert = session.get(models.Alert, alert_id)
    return alert.site_id if alert is not None else None


def site(session: Session, site_id: str) -> SiteRef | None:
    row = session.get(models.Site, site_id)
    return _site(row) if row is not None else None


# Units and their members.


def unit_of_user(session: Session, user_id: int) -> str | None:
    """The unit the user is bound to, None when it is bound to none."""
    row = session.get(models.UnitMember, user_id)
    return row.unit if row is not None else None


def bind_unit(session: Session, user_id: int, unit: str) -> None:
    """Bind the user to ``unit`` (in place of the one it had). Commits."""
    row = session.get(models.UnitMember, user_id)
    if row is None:
        session.add(models.UnitMember(user_id=user_id, unit=unit))
    else:
        row.unit = unit
    session.commit()


def units(session: Session) -> list[str]:
    """The responsible units of the sites in service."""
    query = select(models.Site.responsible_unit).where(models.Site.active, models.Site.responsible_unit != "")
    return sorted(set(session.scalars(query)))


def unit_site_ids(session: Session, unit: str) -> list[str]:
    """The sites in service of ``unit`` (every site whose responsible unit it is, by id)."""
    query = select(models.Site.id).where(models.Site.active, models.Site.responsible_unit == unit)
    return list(session.scalars(query.order_by(models.Site.id)))


def display_names(session: Session) -> dict[str, str]:
    """Each user's display name by login name ("" where none is kept)."""
    return {name: shown for name, shown in session.execute(select(models.User.username, models.User.display_name))}


# What the cameras and the scores show.


def site_days(session: Session, site_id: str, first: dt.date, last: dt.date | None = None) -> list[ScoredDay]:
    """The site's stored scores from ``first`` (to ``last``), by day."""
    query = select(models.DailyScore.day, models.DailyScore.status, models.DailyScore.score).where(
        models.DailyScore.site_id == site_id, models.DailyScore.day >= first
    )
    if last is not None:
        query = query.where(models.DailyScore.day <= last)
    rows = session.execute(query.order_by(models.DailyScore.day))
    return [ScoredDay(day, DayStatus(status), score) for day, status, score in rows]


def recent_days(session: Session, site_id: str, count: int) -> list[ScoredDay]:
    """The site's last ``count`` stored scores, oldest first."""
    rows = session.execute(
        select(models.DailyScore.day, models.DailyScore.status, models.DailyScore.score)
        .where(models.DailyScore.site_id == site_id)
        .order_by(models.DailyScore.day.desc())
        .limit(count)
    ).all()
    return [ScoredDay(day, DayStatus(status), score) for day, status, score in reversed(rows)]


def latest_snapshots(session: Session, site_id: str) -> list[Snapshot]:
    """The latest sample of each of the site's active cameras that has a picture, by camera id."""
    cameras = list(
        session.scalars(
            select(models.Camera)
            .where(models.Camera.site_id == site_id, models.Camera.active)
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
                Snapshot(
                    cam.camera_id, sample.id, sample.slot_at, CameraStatus(sample.status), cam.name or cam.camera_id
                )
            )
    return snapshots


def sample_site(session: Session, sample_id: int) -> str | None:
    """The site of a sample, None when there is no such sample."""
    sample = session.get(models.Sample, sample_id)
    return sample.site_id if sample is not None else None


def unit_sites(session: Session, site_ids: list[str] | None, today: dt.date) -> list[UnitSite]:
    """The sites in service (those of ``site_ids``, or all), by id, with today's score and their cameras."""
    query = select(models.Site).where(models.Site.active).order_by(models.Site.id)
    if site_ids is not None:
        query = query.where(models.Site.id.in_(site_ids))
    scores = {
        site_id: ScoredDay(today, DayStatus(status), score)
        for site_id, status, score in session.execute(
            select(models.DailyScore.site_id, models.DailyScore.status, models.DailyScore.score).where(
                models.DailyScore.day == today
            )
        )
    }
    out = []
    for row in session.scalars(query):
        cams = list(session.scalars(select(models.Camera).where(models.Camera.site_id == row.id, models.Camera.active)))
        latest = max(
            (c for c in cams if c.last_sample_id),
            key=lambda c: c.last_sample_at or dt.datetime.min.replace(tzinfo=dt.UTC),
            default=None,
        )
        out.append(
            UnitSite(
                _site(row),
                scores.get(row.id),
                sum(1 for c in cams if c.status == CameraStatus.online.value),
                len(cams),
                latest.last_sample_id if latest is not None else None,
            )
        )
    return out
