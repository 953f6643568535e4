from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from pydantic import BaseModel
from sqlalchemy import select

from api.auth import require
from api.deps import SessionDep, app_now
from api.params import RowId
from api.shown import ShownDep, TextFilter
from monitor.alerts.lifecycle import acknowledge
from monitor.alerts.outbox import queue_events
from monitor.store import models
from monitor.users import Role

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


def _out(row: models.Alert, cameras: dict[int, str], shown: TextFilter) -> AlertOut:
    return AlertOut(
        id=row.id,
        site_id=row.site_id,
        camera_id=cameras.get(row.camera_pk) if row.camera_pk else None,
        type=row.type,
        severity=row.severity,
        state=row.state,
        message=shown(row.message),
        opened_at=row.opened_at,
        acknowledged_at=row.acknowledged_at,
        acknowledged_by=row.acknowledged_by,
        resolved_at=row.resolved_at,
    )


@router.get("/api/alerts", response_model=list[AlertOut])
def list_alerts(
    session: SessionDep,
    shown: ShownDep,
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
    cameras = {pk: cid for pk, cid in session.execute(select(models.Camera.id, models.Camera.camera_id))}
    return [_out(r, cameras, shown) for r in session.scalars(query)]


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
    cameras = {pk: cid for pk, cid in session.execute(select(models.Camera.id, models.Camera.camera_id))}
    return _out(row, cameras, shown)
