"""Shared FastAPI dependencies."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session


def get_session(request: Request) -> Iterator[Session]:
    with request.app.state.sessions() as session:
        yield session


def get_snapshot_root(request: Request) -> Path:
    root: Path = request.app.state.snapshot_root
    return root


SessionDep = Annotated[Session, Depends(get_session)]
SnapshotRootDep = Annotated[Path, Depends(get_snapshot_root)]
