"""Shared FastAPI dependencies."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session
from starlette.requests import HTTPConnection

from monitor.core.clock import Clock


def get_session(request: Request) -> Iterator[Session]:
    with request.app.state.sessions() as session:
        yield session


def app_now(connection: HTTPConnection) -> dt.datetime:
    """Now, by the app's clock (``create_app(clock=...)``): the API never reads the wall clock itself."""
    clock: Clock = connection.app.state.clock
    return clock()


def app_tz(connection: HTTPConnection) -> dt.tzinfo:
    """The dispatch center's time zone (the config's): what "local" means in the words the API writes."""
    tz: dt.tzinfo = connection.app.state.tz
    return tz


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
