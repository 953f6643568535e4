"""The milestones stage's queries, and the only ones: what a start seen on camera is looked for in and shown
with (each scored day's observed status and parts, the day's busiest snapshot), the start proposals (read,
made, decided), a site's configured batch and its move to the started batch. Frozen values with the
``ProposalState`` and ``Batch`` enums come back, never ORM rows; the writes do not commit."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from monitor.config import Batch
from monitor.core.calendar import Window
from monitor.milestones.detection import ProposalState
from monitor.store import models


def observed_statuses(session: Session, site_id: str, after: dt.date, through: dt.date) -> dict[dt.date, str | None]:
    """Each scored day of the site after ``after`` up to ``through``: the status the cameras saw
    (``observed_status``; the day's status may be "not expected" while the site is signed)."""
    return {
        day: (components or {}).get("observed_status")
        for day, components in session.execute(
            select(models.DailyScore.day, models.DailyScore.components).where(
                models.DailyScore.site_id == site_id,
                models.DailyScore.day > after,
                models.DailyScore.day <= through,
            )
        )
    }


def score_parts(session: Session, site_id: str, day: dt.date) -> dict[str, Any]:
    """The parts of the site's score of ``day`` (empty without a score)."""
    components = session.scalars(
        select(models.DailyScore.components).where(models.DailyScore.site_id == site_id, models.DailyScore.day == day)
    ).first()
    return components or {}


def busiest_snapshot(session: Session, site_id: str, window: Window) -> int | None:
    """The sample with a snapshot of the site in ``window`` that saw the most activity (the earliest of
    equals): its id."""
    return session.scalars(
        select(models.Sample.id)
        .where(
            models.Sample.site_id == site_id,
            models.Sample.slot_at >= window[0],
            models.Sample.slot_at < window[1],
            models.Sample.snapshot_path.is_not(None),
        )
        .order_by(func.coalesce(models.Sample.activity, 0).desc(), models.Sample.slot_at)
        .limit(1)
    ).first()


@dataclass(frozen=True)
class Proposal:
    """A start seen on camera, with its evidence and what became of it."""

    id: int
    site_id: str
    day: dt.date
    """The proposed start: the first active day of the window."""
    last_day: dt.date
    """The window's last working day."""
    evidence: tuple[dict[str, Any], ...]
    """Each day of the window: its status, score, a snapshot."""
    state: ProposalState
    proposed_at: dt.datetime
    decided_at: dt.datetime | None
    decided_by: str | None
    note: str


def _proposal(row: models.StartProposal) -> Proposal:
    return Proposal(
        id=row.id,
        site_id=row.site_id,
        day=row.day,
        last_day=row.last_day,
        evidence=tuple(row.evidence or ()),
        state=ProposalState(row.state),
        proposed_at=row.proposed_at,
        decided_at=row.decided_at,
        decided_by=row.decided_by,
        note=row.note,
    )


def proposal(session: Session, proposal_id: int) -> Proposal | None:
    row = session.get(models.StartProposal, proposal_id)
    return _proposal(row) if row is not None else None


def proposals(
    session: Session, site_id: str | None = None, state: ProposalState | None = None, limit: int | None = None
) -> list[Proposal]:
    """The proposals (of one site, in one state, if given), newest first."""
    query = select(models.StartProposal).order_by(
        models.StartProposal.proposed_at.desc(), models.StartProposal.id.desc()
    )
    if site_id is not None:
        query = query.where(models.StartProposal.site_id == site_id)
    if state is not None:
        query = query.where(models.StartProposal.state == state.value)
    return [_proposal(row) for row in session.scalars(query.limit(limit))]


def last_days(session: Session, site_id: str) -> dict[ProposalState, dt.date]:
    """For each state the site's proposals are in: the latest window's last day."""
    return {
        ProposalState(state): last
        for state, last in session.execute(
            select(models.StartProposal.state, func.max(models.StartProposal.last_day))
            .where(models.StartProposal.site_id == site_id)
            .group_by(models.StartProposal.state)
        )
    }


def add_proposal(
    session: Session, site_id: str, day: dt.date, last_day: dt.date, evidence: list[dict[str, Any]], now: dt.datetime
) -> Proposal:
    """A pending proposal of a start on ``day``. Flushed, not committed."""
    row = models.StartProposal(
        site_id=site_id,
        day=day,
        last_day=last_day,
        evidence=evidence,
        state=ProposalState.pending.value,
        proposed_at=now,
        note="",
    )
    session.add(row)
    session.flush()
    return _proposal(row)


def decide(session: Session, proposal_id: int, state: ProposalState, by: str, now: dt.datetime, note: str) -> Proposal:
    """Record the operator's decision on the proposal (which must exist)."""
    row = session.get(models.StartProposal, proposal_id)
    if row is None:
        raise LookupError(f"no start proposal {proposal_id}")
    row.state, row.decided_at, row.decided_by, row.note = state.value, now, by, note
    return _proposal(row)


def configured_batch(session: Session, site_id: str) -> Batch | None:
    """The site's batch as configured (None: no such site)."""
    batch = session.scalars(select(models.Site.batch).where(models.Site.id == site_id)).first()
    return Batch(batch) if batch is not None else None


def move_batch(session: Session, site_id: str, batch: Batch, since: dt.date, by: str, now: dt.datetime) -> None:
    """The site is in ``batch`` from ``since`` on (its periods before kept)."""
    session.add(models.BatchPeriod(site_id=site_id, batch=batch.value, since=since, by=by, at=now))
