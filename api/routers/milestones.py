"""A site's milestones (挂图作战): planned vs actual, the start seen on camera and its confirmation, the
admin's changes of dates (each recorded)."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.exceptions import RequestValidationError
from pydantic import AfterValidator, BaseModel, Field
from sqlalchemy.orm import Session

from api.auth import named
from api.deps import ClockDep, SessionDep, app_now, local_today
from api.params import Day, RowId
from monitor.assignments.rules import no_control_characters
from monitor.config import AppConfig, Batch, Milestone
from monitor.milestones import repository
from monitor.milestones.dates import date_problem
from monitor.milestones.detection import ProposalState
from monitor.milestones.rates import milestone_state
from monitor.milestones.repository import Proposal
from monitor.milestones.starts import ProposalError, confirm_start, reject_start
from monitor.scoring.daily import score_days
from monitor.store.milestones import changes_of, dates_of, set_date
from monitor.store.periods import periods_of
from monitor.store.users import Role

log = logging.getLogger(__name__)
router = APIRouter(tags=["milestones"])
RESCORE_DAYS_MAX = 92
Text = Annotated[str, AfterValidator(no_control_characters)]


class MilestoneOut(BaseModel):
    milestone: Milestone
    planned: dt.date | None
    actual: dt.date | None
    state: str = Field(description="on_time, late, overdue, pending or no_plan")
    planned_by: str = Field(description='"config", or the admin who changed the planned date')


class PeriodOut(BaseModel):
    batch: str
    since: dt.date | None
    until: dt.date | None
    by: str


class ProposalOut(BaseModel):
    id: int
    site_id: str
    day: dt.date
    last_day: dt.date
    state: str
    evidence: list[dict[str, Any]] = Field(description="Each day of the window: status, score, a snapshot")
    proposed_at: dt.datetime
    decided_at: dt.datetime | None
    decided_by: str | None
    note: str


class ChangeOut(BaseModel):
    milestone: str
    field: str
    old: dt.date | None
    new: dt.date | None
    by: str
    at: dt.datetime
    note: str


class SiteMilestonesOut(BaseModel):
    site_id: str
    batch: str = Field(description="The batch today")
    periods: list[PeriodOut]
    milestones: list[MilestoneOut]
    proposals: list[ProposalOut]
    changes: list[ChangeOut]


class DateChange(BaseModel):
    planned: Day | None = Field(default=None, description="The new planned date (null clears it; absent: kept)")
    actual: Day | None = Field(
        default=None,
        description="The date it was reached (null clears it; absent: kept); not for the start, not before the "
        "site started, in the milestones' order",
    )
    note: Text = Field(default="", max_length=500)


class Decision(BaseModel):
    note: Text = Field(default="", max_length=500)


def _proposal_out(p: Proposal) -> ProposalOut:
    return ProposalOut(
        id=p.id,
        site_id=p.site_id,
        day=p.day,
        last_day=p.last_day,
        state=p.state.value,
        evidence=list(p.evidence),
        proposed_at=p.proposed_at,
        decided_at=p.decided_at,
        decided_by=p.decided_by,
        note=p.note,
    )


def _configured_batch(session: Session, site_id: str) -> Batch:
    """The site's batch as configured; 404 without such a site."""
    batch = repository.configured_batch(session, site_id)
    if batch is None:
        raise HTTPException(404, f"no site '{site_id}'")
    return batch


def _invalid(field: str, message: str, value: dt.date | None) -> RequestValidationError:
    return RequestValidationError(
        [{"type": "value_error", "loc": ("body", field), "msg": message, "input": str(value)}]
    )


Operator = Annotated[str, Depends(named(Role.operator))]
Admin = Annotated[str, Depends(named(Role.admin))]


@router.get("/api/sites/{site_id}/milestones", response_model=SiteMilestonesOut)
def site_milestones(site_id: str, session: SessionDep, request: Request) -> SiteMilestonesOut:
    """The site's chart: each milestone planned vs actual, its batch periods, start proposals, date changes."""
    configured = _configured_batch(session, site_id)
    today = local_today(request)
    rows = dates_of(session, site_id)
    periods = periods_of(session, site_id, configured.value)
    current = next((p for p in reversed(periods) if p.since is None or p.since <= today), periods[0])
    proposals = repository.proposals(session, site_id=site_id)
    return SiteMilestonesOut(
        site_id=site_id,
        batch=current.batch,
        periods=[PeriodOut.model_validate(p, from_attributes=True) for p in periods],
        milestones=[
            MilestoneOut(
                milestone=m,
                planned=r.planned if r else None,
                actual=r.actual if r else None,
                state=milestone_state(r.planned if r else None, r.actual if r else None, today),
                planned_by=r.planned_by if r else "config",
            )
            for m in Milestone
            for r in [rows.get(m)]
        ],
        proposals=[_proposal_out(p) for p in proposals],
        changes=[ChangeOut.model_validate(c, from_attributes=True) for c in changes_of(session, site_id)],
    )


