from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from api.auth import named
from api.deps import SessionDep, app_calendar, app_now
from api.params import RowId
from api.shown import ShownDep, TextFilter
from monitor.alerts import repository
from monitor.alerts.lifecycle import acknowledge, close
from monitor.alerts.notices import queue_events
from monitor.alerts.repository import StoredAlert
from monitor.alerts.rules import OPEN_STATES, AlertState
from monitor.assignments.rules import issue_of
from monitor.assignments.store import OPEN, listed
from monitor.core.calendar import Calendar
from monitor.core.wording import LANGS, alert_text
from monitor.store.users import Role

router = APIRouter(tags=["alerts"])


class AlertOut(BaseModel):
    id: int
    site_id: str
    camera_id: str | None
    type: str
    severity: str
    state: str
    message: str
    opened_at: dt.datetime
    acknowledged_at: dt.datetime | None
    acknowledged_by: str | None
    resolved_at: dt.datetime | None
    resolved_by: str | None = Field(default=None, description="Who closed it by hand; null when its condition cleared")
    resolve_note: str | None = None
    site_name: str = Field(description="The site's name")
    camera_name: str | None = Field(default=None, description="The camera's name (camera alerts)")
    cause: str | None = Field(default=None, description="A camera alert's machine-readable cause (see docs/api.md)")
    text: dict[str, str] = Field(
        description='What a dispatcher reads, by language ("zh", "en"): from the type, names and details, through '
        "the catalogue of wordings; ``message`` is the engineer's text"
    )
    assignment_id: int | None = Field(default=None, description="The assignment (not closed) this alert is given as")
    assignment_state: str | None = None


@dataclass(frozen=True)
class Given:
    """The assignment (not closed) an alert is given as."""

    id: int
    state: str


class Names:
    """The assignments not closed, read once per request, and the calendar the alerts' words are told in."""

    def __init__(self, session: Session, calendar: Calendar | None = None) -> None:
        self.calendar = calendar
        """The dispatch center's calendar: times in the alerts' words are local."""
        self.by_alert: dict[int, Given] = {}
        self.by_issue: dict[tuple[str, str], Given] = {}
        for a in listed(session, states=OPEN):
            if a.alert_id is not None:
                self.by_alert.setdefault(a.alert_id, Given(a.id, a.state))
            if (issue := issue_of(a.problem)) is not None:
                self.by_issue.setdefault((a.site_id, issue), Given(a.id, a.state))

    def assignment(self, alert: StoredAlert) -> Given | None:
        issue = issue_of(alert.type)
        return self.by_alert.get(alert.id) or (self.by_issue.get((alert.site_id, issue)) if issue else None)


def _out(alert: StoredAlert, names: Names, shown: TextFilter) -> AlertOut:
    cause = alert.details.get("cause") or alert.camera_cause
    given = names.assignment(alert)
    return AlertOut(
        id=alert.id,
        site_id=alert.site_id,
        camera_id=alert.camera_id,
        type=alert.type,
        severity=alert.severity.value,
        state=alert.state.value,
        message=shown(alert.message),
        opened_at=alert.opened_at,
        acknowledged_at=alert.acknowledged_at,
        acknowledged_by=alert.acknowledged_by,
        resolved_by=alert.resolved_by,
        resolve_note=shown(alert.resolve_note) if alert.resolve_note else None,
        resolved_at=alert.resolved_at,
        site_name=alert.site_name,
        camera_name=alert.camera_name,
        cause=cause,
        text={
            lang: alert_text(
                alert.type,
                alert.details,
                alert.site_name,
                alert.camera_name,
                severity=alert.severity.value,
                cause=cause,
                lang=lang,
                calendar=names.calendar,
            )
            for lang in LANGS
        },
        assignment_id=given.id if given is not None else None,
        assignment_state=given.state if given is not None else None,
    )


Operator = Annotated[str, Depends(named(Role.operator))]


@router.get("/api/alerts", response_model=list[AlertOut])
def list_alerts(
    session: SessionDep,
    shown: ShownDep,
    request: Request,
    state: Annotated[Literal["open", "acknowledged", "resolved", "active"] | None, Query()] = "active",
    site: Annotated[str | None, Query(max_length=64)] = None,
    type: Annotated[str | None, Query(max_length=30)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> list[AlertOut]:
    """Alerts, newest first. ``state=active`` (default): open and acknowledged ones."""
    states = OPEN_STATES if state == "active" else (AlertState(state),) if state is not None else None
    found = repository.alerts(session, states, site or None, type or None, limit)
    names = Names(session, app_calendar(request))
    return [_out(a, names, shown) for a in found]


@router.post("/api/alerts/{alert_id}/ack", response_model=AlertOut)
def ack(
    alert_id: RowId,
    session: SessionDep,
    request: Request,
    who: Operator,
    shown: ShownDep,
) -> AlertOut:
    """Acknowledge an open alert (operators and admins); who and when are recorded, and the webhook (if
    one is configured) is told."""
    now = app_now(request)
    event = acknowledge(session, alert_id, who, now)
    if event is None:
        raise HTTPException(409 if repository.alert(session, alert_id) else 404, f"alert {alert_id} is not open")
    config = getattr(request.app.state, "config", None)
    if config is not None and config.alerts.webhook is not None:
        queue_events(session, [event], now)
    alert = repository.alert(session, alert_id)
    assert alert is not None
    return _out(alert, Names(session, app_calendar(request)), shown)


class CloseIn(BaseModel):
    note: str = Field(default="", max_length=500, description="Why (复工已核实, 批准停工...)")


@router.post("/api/alerts/{alert_id}/close", response_model=AlertOut)
def close_by_hand(
    alert_id: RowId,
    body: CloseIn,
    session: SessionDep,
    request: Request,
    who: Operator,
    shown: ShownDep,
) -> AlertOut:
    """Close an alert by an operator's word (operators and admins), with a note. An idle alert so closed does
    not open again until work is seen and the site stops again; the webhook (if any) is told."""
    now = app_now(request)
    event = close(session, alert_id, who, now, body.note.strip())
    if event is None:
        raise HTTPException(409 if repository.alert(session, alert_id) else 404, f"alert {alert_id} is not open")
    config = getattr(request.app.state, "config", None)
    if config is not None and config.alerts.webhook is not None:
        queue_events(session, [event], now)
    alert = repository.alert(session, alert_id)
    assert alert is not None
    return _out(alert, Names(session, app_calendar(request)), shown)
