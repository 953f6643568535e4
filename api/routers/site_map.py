"""项目一张图: every site in service on one map, coloured by today's state, over the county boundaries the
deployer supplied (their fill: the county's average score today, or its start rate), with an optional base
map. A unit's user sees its own sites only."""

from __future__ import annotations

import functools
import logging
from pathlib import Path
from typing import Any

from fastapi import APIRouter, HTTPException, Request, Response
from fastapi.responses import FileResponse
from pydantic import BaseModel, Field

from api.auth import UserDep
from api.deps import SessionDep, local_today
from api.tiles import TileError, TileFetcher
from monitor.assignments.units import unit_of
from monitor.config import AppConfig
from monitor.config.map import TileCrs, load_boundaries
from monitor.core.geo import County, convert_geometry, read_boundaries, to_gcj02
from monitor.milestones.rates import start_rates
from monitor.store.milestones import site_dates
from monitor.store.places import Place, places

router = APIRouter(tags=["dispatch"])
page = APIRouter()
log = logging.getLogger(__name__)
PROXIED_TILES = "/api/map/tiles/{z}/{x}/{y}"
"""Where the page reads a keyed tile source's tiles: this server fetches them, the key stays here."""
STATIC = Path(__file__).resolve().parents[1] / "static"


class TilesOut(BaseModel):
    url: str
    attribution: str
    max_zoom: int
    crs: str = Field(description="wgs84 or gcj02: the positions below are already in it")


class MapSiteOut(BaseModel):
    site_id: str
    name: str
    district: str
    batch: str = Field(description="The batch today")
    status: str | None = Field(description="Today's status (null: no score yet)")
    score: float | None
    camera_status: str | None = Field(description="The first camera not online: its status")
    camera_cause: str | None = Field(description="... and why (the catalogue's cause)")
    alert: str | None = Field(description="The newest open alert's type")
    longitude: float
    latitude: float


class CountyOut(BaseModel):
    name: str
    sites: int
    average_score: float | None = Field(description="Today's average of the county's scored sites")
    start_rate: float | None = Field(description="The start rate of its signed projects this month")


class MapOut(BaseModel):
    tiles: TilesOut | None = Field(description="The base map; null: boundaries alone (offline)")
    boundaries: dict[str, Any] | None = Field(
        description="GeoJSON FeatureCollection of the counties (properties.name), in the tiles' coordinates"
    )
    counties: list[CountyOut]
    sites: list[MapSiteOut]
    unplaced: list[str] = Field(description="Names of the sites without coordinates")


@functools.lru_cache(maxsize=4)
def _counties(path: str, mtime_ns: int) -> tuple[County, ...]:
    return read_boundaries(load_boundaries(Path(path)))


def _boundaries(config: AppConfig | None) -> tuple[County, ...]:
    if config is None or config.map.boundaries is None:
        return ()
    path = Path(config.map.boundaries)
    return _counties(str(path), path.stat().st_mtime_ns)  # checked at start-up; read again when it changes


def _county_rows(shown: list[Place], counties: tuple[County, ...], rates: dict[str, float | None]) -> list[CountyOut]:
    names = [c.name for c in counties] + sorted({p.district for p in shown} - {c.name for c in counties})
    out = []
    for name in names:
        mine = [p for p in shown if p.district == name]
        scores = [p.score for p in mine if p.score is not None]
        average = round(sum(scores) / len(scores), 1) if scores else None
        out.append(CountyOut(name=name, sites=len(mine), average_score=average, start_rate=rates.get(name)))
    return out


@router.get("/api/map", response_model=MapOut)
def site_map(session: SessionDep, request: Request, user: UserDep) -> MapOut:
    """The sites with coordinates and their state today, the county boundaries with each county's average
    score and start rate, and the base map if one is configured (a unit's user: its own sites only)."""
    config: AppConfig | None = request.app.state.config
    today = local_today(request)
    unit = unit_of(session, user)
    shown = places(session, today, unit)
    visible = {p.site_id for p in shown}
    dates = [d for d in site_dates(session) if d.site_id in visible]
    rates = {r.group: r.rate for r in start_rates(dates, today.replace(day=1), today)}
    tiles = None
    if config is not None and config.map.tile_url:
        tiles = TilesOut(
            url=PROXIED_TILES if config.map.tiles_proxied else config.map.tile_url,
            attribution=config.map.tile_attribution,
            max_zoom=config.map.max_zoom,
            crs=config.map.tile_crs.value,
        )
    gcj02 = tiles is not None and tiles.crs == TileCrs.gcj02.value

    def place(lon: float, lat: float) -> tuple[float, float]:
        return to_gcj02(lon, lat) if gcj02 else (lon, lat)

    counties = _boundaries(config)
    districts = {p.district for p in shown}
    # a unit sees the counties of its own sites; the dispatch center every county of the file
    drawn = [c for c in counties if unit is None or c.name in districts]
    boundaries = (
        {
            "type": "FeatureCollection",
            "features": [
                {"type": "Feature", "properties": {"name": c.name}, "geometry": convert_geometry(c.geometry, gcj02)}
                for c in drawn
            ],
        }
        if drawn
        else None
    )
    sites = []
    for p in shown:
        if p.longitude is None or p.latitude is None:
            continue
        lon, lat = place(p.longitude, p.latitude)
        sites.append(
            MapSiteOut(
                site_id=p.site_id,
                name=p.name,
                district=p.district,
                batch=p.batch,
                status=p.status,
                score=p.score,
                camera_status=p.camera_status,
                camera_cause=p.camera_cause,
                alert=p.alert,
                longitude=round(lon, 6),
                latitude=round(lat, 6),
            )
        )
    return MapOut(
        tiles=tiles,
        boundaries=boundaries,
        counties=_county_rows(shown, tuple(drawn), rates),
        sites=sites,
        unplaced=[p.name for p in shown if p.longitude is None or p.latitude is None],
    )


@page.get("/map", include_in_schema=False)
def map_page() -> FileResponse:
    """The map page (``?wall=1``: the wall's 1920x1080 map); its data comes from the API, behind the login."""
    return FileResponse(STATIC / "map.html", media_type="text/html")


@router.get("/api/map/tiles/{z}/{x}/{y}", response_class=Response)
def tile(z: int, x: int, y: int, request: Request, _user: UserDep) -> Response:
    """A base-map tile of a keyed source (``map.tile_key``), fetched by this server so that no browser sees
    the key; 404 without such a source or outside the tile grid, 502 when the source gives no picture."""
    fetcher: TileFetcher | None = request.app.state.tiles
    if fetcher is None or not fetcher.in_range(z, x, y):
        raise HTTPException(404, "no such tile")
    try:
        got = fetcher.tile(z, x, y)
    except TileError as exc:
        log.warning("base map tile %d/%d/%d: %s", z, x, y, exc)
        raise HTTPException(502, f"tile {z}/{x}/{y}: {exc}") from None
    return Response(got.content, media_type=got.media_type, headers={"Cache-Control": "private, max-age=86400"})
