"""Assignments to responsible units (交办事项): operators give and close them, a unit replies to its own.

A unit's user sees only its unit's assignments: another unit's is answered as missing (404)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, HTTPException, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from pydantic import AfterValidator, BaseModel, Field, model_validator

from api.auth import UserDep, require
from api.deps import SessionDep, app_config, app_now, local_today
from api.params import Day, RowId
from api.schemas import AssignmentOut
from api.views import assignment_out, own_assignment
from monitor.assignments import repository, store
from monitor.assignments.evidence import evidence
from monitor.assignments.rules import (
    AssignmentError,
    NoWorkSeen,
    Repeated,
    State,
    check_close_evidence,
    no_control_characters,
)
from monitor.assignments.units import is_unit, unit_of
from monitor.assignments.weekly import week_assignments, weekly_workbook
from monitor.store.users import Account, Role

router = APIRouter(tags=["assignments"])
Operator = Annotated[Account, Depends(require(Role.operator))]
Text = Annotated[str, AfterValidator(no_control_characters)]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class AssignmentIn(BaseModel):
    site_id: str | None = Field(default=None, max_length=64, description="the site, or give alert_id")
    alert_id: int | None = Field(default=None, ge=1, le=2**63 - 1, description="the alert this comes from")
    problem: Text | None = Field(
        default=None,
        min_length=1,
        max_length=30,
        description="idle, outage, start_overdue, other (default: the alert's type)",
    )
    ask: Text = Field(min_length=1, max_length=2000, description="what the unit is asked to do (交办内容)")
    deadline: Day | None = Field(default=None, description="办结期限 (default: today + assignments.deadline_days)")
    again: bool = Field(
        default=False,
        description="give it although the site has an assignment on the same issue not closed (else a 409 names it)",
    )

    @model_validator(mode="after")
    def _site_or_alert(self) -> AssignmentIn:
        if (self.site_id is None) == (self.alert_id is None):
            raise ValueError("site_id or alert_id: give exactly one")
        if self.alert_id is None and self.problem is None:
            raise ValueError("problem: give it for a site (idle, outage, start_overdue, other)")
        return self


class NoteIn(BaseModel):
    note: Text = Field(default="", max_length=2000)


class CloseIn(NoteIn):
    despite_no_activity: bool = Field(
        default=False,
        description="close (销号) although the cameras showed no active day since the assignment (else a 409)",
    )


class ReplyIn(BaseModel):
    note: Text = Field(min_length=1, max_length=2000, description="what the unit did (办理情况)")


@router.get("/api/assignments", response_model=list[AssignmentOut])
def list_assignments(
    session: SessionDep,
    user: UserDep,
    request: Request,
    state: Annotated[Literal["open", "replied", "closed", "overdue", "active"] | None, Query()] = "active",
    unit: Annotated[str | None, Query(max_length=200, description="a responsible unit (ignored for a unit)")] = None,
    site: Annotated[str | None, Query(max_length=64)] = None,
    week: Annotated[
        Day | None,
        Query(description="a day: only the week's list (周交办清单, Monday to Sunday): given by its end, open in it"),
    ] = None,
) -> list[AssignmentOut]:
    """Assignments by deadline. ``state=active`` (default): not closed. A unit sees its own only."""
    mine = unit_of(session, user)
    today = local_today(request)
    rows = repository.assignments(session, unit=mine if mine is not None else unit, site_id=site)
    if week is not None:
        in_week = {
            r.id for r in week_assignments(session, app_config(request), week, mine if mine is not None else unit)[1]
        }
        rows = [r for r in rows if r.id in in_week]
    out = [assignment_out(session, r, today) for r in rows]
    if state == "active":
        return [a for a in out if a.state != State.closed.value]
    return [a for a in out if state is None or a.state == state]


@router.get("/api/assignments/weekly.xlsx", response_class=Response, responses={200: {"content": {XLSX: {}}}})
def weekly(
    session: SessionDep,
    user: UserDep,
    request: Request,
    date: Annotated[Day | None, Query(description="a day of the week (default: today)")] = None,
    unit: Annotated[str | None, Query(max_length=200, description="one unit (a unit always gets its own)")] = None,
) -> Response:
    """The weekly list (周交办清单) as a workbook: every assignment given that week or still open in it."""
    mine = unit_of(session, user)
    config = app_config(request)
    day = date or local_today(request)
    body, name = weekly_workbook(session, config, day, mine if mine is not None else unit, local_today(request))
    return Response(body, media_type=XLSX, headers={"Content-Disposition": f'attachment; filename="{name}"'})


@router.post("/api/assignments", response_model=AssignmentOut, status_code=201)
def give(body: AssignmentIn, session: SessionDep, user: Operator, request: Request) -> AssignmentOut:
    """Give an assignment to the site's responsible unit (operators and admins): from an alert or a site."""
    config = app_config(request)
    problem = body.problem
    if problem is None and body.alert_id is not None:
        problem = repository.alert_type(session, body.alert_id) or "other"
    new = store.NewAssignment(
        body.site_id or "", problem or "other", body.ask, body.deadline, body.alert_id, again=body.again
    )
    try:
        given = store.create(session, config, new, user.display_name or user.username, app_now(request))
    except store.NotFound as exc:
        raise HTTPException(404, str(exc)) from None
    except Repeated as exc:
        detail = {"message": str(exc), "assignment_id": exc.existing_id, "state": exc.state}
        raise HTTPException(409, detail) from None
    except AssignmentError as exc:  # the documented 422: which field, and why
        loc = ("body", exc.field) if exc.field else ("body",)
        raise RequestValidationError([{"type": "value_error", "loc": loc, "msg": str(exc), "input": None}]) from None
    return assignment_out(session, given, local_today(request))


@router.get("/api/assignments/{assignment_id}", response_model=AssignmentOut)
def one(assignment_id: RowId, session: SessionDep, user: UserDep, request: Request) -> AssignmentOut:
    return assignment_out(session, own_assignment(session, user, assignment_id), local_today(request))


@router.post("/api/assignments/{assignment_id}/reply", response_model=AssignmentOut)
def do_reply(
    assignment_id: RowId, body: ReplyIn, session: SessionDep, user: UserDep, request: Request
) -> AssignmentOut:
    """The responsible unit answers (办理情况): only a user of that unit."""
    row = own_assignment(session, user, assignment_id)
    if not is_unit(user):
        raise HTTPException(403, "only the responsible unit replies to its assignment")
    try:
        replied = store.reply(session, row, body.note, user.display_name or user.username, app_now(request))
    except AssignmentError as exc:
        raise HTTPException(409, str(exc)) from None
    return assignment_out(session, replied, local_today(request))


@router.post("/api/assignments/{assignment_id}/close", response_model=AssignmentOut)
def do_close(
    assignment_id: RowId, body: CloseIn, session: SessionDep, user: Operator, request: Request
) -> AssignmentOut:
    """Close (销号) after checking the evidence (operators and admins): when the cameras showed no active day
    since the assignment, only with ``despite_no_activity`` (a 409 says so first)."""
    row = own_assignment(session, user, assignment_id)
    if row.state is not State.closed:
        try:
            check_close_evidence(evidence(session, app_config(request), row).active_days, body.despite_no_activity)
        except NoWorkSeen as exc:
            raise HTTPException(409, {"message": str(exc), "active_days": 0}) from None
    try:
        closed = store.close(session, row, body.note, user.display_name or user.username, app_now(request))
    except AssignmentError as exc:
        raise HTTPException(409, str(exc)) from None
    return assignment_out(session, closed, local_today(request))
