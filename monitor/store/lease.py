"""A lease in the database: whoever holds it runs the deployment's scheduled jobs; others stand by."""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

from sqlalchemy import CursorResult, delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from monitor.store import models

log = logging.getLogger(__name__)


def _pid_namespace() -> str:
    """This process's PID namespace (Linux), so that a pid is only ever judged in the namespace it names."""
    try:
        return os.readlink("/proc/self/ns/pid").removeprefix("pid:[").removesuffix("]")
    except OSError:
        return ""


def holder_id() -> str:
    """``host:pid:random:pid-namespace``: whose lease it is, and enough to tell on this host whether that
    process still runs."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}:{_pid_namespace()}"


def _running(pid: int) -> bool:
    """The process exists and is no zombie (killed, not yet reaped by its parent)."""
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process: it runs
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return True  # cannot tell: as if it ran
    return state not in ("Z", "X")


def holder_gone(holder: str) -> bool:
    """True only when ``holder`` is a process of this host and PID namespace that no longer runs (killed, or
    crashed). A holder elsewhere, of an older form, or whose pid runs (perhaps reused) is not gone: its lease
    runs out by itself."""
    parts = holder.split(":")
    if len(parts) != 4:
        return False
    host, pid, _, namespace = parts
    if host != socket.gethostname() or not namespace or namespace != _pid_namespace() or not pid.isdigit():
        return False
    return not _running(int(pid))


def acquire(
    session: Session,
    name: str,
    holder: str,
    ttl: dt.timedelta,
    now: dt.datetime,
    gone: Callable[[str], bool] = holder_gone,
) -> bool:
    """Take or renew the lease; True if ``holder`` holds it until ``now + ttl``. A lease whose holder is
    ``gone`` (a dead process of this host) is taken at once instead of when it runs out.

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
    current = holder_of(session, name)
    if current is not None:
        if current != holder and gone(current):
            taken = session.execute(
                update(models.Lease)
                .where(models.Lease.name == name, models.Lease.holder == current)
                .values(holder=holder, expires_at=until)
            )
            if cast("CursorResult[Any]", taken).rowcount:
                session.commit()
                log.warning("scheduler lease %s taken from %s at once: that process is gone", name, current)
                return True
        session.rollback()
        return False
    try:
        session.add(models.Lease(name=name, holder=holder, expires_at=until))
        session.commit()
    except IntegrityError:
        session.rollback()
        return False
    return True


def holder_of(session: Session, name: str) -> str | None:
    """Who holds the lease ``name`` now, as stored (None when nobody has taken it, or it was released)."""
    return session.scalars(select(models.Lease.holder).where(models.Lease.name == name)).first()


def release(session: Session, name: str, holder: str) -> None:
    session.execute(delete(models.Lease).where(models.Lease.name == name, models.Lease.holder == holder))
    session.commit()
