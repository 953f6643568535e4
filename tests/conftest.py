"""Shared fixtures: real RTSP server, real PostgreSQL, databases on both backends."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from monitor.core.redact import forget_secrets
from monitor.store import make_engine, make_session_factory, migrate
from tests.fixtures.servers import (
    COCO_MODEL,
    SAMPLE_VIDEO,
    RtspServer,
    postgres_database,
    rtsp_server,
)

os.environ.setdefault("YOLO_OFFLINE", "1")

RTSP_MOUNTS = ("/cam1", "/cam2", "/cam3", "/cam4")


@pytest.fixture(autouse=True)
def _forget_secrets() -> Iterator[None]:
    """Secrets a test's configuration made known are scrubbed in that test only."""
    yield
    forget_secrets()


@pytest.fixture(scope="session")
def rtsp() -> Iterator[RtspServer]:
    """The sample CCTV footage served over RTSP under several mount points."""
    if not SAMPLE_VIDEO.is_file():
        pytest.fail(f"sample footage missing: {SAMPLE_VIDEO}")
    with rtsp_server({m: SAMPLE_VIDEO for m in RTSP_MOUNTS}) as server:
        yield server


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    """A fresh database on the local PostgreSQL server for this test session."""
    with postgres_database() as url:
        yield url


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A migrated, empty database: SQLite in a temp folder, or a new PostgreSQL database."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'sitemon.db'}"
    else:
        with postgres_database() as url:
            yield url


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    engine = make_engine(db_url)
    migrate(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def sessions(engine: Engine) -> sessionmaker[Session]:
    return make_session_factory(engine)


@pytest.fixture(scope="session")
def coco_model_path() -> Path:
    if not COCO_MODEL.is_dir():
        pytest.fail(f"shared model missing: {COCO_MODEL}")
    return COCO_MODEL
