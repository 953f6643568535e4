from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Literal

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import FileResponse
from pydantic import BaseModel

from api.deps import SessionDep
from api.params import Day
from api.shown import ShownDep
from monitor.delivery import repository as outbox_rows

router = APIRouter(tags=["exports"])
Topic = Literal["assessment", "alert"]
State = Literal["pending", "delivered", "failed"]
MEDIA = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
}


class DeliveryOut(BaseModel):
    topic: str
    key: str
    site_id: str | None
    day: dt.date | None
    alert_id: int | None
    state: str
    revision: int
    attempts: int
    last_error: str
    next_attempt_at: dt.datetime
    delivered_at: dt.datetime | None


@router.get("/api/exports/{day}/{fmt}", response_class=FileResponse)
def download(day: Day, fmt: Literal["xlsx", "csv", "json"], request: Request) -> FileResponse:
    """The day's assessment (评估表) as a workbook, CSV or JSON."""
    folder: Path | None = request.app.state.export_folder
    path = (folder / f"assessment-{day.isoformat()}.{fmt}") if folder else None
    if path is None or not path.is_file():
        raise HTTPException(404, f"no assessment for {day} yet (sitemon export --date {day})")
    return FileResponse(path, media_type=MEDIA[fmt], filename=path.name)


@router.get("/api/deliveries", response_model=list[DeliveryOut])
def deliveries(
    session: SessionDep,
    shown: ShownDep,
    day: Annotated[Day | None, Query()] = None,
    topic: Annotated[Topic, Query()] = "assessment",
    state: Annotated[State | None, Query()] = None,
) -> list[DeliveryOut]:
    """The outbox: the daily records for the scheduling system (``topic=assessment``, the default) or the
    alert events for the webhook (``topic=alert``): pending, delivered or failed (given up after
    ``max_attempts``), attempts, last error."""
    return [
        DeliveryOut(
            topic=r.topic,
            key=r.key,
            site_id=r.site_id,
            day=r.day,
            alert_id=r.alert_id,
            state=r.state,
            revision=r.revision,
            attempts=r.attempts,
            last_error=shown(r.last_error),
            next_attempt_at=r.next_attempt_at,
            delivered_at=r.delivered_at,
        )
        for r in outbox_rows.deliveries(session, topic, day, state, limit=2000)
    ]
