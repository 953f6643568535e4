"""The day as a time-lapse: a site's snapshots of one day as a short MP4, to play on the site page or keep."""

from __future__ import annotations

import datetime as dt
import threading
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import FileResponse
from sqlalchemy.orm import Session

from api.auth import UserDep
from api.deps import SessionDep, SnapshotRootDep, app_calendar, app_now
from api.params import Day, refuse_future
from monitor.assignments.units import unit_of
from monitor.export import repository
from monitor.export.timelapse import timelapse_for

router = APIRouter(tags=["sites"])
_making = threading.Lock()  # one video made at a time: encoding takes a CPU core for a few seconds


def _made(session: Session, root: Path, site_id: str, day: dt.date, request: Request, now: dt.datetime) -> Path | None:
    with _making:
        return timelapse_for(session, root, site_id, day, app_calendar(request), now)


@router.get(
    "/api/sites/{site_id}/timelapse",
    response_class=FileResponse,
    responses={200: {"content": {"video/mp4": {}}}, 404: {"description": "no such site, or no snapshot that day"}},
)
def site_timelapse(
    site_id: str,
    request: Request,
    session: SessionDep,
    root: SnapshotRootDep,
    user: UserDep,
    day: Annotated[Day | None, Query(description="local day, YYYY-MM-DD (default: today)")] = None,
) -> FileResponse:
    """The site's snapshots of ``day`` (camera by camera, in time order) as an MP4 (H.264), made once per
    finished day and again for today whenever a new snapshot came in. A responsible unit's user gets only its
    own sites."""
    now = app_now(request)
    today = app_calendar(request).day_of(now)
    day = day or today
    refuse_future(day, today, ("query", "day"))
    site = repository.site(session, site_id)
    mine = unit_of(session, user)
    if site is None or (mine is not None and (not mine or site.responsible_unit != mine)):
        raise HTTPException(404, f"site {site_id!r} does not exist")
    path = _made(session, root, site_id, day, request, now)  # a plain def: FastAPI runs it in a worker thread
    if path is None:
        raise HTTPException(404, f"site {site_id!r} has no snapshots on {day.isoformat()}")
    return FileResponse(
        path,
        media_type="video/mp4",
        filename=f"{site_id}-{day.isoformat()}.mp4",
        headers={"Cache-Control": "private, max-age=60"},
    )