@router.put("/api/sites/{site_id}/milestones/{milestone}", response_model=SiteMilestonesOut)
def change_dates(
    site_id: str, milestone: Milestone, body: DateChange, session: SessionDep, request: Request, who: Admin
) -> SiteMilestonesOut:
    """Change a milestone's planned date, or record the date it was reached (admins). Who, when, the old and
    the new date are recorded; a planned date changed here is no longer overridden by the config's. The
    start's actual date is the confirmed start seen on camera (422 here). A 422 too for a date to come, a
    date outside 2000-01-01..2100-12-31, a date reached by a site that has not started or out of the
    milestones' order, and a note with control characters."""
    configured = _configured_batch(session, site_id)
    given = body.model_fields_set
    today = local_today(request)
    if "actual" in given:
        if milestone is Milestone.start:
            raise _invalid("actual", "the start's actual date comes from a confirmed start proposal", body.actual)
        if body.actual is not None and body.actual > today:
            raise _invalid("actual", f"{body.actual} has not happened yet", body.actual)
    rows = dates_of(session, site_id)
    actual = {m: r.actual for m, r in rows.items() if m is not milestone}
    current = [p for p in periods_of(session, site_id, configured.value) if p.since is None or p.since <= today]
    started = actual.get(Milestone.start) is not None or current[-1].batch != Batch.signed
    for field in ("planned", "actual"):
        if field in given:
            problem = date_problem(milestone, field, getattr(body, field), actual, started)
            if problem is not None:
                raise _invalid(field, problem, getattr(body, field))
    now = app_now(request)
    for field in ("planned", "actual"):
        if field in given:
            set_date(session, site_id, milestone, field, getattr(body, field), who, now, body.note)
    session.commit()
    return site_milestones(site_id, session, request)


@router.get("/api/start-proposals", response_model=list[ProposalOut])
def proposals(
    session: SessionDep, state: Annotated[Literal["pending", "confirmed", "rejected"] | None, Query()] = "pending"
) -> list[ProposalOut]:
    """Starts seen on camera, newest first (default: those waiting for an operator)."""
    found = repository.proposals(session, state=ProposalState(state) if state is not None else None, limit=500)
    return [_proposal_out(p) for p in found]


@router.post("/api/sites/{site_id}/start-proposals/{proposal_id}/confirm", response_model=ProposalOut)
def confirm(
    site_id: str, proposal_id: RowId, body: Decision, session: SessionDep, request: Request, who: Operator
) -> ProposalOut:
    """Confirm a start seen on camera (operators): the start's actual date is set, the site is started from
    that day, and its days since are scored again as a started site's."""
    try:
        proposal = confirm_start(session, site_id, proposal_id, who, app_now(request), body.note)
    except ProposalError as exc:
        raise HTTPException(409 if repository.proposal(session, proposal_id) else 404, str(exc)) from exc
    config: AppConfig | None = request.app.state.config
    if config is not None:
        today = local_today(request)
        first = max(proposal.day, today - dt.timedelta(days=RESCORE_DAYS_MAX))
        days = [first + dt.timedelta(days=n) for n in range((today - first).days + 1)]
        score_days(session, config, days, {site_id}, now=app_now(request))
    return _proposal_out(proposal)


@router.post("/api/sites/{site_id}/start-proposals/{proposal_id}/reject", response_model=ProposalOut)
def reject(
    site_id: str, proposal_id: RowId, body: Decision, session: SessionDep, who: Operator, clock: ClockDep
) -> ProposalOut:
    """Reject a start seen on camera (operators): the site stays signed."""
    try:
        proposal = reject_start(session, site_id, proposal_id, who, clock(), body.note)
    except ProposalError as exc:
        raise HTTPException(409 if repository.proposal(session, proposal_id) else 404, str(exc)) from exc
    return _proposal_out(proposal)
