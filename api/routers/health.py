"""/api/health, and the storage lines of /metrics: whether the database answers and takes writes."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import APIRouter, Request, Response
from prometheus_client import CollectorRegistry, Gauge
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from api.deps import SessionDep
from api.schemas import HealthOut
from monitor import __version__
from monitor.service.retention import SnapshotCleanup
from monitor.store.faults import FAULT_TEXT, StorageFault, StorageHealth, StorageState, fault_of

log = logging.getLogger(__name__)
router = APIRouter(tags=["health"])


def storage_state(state: Any) -> StorageState | None:
    """What the process's writer and scheduler lease last found (None when the API runs without them)."""
    storage = getattr(state, "storage", None)
    return storage.state if isinstance(storage, StorageHealth) else None


@router.get("/api/health", response_model=HealthOut)
def health(session: SessionDep, request: Request, response: Response) -> HealthOut:
    """503 and status degraded when the database does not answer, does not take writes, or samples wait for it."""
    fault: StorageFault | None = None
    reason = ""
    try:
        session.execute(text("SELECT 1"))
    except SQLAlchemyError as exc:
        log.warning("health: database does not answer: %s", type(exc).__name__)
        fault = fault_of(exc) or StorageFault.unavailable
        reason = FAULT_TEXT[fault]
    stored = storage_state(request.app.state)
    if fault is None and stored is not None and not stored.writable and stored.fault is not None:
        # Anyone may ask (no login): the kind of fault only; the driver's words (paths, hosts) go to the log.
        fault, reason = stored.fault, FAULT_TEXT[stored.fault]
    held = stored.samples_held if stored is not None else 0
    degraded = fault is not None or held > 0
    if fault is None and held > 0:
        reason = f"{held} sample(s) held, waiting to be written"
    if degraded:
        response.status_code = 503
    return HealthOut(
        status="degraded" if degraded else "ok",
        database="ok" if fault is None else fault.value,
        reason=reason,
        samples_held=held,
        version=__version__,
    )


def add_storage_metrics(registry: CollectorRegistry, state: Any) -> None:
    """Whether the database takes writes, the samples held for it, and the snapshot clean-up."""
    stored = storage_state(state)
    if stored is not None:
        writable = Gauge(
            "sitemon_database_writable",
            "1 while the database takes writes; 0 with the fault as a label",
            ["fault"],
            registry=registry,
        )
        writable.labels(stored.fault.value if stored.fault else "").set(1 if stored.writable else 0)
        Gauge("sitemon_samples_held", "Samples held in memory for the database", registry=registry).set(
            stored.samples_held
        )
        Gauge("sitemon_samples_dropped_total", "Held samples dropped over the cap since start", registry=registry).set(
            stored.samples_dropped
        )
    cleanup = getattr(state, "snapshot_cleanup", None)
    if isinstance(cleanup, SnapshotCleanup) and cleanup.last_run_at is not None:
        Gauge(
            "sitemon_snapshot_files_removed_total",
            "Snapshot files removed by the clean-up since start",
            registry=registry,
        ).set(cleanup.files_removed)
        Gauge(
            "sitemon_snapshot_bytes_freed_total", "Bytes freed by the snapshot clean-up since start", registry=registry
        ).set(cleanup.bytes_freed)
        Gauge("sitemon_snapshot_bytes", "Bytes in the snapshot folder after the last clean-up", registry=registry).set(
            cleanup.bytes_used or 0
        )
        Gauge(
            "sitemon_snapshot_over_budget", "1 when evidence and recent days alone exceed the budget", registry=registry
        ).set(1 if cleanup.over_budget else 0)
        Gauge(
            "sitemon_snapshot_cleanup_timestamp_seconds", "When the snapshot clean-up last ran", registry=registry
        ).set(cleanup.last_run_at.timestamp())
