"""Shared FastAPI dependencies."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request
from sqlalchemy.orm import Session
from starlette.requests import HTTPConnection

from monitor.config import AppConfig
from monitor.core.calendar import Calendar
from monitor.core.clock import Clock
from monitor.sampling.snapshots import SnapshotWrites, SnapshotWriteState
from monitor.store.faults import StorageHealth, StorageState


def get_session(request: Request) -> Iterator[Session]:
    with request.app.state.sessions() as session:
        yield session


def app_now(connection: HTTPConnection) -> dt.datetime:
    """Now, by the app's clock (``create_app(clock=...)``): the API never reads the wall clock itself."""
    clock: Clock = connection.app.state.clock
    return clock()


def app_calendar(connection: HTTPConnection) -> Calendar:
    """The deployment's calendar (the config's, or ``create_app(calendar=...)``): which local day, which
    period, what "local" means in the words the API writes."""
    calendar: Calendar = connection.app.state.calendar
    return calendar


def local_today(connection: HTTPConnection) -> dt.date:
    """Today, the local day by the app's clock and calendar."""
    return app_calendar(connection).day_of(app_now(connection))


def app_config(request: Request) -> AppConfig:
    """The deployment's configuration; a 503 when the API runs without one."""
    config: AppConfig | None = request.app.state.config
    if config is None:
        raise HTTPException(503, "this server runs without a configuration (API only; run with --config)")
    return config


def get_snapshot_root(request: Request) -> Path:
    root: Path = request.app.state.snapshot_root
    return root


def get_clock(request: Request) -> Clock:
    """The app's clock (``create_app(clock=...)``): every "now" of the API comes from it."""
    clock: Clock = request.app.state.clock
    return clock


SessionDep = Annotated[Session, Depends(get_session)]
SnapshotRootDep = Annotated[Path, Depends(get_snapshot_root)]
ClockDep = Annotated[Clock, Depends(get_clock)]
CalendarDep = Annotated[Calendar, Depends(app_calendar)]
TodayDep = Annotated[dt.date, Depends(local_today)]
ConfigDep = Annotated[AppConfig, Depends(app_config)]


def storage_state(state: Any) -> StorageState | None:
    """What the process's writer and scheduler lease last found (None when the API runs without them)."""
    storage = getattr(state, "storage", None)
    return storage.state if isinstance(storage, StorageHealth) else None


def snapshot_state(state: Any) -> SnapshotWriteState | None:
    """Whether this process's sweeps write their snapshots (None when the API runs without sampling)."""
    writes = getattr(state, "snapshot_writes", None)
    return writes.state if isinstance(writes, SnapshotWrites) else None
