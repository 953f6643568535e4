"""The dispatch center's wall screen (大屏, ``/wall``) and the one figure it needs that no other endpoint
gives: the red list, sites idle or without video day after day."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import FileResponse
from pydantic import BaseModel

from api.deps import SessionDep, local_today
from monitor.scoring.red_list import LOOK_BACK_DAYS, current_red_runs
from monitor.scoring.runs import longest
from monitor.store import sites

router = APIRouter(tags=["dispatch"])
page = APIRouter()
STATIC = Path(__file__).resolve().parents[1] / "static"


class RunOut(BaseModel):
    status: str
    """idle or camera_outage"""
    since: dt.date
    until: dt.date
    days: int
    """Judged days in a row in this status (days off do not break the run)."""


class RedListOut(BaseModel):
    site_id: str
    name: str
    district: str
    responsible_unit: str
    status: str
    """The latest judged day's status: idle or camera_outage."""
    since: dt.date
    """The first day of the current run (of that status alone)."""
    days: int
    """Judged days in a row in the current status."""
    runs: list[RunOut]
    """The current stretch of idle and outage runs, newest first: each status counts its own run."""
    longest: int
    """The longest run of the stretch: what puts the site on the list."""


@router.get("/api/red-list", response_model=list[RedListOut])
def red_list(
    session: SessionDep,
    request: Request,
    days: Annotated[int, Query(ge=1, le=LOOK_BACK_DAYS, description="at least this many days in a row")] = 3,
) -> list[RedListOut]:
    """Sites idle (停工) or without video (视频中断) for ``days`` judged days or more in a row (each status its
    own run), up to today; the longest first."""
    today = local_today(request)
    stretches = current_red_runs(session, today)
    listed = {s: r for s, r in stretches.items() if longest(r) >= days}
    red_sites = sites.active_sites(session, among=listed)
    out = [
        RedListOut(
            site_id=site.id,
            name=site.name,
            district=site.district,
            responsible_unit=site.responsible_unit,
            status=listed[site.id][0].status,
            since=listed[site.id][0].since,
            days=listed[site.id][0].days,
            runs=[RunOut(status=r.status, since=r.since, until=r.until, days=r.days) for r in listed[site.id]],
            longest=longest(listed[site.id]),
        )
        for site in red_sites
    ]
    return sorted(out, key=lambda r: (-r.longest, -r.days, r.site_id))


@page.get("/wall", include_in_schema=False)
def wall() -> FileResponse:
    """The wall screen's page (its data comes from the API, behind the login, as the dashboard's does)."""
    return FileResponse(STATIC / "wall.html", media_type="text/html")
