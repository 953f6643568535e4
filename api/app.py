"""create_app: the FastAPI application for one database and snapshot folder."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from sqlalchemy.orm import Session, sessionmaker

from api.routers import exports, health, sites
from monitor import __version__


def create_app(sessions: sessionmaker[Session], snapshot_root: Path, export_folder: Path | None = None) -> FastAPI:
    app = FastAPI(
        title="sitemon",
        version=__version__,
        description="Construction progress monitor for the dispatch center: sites, cameras, samples.",
    )
    app.state.sessions = sessions
    app.state.snapshot_root = snapshot_root
    app.state.export_folder = export_folder
    app.include_router(health.router)
    app.include_router(sites.router)
    app.include_router(exports.router)
    return app
