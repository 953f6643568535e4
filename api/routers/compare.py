"""周期对比: the same camera on two days side by side — each day's evidence snapshot (chosen by one rule), its
score, and where the structure zone changed between them (the dispatch center's roles; not a unit's)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import cv2
from fastapi import APIRouter, HTTPException, Query, Request, Response
from pydantic import BaseModel, Field

from api.deps import SessionDep, local_today
from api.params import Day, refuse_future
from monitor.config import AppConfig, SiteConfig
from monitor.sampling.structure import change_map, change_picture, zone_mask
from monitor.store.comparison import DayPicture, camera_pk, day_picture, structure_pictures

router = APIRouter(tags=["sites"])
DEFAULT_WEEKS = 4


class DayOut(BaseModel):
    day: dt.date
    score: float | None
    status: str | None = Field(description="The site's status that day (null: not scored)")
    snapshot_url: str | None
    captured_at: dt.datetime | None
    rule: str = Field(
        description="clearest: the day's clearest daylight picture of the structure zone; fixed_hour: the "
        "snapshot nearest 10:00; none: no snapshot that day"
    )


class ChangeOut(BaseModel):
    share: float = Field(description="Share of the structure zone whose edges appeared or vanished")
    url: str = Field(description="The change map (PNG): new edges orange, vanished edges blue")


class CameraChoice(BaseModel):
    id: str
    name: str
    structure_zone: bool


class ComparisonOut(BaseModel):
    site_id: str
    camera_id: str
    cameras: list[CameraChoice]
    before: DayOut
    after: DayOut
    change: ChangeOut | None = Field(description="null: no structure zone, or a day without its reference picture")


def _site(request: Request, site_id: str) -> tuple[AppConfig, SiteConfig]:
    config: AppConfig | None = request.app.state.config
    site = next((s for s in config.sites if s.id == site_id), None) if config is not None else None
    if config is None or site is None:
        raise HTTPException(404, f"no site '{site_id}'")
    return config, site


def _days(request: Request, before: dt.date | None, after: dt.date | None) -> tuple[dt.date, dt.date]:
    today = local_today(request)
    after = after or today
    before = before or after - dt.timedelta(weeks=DEFAULT_WEEKS)
    refuse_future(after, today, ("query", "after"))
    if before >= after:
        raise HTTPException(422, "before must be a day before after")
    return before, after


def _out(picture: DayPicture) -> DayOut:
    return DayOut(
        day=picture.day,
        score=picture.score,
        status=picture.status,
        snapshot_url=f"/api/samples/{picture.sample_id}/snapshot" if picture.sample_id else None,
        captured_at=picture.captured_at,
        rule=picture.rule,
    )


@router.get("/api/sites/{site_id}/compare", response_model=ComparisonOut)
def compare(
    site_id: str,
    session: SessionDep,
    request: Request,
    camera: Annotated[str | None, Query(max_length=64, description="default: the first camera")] = None,
    before: Annotated[Day | None, Query(description="default: four weeks before `after`")] = None,
    after: Annotated[Day | None, Query(description="default: today")] = None,
) -> ComparisonOut:
    """One camera's evidence snapshots of two days, the site's score on each, and the structure change map
    between them (docs/api.md, 周期对比)."""
    config, site = _site(request, site_id)
    first, second = _days(request, before, after)
    chosen = next((c for c in site.cameras if c.id == (camera or site.cameras[0].id)), None)
    pk = camera_pk(session, site_id, chosen.id) if chosen else None
    if chosen is None or pk is None:
        raise HTTPException(404, f"no camera '{camera}' at site '{site_id}'")
    share = None
    zone = chosen.zones.structure
    pair = structure_pictures(session, pk, first, second) if zone is not None else None
    if zone is not None and pair is not None and pair[0].shape == pair[1].shape:
        mask = zone_mask(zone, pair[1].shape[:2])
        appeared, vanished = change_map(pair[0], pair[1], mask)
        share = round(float((appeared | vanished)[mask].mean()), 4) if mask.any() else 0.0
    query = f"camera={chosen.id}&before={first}&after={second}"
    return ComparisonOut(
        site_id=site_id,
        camera_id=chosen.id,
        cameras=[
            CameraChoice(id=c.id, name=c.name or c.id, structure_zone=c.zones.structure is not None)
            for c in site.cameras
        ],
        before=_out(day_picture(session, config.calendar, site_id, pk, first)),
        after=_out(day_picture(session, config.calendar, site_id, pk, second)),
        change=ChangeOut(share=share, url=f"/api/sites/{site_id}/compare/change.png?{query}")
        if share is not None
        else None,
    )


@router.get("/api/sites/{site_id}/compare/change.png", response_class=Response)
def change_png(
    site_id: str,
    session: SessionDep,
    request: Request,
    camera: Annotated[str, Query(max_length=64)],
    before: Annotated[Day, Query()],
    after: Annotated[Day, Query()],
) -> Response:
    """The structure zone on the later day, with the edges that appeared (orange) and vanished (blue)."""
    _, site = _site(request, site_id)
    first, second = _days(request, before, after)
    chosen = next((c for c in site.cameras if c.id == camera), None)
    pk = camera_pk(session, site_id, camera) if chosen else None
    zone = chosen.zones.structure if chosen else None
    pair = structure_pictures(session, pk, first, second) if pk is not None and zone is not None else None
    if zone is None or pair is None or pair[0].shape != pair[1].shape:
        raise HTTPException(404, "no structure reference picture of both days")
    picture = change_picture(pair[0], pair[1], zone_mask(zone, pair[1].shape[:2]))
    ok, data = cv2.imencode(".png", picture)
    if not ok:  # pragma: no cover - a BGR uint8 array always encodes
        raise HTTPException(500, "cannot encode the change map")
    return Response(data.tobytes(), media_type="image/png", headers={"Cache-Control": "private, max-age=3600"})
