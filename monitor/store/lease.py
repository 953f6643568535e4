"""A lease in the database: whoever holds it runs the deployment's scheduled jobs; others stand by."""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import uuid
from typing import Any, cast

from sqlalchemy import CursorResult, delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from monitor.store import models

log = logging.getLogger(__name__)


def holder_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def acquire(session: Session, name: str, holder: str, ttl: dt.timedelta, now: dt.datetime) -> bool:
    """Take or renew the lease; True if ``holder`` holds it until ``now + ttl``.

    One conditional UPDATE (or an INSERT racing on the primary key) decides: two processes can never
    both succeed.
    """
    until = now + ttl
    result = session.execute(
        update(models.Lease)
        .where(models.Lease.name == name, (models.Lease.holder == holder) | (models.Lease.expires_at < now))
        .values(holder=holder, expires_at=until)
    )
    if cast("CursorResult[Any]", result).rowcount:
        session.commit()
        return True
    if session.scalars(select(models.Lease.name).where(models.Lease.name == name)).first() is not None:
        session.rollback()
        return False
    try:
        session.add(models.Lease(name=name, holder=holder, expires_at=until))
        session.commit()
    except IntegrityError:
        session.rollback()
        return False
    return True


def release(session: Session, name: str, holder: str) -> None:
    session.execute(delete(models.Lease).where(models.Lease.name == name, models.Lease.holder == holder))
    session.commit()
