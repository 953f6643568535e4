"""create_app: the FastAPI application for one database and snapshot folder."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable
from pathlib import Path

from fastapi import Depends, FastAPI
from fastapi.staticfiles import StaticFiles
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from api import auth
from api.browser import SameOriginGuard, SecurityHeaders, tile_origin
from api.faults import storage_fault
from api.guards import BodyGuard, reject_nul
from api.live_feed import LiveFeed, StreamLimits
from api.login_guard import LoginGuard, LoginLimits
from api.metrics import app_registry
from api.routers import (
    admin,
    alerts,
    assignment_photos,
    assignments,
    compare,
    dispatch,
    docs,
    exports,
    health,
    live,
    milestones,
    progress,
    review,
    site_map,
    sites,
    timelapse,
    units,
    users,
    wall,
    wording,
)
from api.tiles import TileFetcher
from api.unicode_guard import reject_lone_surrogates
from monitor import __version__
from monitor.config import AppConfig, default_calendar
from monitor.config.api import ApiConfig
from monitor.core.calendar import Calendar
from monitor.core.clock import Clock


@contextlib.asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """The live feed polls while the app runs; the tile source's connections close with it."""
    feed: LiveFeed = app.state.live_feed
    tiles: TileFetcher | None = app.state.tiles
    try:
        async with feed.running():
            yield
    finally:
        if tiles is not None:
            tiles.close()


def _browser_tile_url(config: AppConfig | None) -> str | None:
    """The tile URL the browser itself reads: none when this server fetches the tiles (a keyed source)."""
    if config is None or config.map.tiles_proxied:
        return None
    return config.map.tile_url


def create_app(
    sessions: sessionmaker[Session],
    snapshot_root: Path,
    export_folder: Path | None = None,
    calendar: Calendar | None = None,
    last_sweep_seconds: Callable[[], float | None] | None = None,
    config: AppConfig | None = None,
    login_limits: LoginLimits | None = None,
    *,
    clock: Clock,
) -> FastAPI:
    """The API and dashboard over one database. ``calendar``: the local days (default: the config's, else
    the default zone's); ``clock``: where every "now" of the API comes from (required: the CLI hands its
    one clock down, tests inject theirs)."""
    app = FastAPI(
        title="sitemon",
        version=__version__,
        description="Construction progress monitor for the dispatch center: sites, cameras, samples.",
        dependencies=[Depends(reject_nul), Depends(reject_lone_surrogates)],
        docs_url=None,  # served by the docs router, behind the login
        redoc_url=None,
        openapi_url=None,
        lifespan=lifespan,
    )
    # Each middleware wraps those added before it: the headers go on every response, and a cross-site POST
    # is refused before anything looks at its body.
    api_config = config.api if config is not None else ApiConfig()
    app.add_middleware(BodyGuard)
    app.add_middleware(SameOriginGuard, allowed_hosts=api_config.allowed_hosts)
    app.add_middleware(SecurityHeaders, tile_source=tile_origin(_browser_tile_url(config)))
    app.add_exception_handler(SQLAlchemyError, storage_fault)
    app.state.sessions = sessions
    app.state.snapshot_root = snapshot_root
    app.state.export_folder = export_folder
    app.state.calendar = calendar or (config.calendar if config is not None else default_calendar())
    app.state.last_sweep_seconds = last_sweep_seconds
    app.state.config = config
    app.state.tiles = TileFetcher(config.map) if config is not None and config.map.tiles_proxied else None
    app.state.clock = clock
    app.state.answer_cache = {}  # api/views.cached_json
    app.state.login_guard = LoginGuard(login_limits)
    app.state.live_feed = LiveFeed(
        sessions, clock, limits=StreamLimits(api_config.max_streams, api_config.max_streams_per_user)
    )
    app.state.metrics = app_registry(app.state)
    app.include_router(health.router)
    app.include_router(auth.router)
    # Every other endpoint needs a logged-in user; roles are checked per endpoint on top.
    private = [Depends(auth.current_user)]
    app.include_router(sites.router, dependencies=private)
    app.include_router(exports.router, dependencies=private)
    app.include_router(alerts.router, dependencies=private)
    app.include_router(dispatch.router, dependencies=private)
    app.include_router(milestones.router, dependencies=private)
    app.include_router(progress.router, dependencies=private)
    app.include_router(assignments.router, dependencies=private)
    app.include_router(assignment_photos.router, dependencies=private)
    app.include_router(units.router, dependencies=private)
    app.include_router(review.router, dependencies=private)
    app.include_router(live.router)  # logs in by itself: a stream must not hold a database session
    app.include_router(live.metrics_router, dependencies=private)
    app.include_router(admin.router, dependencies=private)
    app.include_router(users.router, dependencies=private)
    app.include_router(docs.router, dependencies=private)
    app.include_router(timelapse.router, dependencies=private)
    app.include_router(wall.router, dependencies=private)
    app.include_router(wording.router, dependencies=private)
    app.include_router(site_map.router, dependencies=private)
    app.include_router(compare.router, dependencies=private)
    app.include_router(wall.page)  # the page itself; its data needs the login
    app.include_router(site_map.page)
    app.mount("/", StaticFiles(directory=Path(__file__).parent / "static", html=True), name="dashboard")
    return app
