from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.auth import require
from api.deps import SessionDep, app_calendar, app_now
from api.params import RowId
from api.shown import ShownDep, TextFilter
from monitor.alerts.lifecycle import acknowledge, close
from monitor.alerts.notices import queue_events
from monitor.assignments.rules import issue_of
from monitor.assignments.store import OPEN, listed
from monitor.core.calendar import Calendar
from monitor.core.wording import LANGS, alert_text
from monitor.store import models
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


class Names:
    """Sites' and cameras' names, cameras' causes and the assignments not closed, read once per request."""

    def __init__(self, session: Session, calendar: Calendar | None = None) -> None:
        self.calendar = calendar
        """The dispatch center's calendar: times in the alerts' words are local."""
        self.sites: dict[str, str] = {
            sid: name for sid, name in session.execute(select(models.Site.id, models.Site.name))
        }
        self.cameras = {
            pk: (cid, name or cid, cause)
            for pk, cid, name, cause in session.execute(
                select(models.Camera.id, models.Camera.camera_id, models.Camera.name, models.Camera.status_cause)
            )
        }
        self.by_alert: dict[int, models.Assignment] = {}
        self.by_issue: dict[tuple[str, str], models.Assignment] = {}
        for a in listed(session, states=OPEN):
            if a.alert_id is not None:
                self.by_alert.setdefault(a.alert_id, a)
            if (issue := issue_of(a.problem)) is not None:
                self.by_issue.setdefault((a.site_id, issue), a)

    def assignment(self, row: models.Alert) -> models.Assignment | None:
        issue = issue_of(row.type)
        return self.by_alert.get(row.id) or (self.by_issue.get((row.site_id, issue)) if issue else None)


def _out(row: models.Alert, names: Names, shown: TextFilter) -> AlertOut:
    camera_id, camera_name, camera_cause = names.cameras.get(row.camera_pk or 0, (None, None, None))
    details = row.details or {}
    cause = details.get("cause") or (camera_cause if row.camera_pk else None)
    site_name = names.sites.get(row.site_id, row.site_id)
    given = names.assignment(row)
    return AlertOut(
        id=row.id,
        site_id=row.site_id,
        camera_id=camera_id,
        type=row.type,
        severity=row.severity,
        state=row.state,
        message=shown(row.message),
        opened_at=row.opened_at,
        acknowledged_at=row.acknowledged_at,
        acknowledged_by=row.acknowledged_by,
        resolved_by=row.resolved_by,
        resolve_note=shown(row.resolve_note) if row.resolve_note else None,
        resolved_at=row.resolved_at,
        site_name=site_name,
        camera_name=camera_name,
        cause=cause,
        text={
            lang: alert_text(
                row.type,
                details,
                site_name,
                camera_name,
                severity=row.severity,
                cause=cause,
                lang=lang,
                calendar=names.calendar,
            )
            for lang in LANGS
        },
        assignment_id=given.id if given is not None else None,
        assignment_state=given.state if given is not None else None,
    )


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
    query = select(models.Alert).order_by(models.Alert.opened_at.desc(), models.Alert.id.desc()).limit(limit)
    if state == "active":
        query = query.where(models.Alert.state.in_(("open", "acknowledged")))
    elif state is not None:
        query = query.where(models.Alert.state == state)
    if site:
        query = query.where(models.Alert.site_id == site)
    if type:
        query = query.where(models.Alert.type == type)
    names = Names(session, app_calendar(request))
    return [_out(r, names, shown) for r in session.scalars(query)]


@router.post("/api/alerts/{alert_id}/ack", response_model=AlertOut)
def ack(
    alert_id: RowId,
    session: SessionDep,
    request: Request,
    user: Annotated[models.User, Depends(require(Role.operator))],
    shown: ShownDep,
) -> AlertOut:
    """Acknowledge an open alert (operators and admins); who and when are recorded, and the webhook (if
    one is configured) is told."""
    now = app_now(request)
    event = acknowledge(session, alert_id, user.display_name or user.username, now)
    if event is None:
        raise HTTPException(409 if session.get(models.Alert, alert_id) else 404, f"alert {alert_id} is not open")
    config = getattr(request.app.state, "config", None)
    if config is not None and config.alerts.webhook is not None:
        queue_events(session, [event], now)
    row = session.get(models.Alert, alert_id)
    assert row is not None
    return _out(row, Names(session, app_calendar(request)), shown)


class CloseIn(BaseModel):
    note: str = Field(default="", max_length=500, description="Why (复工已核实, 批准停工...)")


@router.post("/api/alerts/{alert_id}/close", response_model=AlertOut)
def close_by_hand(
    alert_id: RowId,
    body: CloseIn,
    session: SessionDep,
    request: Request,
    user: Annotated[models.User, Depends(require(Role.operator))],
    shown: ShownDep,
) -> AlertOut:
    """Close an alert by an operator's word (operators and admins), with a note. An idle alert so closed does
    not open again until work is seen and the site stops again; the webhook (if any) is told."""
    now = app_now(request)
    event = close(session, alert_id, user.display_name or user.username, now, body.note.strip())
    if event is None:
        raise HTTPException(409 if session.get(models.Alert, alert_id) else 404, f"alert {alert_id} is not open")
    config = getattr(request.app.state, "config", None)
    if config is not None and config.alerts.webhook is not None:
        queue_events(session, [event], now)
    row = session.get(models.Alert, alert_id)
    assert row is not None
    return _out(row, Names(session, app_calendar(request)), shown)
