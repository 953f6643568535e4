"""Why the database does not take writes, told apart and shared with the writer, the lease, health and metrics.

"Cannot write" (read-only, disk full, file deleted, unreachable) is a fault of the storage, not a reason to
stop sampling: the writer holds the samples and the process keeps the scheduler until writes succeed again.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

from monitor.core.clock import Clock
from monitor.core.redact import redact_text

log = logging.getLogger(__name__)


class StorageFault(StrEnum):
    read_only = "read_only"
    disk_full = "disk_full"
    file_missing = "file_missing"
    unavailable = "unavailable"


FAULT_TEXT: dict[StorageFault, str] = {
    StorageFault.read_only: "the database is read-only",
    StorageFault.disk_full: "the database's disk is full",
    StorageFault.file_missing: "the database file is missing (deleted under the running process?)",
    StorageFault.unavailable: "the database cannot be reached",
}

MISSING_FILE_TEXT = "database file is missing"
"""The message of the error the SQLite engine raises instead of creating a new, empty file (see db.py)."""

_SQLSTATE: dict[str, StorageFault] = {
    "25006": StorageFault.read_only,  # read_only_sql_transaction
    "53100": StorageFault.disk_full,  # disk_full
    "53200": StorageFault.disk_full,  # out_of_memory: no better home
}
_SQLITE: dict[str, StorageFault] = {
    "SQLITE_READONLY": StorageFault.read_only,
    "SQLITE_FULL": StorageFault.disk_full,
}


def fault_of(exc: BaseException) -> StorageFault | None:
    """The storage fault behind a database error; None for an error that is not about storage (a bug)."""
    if not isinstance(exc, DBAPIError):
        return None
    orig = exc.orig
    state = getattr(orig, "sqlstate", None)
    if isinstance(state, str) and state in _SQLSTATE:
        return _SQLSTATE[state]
    name = getattr(orig, "sqlite_errorname", "")
    for prefix, fault in _SQLITE.items():
        if isinstance(name, str) and name.startswith(prefix):
            return fault
    text = str(orig).lower()
    if MISSING_FILE_TEXT in text:
        return StorageFault.file_missing
    if "readonly database" in text or "read-only" in text:
        return StorageFault.read_only
    if "disk is full" in text or "no space left" in text:
        return StorageFault.disk_full
    if isinstance(exc, OperationalError | InterfaceError) or exc.connection_invalidated:
        return StorageFault.unavailable
    return None


@dataclass(frozen=True)
class StorageState:
    writable: bool
    fault: StorageFault | None = None
    reason: str = ""
    since: dt.datetime | None = None
    samples_held: int = 0
    samples_dropped: int = 0


class StorageHealth:
    """Thread-safe: the last word of whoever wrote to the database, and how many samples wait in memory."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._state = StorageState(writable=True)

    def failed(self, fault: StorageFault, exc: BaseException, what: str) -> None:
        detail = redact_text(str(getattr(exc, "orig", None) or exc).strip().splitlines()[0])
        reason = f"{FAULT_TEXT[fault]}: {detail}"
        with self._lock:
            old = self._state
            since = old.since if old.fault is fault else self._clock()
            self._state = StorageState(False, fault, reason, since, old.samples_held, old.samples_dropped)
        if old.fault is not fault:
            log.error("database does not take writes (%s): %s", what, reason)

    def succeeded(self) -> None:
        with self._lock:
            old = self._state
            if old.writable:
                return
            self._state = StorageState(True, samples_held=old.samples_held, samples_dropped=old.samples_dropped)
        log.info("database takes writes again (%s since %s)", old.fault, old.since)

    def held(self, pending: int, dropped: int = 0) -> None:
        with self._lock:
            old = self._state
            self._state = StorageState(
                old.writable, old.fault, old.reason, old.since, pending, old.samples_dropped + dropped
            )

    @property
    def state(self) -> StorageState:
        with self._lock:
            return self._state
