"""/api/health: whether the database answers and takes writes (api/metrics.py says the same to Prometheus)."""

from __future__ import annotations

import logging

from fastapi import APIRouter, Request, Response
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from api.deps import SessionDep, snapshot_state, storage_state
from api.schemas import HealthOut
from monitor import __version__
from monitor.sampling.snapshots import SNAPSHOT_FAULT_TEXT
from monitor.store.faults import FAULT_TEXT, StorageFault, fault_of

log = logging.getLogger(__name__)
router = APIRouter(tags=["health"])


@router.get("/api/health", response_model=HealthOut)
def health(session: SessionDep, request: Request, response: Response) -> HealthOut:
    """503 and status degraded when the database does not answer, does not take writes, or samples wait for it,
    or when this process's last snapshot could not be written (a full disk)."""
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
    snapshots = snapshot_state(request.app.state)
    snapshot_fault = snapshots.fault if snapshots is not None and not snapshots.writable else None
    degraded = fault is not None or held > 0 or snapshot_fault is not None
    if fault is None and held > 0:
        reason = f"{held} sample(s) held, waiting to be written"
    if not reason and snapshot_fault is not None:
        reason = SNAPSHOT_FAULT_TEXT.get(snapshot_fault, snapshot_fault)
    if degraded:
        response.status_code = 503
    return HealthOut(
        status="degraded" if degraded else "ok",
        database="ok" if fault is None else fault.value,
        reason=reason,
        samples_held=held,
        snapshots=snapshot_fault or "ok",
        version=__version__,
    )
