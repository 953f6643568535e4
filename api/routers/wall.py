"""The dispatch center's wall screen (大屏, ``/wall``) and the one figure it needs that no other endpoint
gives: the red list, sites idle or without video day after day."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import FileResponse
from pydantic import BaseModel
from sqlalchemy import select

from api.deps import SessionDep, app_now
from monitor.store import models

router = APIRouter(tags=["dispatch"])
page = APIRouter()
STATIC = Path(__file__).resolve().parents[1] / "static"
RED = frozenset({"idle", "camera_outage"})
NOT_COUNTED = frozenset({"not_expected", "not_started"})  # days off, before the working hours: no verdict
LOOK_BACK_DAYS = 60


class RedListOut(BaseModel):
    site_id: str
    name: str
    district: str
    responsible_unit: str
    status: str
    """The latest judged day's status: idle or camera_outage."""
    since: dt.date
    """The first day of the run."""
    days: int
    """Judged days in a row that were idle or without video (days off do not break the run)."""


@dataclass(frozen=True)
class Run:
    status: str
    since: dt.date
    days: int


def red_runs(rows: Iterable[tuple[str, dt.date, str]]) -> dict[str, Run]:
    """Each site's current run of idle or outage days: from its latest judged day back to the first day
    that was neither. ``rows``: (site, day, status), any order."""
    by_site: dict[str, list[tuple[dt.date, str]]] = {}
    for site_id, day, status in rows:
        by_site.setdefault(site_id, []).append((day, status))
    runs = {}
    for site_id, days in by_site.items():
        latest: str | None = None
        since: dt.date | None = None
        count = 0
        for day, status in sorted(days, reverse=True):
            if status in NOT_COUNTED:
                continue
            if status not in RED:
                break
            latest = latest or status
            since, count = day, count + 1
        if latest is not None and since is not None:
            runs[site_id] = Run(latest, since, count)
    return runs


@router.get("/api/red-list", response_model=list[RedListOut])
def red_list(
    session: SessionDep,
    request: Request,
    days: Annotated[int, Query(ge=1, le=LOOK_BACK_DAYS, description="at least this many days in a row")] = 3,
) -> list[RedListOut]:
    """Sites idle (停工) or without video (视频中断) for ``days`` judged days or more in a row, up to today;
    the longest first."""
    today = app_now(request).astimezone(request.app.state.tz).date()
    rows = session.execute(
        select(models.DailyScore.site_id, models.DailyScore.day, models.DailyScore.status).where(
            models.DailyScore.day > today - dt.timedelta(days=LOOK_BACK_DAYS), models.DailyScore.day <= today
        )
    )
    runs = {s: r for s, r in red_runs((s, d, st) for s, d, st in rows).items() if r.days >= days}
    sites = session.scalars(select(models.Site).where(models.Site.active, models.Site.id.in_(runs)))
    out = [
        RedListOut(
            site_id=site.id,
            name=site.name,
            district=site.district,
            responsible_unit=site.responsible_unit,
            status=runs[site.id].status,
            since=runs[site.id].since,
            days=runs[site.id].days,
        )
        for site in sites
    ]
    return sorted(out, key=lambda r: (-r.days, r.site_id))


@page.get("/wall", include_in_schema=False)
def wall() -> FileResponse:
    """The wall screen's page (its data comes from the API, behind the login, as the dashboard's does)."""
    return FileResponse(STATIC / "wall.html", media_type="text/html")
