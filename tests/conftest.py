"""Shared fixtures: real RTSP server, real PostgreSQL, databases on both backends."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Connection, Engine, event
from sqlalchemy.orm import Session, sessionmaker

from monitor.core.clock import Clock
from monitor.core.redact import forget_secrets
from monitor.store import make_engine, make_session_factory, migrate
from tests.fixtures.clock import ticking
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


@pytest.fixture
def cli_clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    """The CLI's one wall clock (``monitor/cli/common.py`` ``CLOCK``) pinned to the tests' NOW, running at real
    speed: a command run in-process (``main([...])``) lives on the tests' date."""
    clock = ticking()
    monkeypatch.setattr("monitor.cli.common.CLOCK", clock)
    return clock


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
def backend(request: pytest.FixtureRequest) -> str:
    """Each database test runs on both: SQLite and the local PostgreSQL server."""
    return str(request.param)


@pytest.fixture
def db_url(backend: str, tmp_path: Path) -> Iterator[str]:
    """A database of the test's own, empty: SQLite in a temp folder, or a new PostgreSQL database. For tests
    that need a real, separate database (outages, other processes, several connections at once)."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'sitemon.db'}"
    else:
        with postgres_database() as url:
            yield url


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    """``db_url`` migrated."""
    engine = make_engine(db_url)
    migrate(engine)
    yield engine
    engine.dispose()


def _sqlite_savepoints(engine: Engine) -> None:
    """pysqlite begins transactions by itself, late, and so breaks SAVEPOINT: let SQLAlchemy say BEGIN."""

    @event.listens_for(engine, "connect")
    def _no_implicit_begin(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None

    @event.listens_for(engine, "begin")
    def _begin(connection: Connection) -> None:
        connection.exec_driver_sql("BEGIN")


@pytest.fixture(scope="session")
def _schema_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """One SQLite database migrated once for the session's transactional tests."""
    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('schema') / 'sitemon.db'}")
    _sqlite_savepoints(engine)
    migrate(engine)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def _schema_postgres() -> Iterator[Engine]:
    """One PostgreSQL database migrated once for the session's transactional tests."""
    with postgres_database() as url:
        engine = make_engine(url)
        migrate(engine)
        yield engine
        engine.dispose()


@pytest.fixture
def sessions(request: pytest.FixtureRequest, backend: str) -> Iterator[sessionmaker[Session]]:
    """Sessions on a migrated database. A test that only needs the schema runs inside one transaction that
    is rolled back at its end (SQLAlchemy's "join a session into an external transaction": every commit
    of the code under test releases a savepoint), on a database migrated once per session; a test that
    also asks for ``engine`` or ``db_url`` gets sessions on that database of its own instead."""
    if {"engine", "db_url"} & set(request.fixturenames):
        yield make_session_factory(request.getfixturevalue("engine"))
        return
    schema: Engine = request.getfixturevalue(f"_schema_{backend}")
    with schema.connect() as connection:
        outer = connection.begin()
        try:
            yield sessionmaker(connection, expire_on_commit=False, join_transaction_mode="create_savepoint")
        finally:
            outer.rollback()


@pytest.fixture(scope="session")
def coco_model_path() -> Path:
    if not COCO_MODEL.is_dir():
        pytest.fail(f"shared model missing: {COCO_MODEL}")
    return COCO_MODEL
