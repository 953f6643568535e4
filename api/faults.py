"""A database that does not take writes (a full disk, read-only, gone) answers 503 with the kind of fault, on
every endpoint: a login, an acknowledgement or an export is refused for now, not a server error (500)."""

from __future__ import annotations

import logging

from fastapi import Request
from fastapi.responses import JSONResponse, Response
from sqlalchemy.exc import SQLAlchemyError

from monitor.store.faults import FAULT_TEXT, fault_of

log = logging.getLogger(__name__)
RETRY_AFTER_SECONDS = 60


async def storage_fault(request: Request, exc: Exception) -> Response:
    """503 for a storage fault (the kind only: the driver's words, with paths and hosts, go to the log); any
    other database error is a bug, and stays a 500."""
    fault = fault_of(exc)
    if fault is None or not isinstance(exc, SQLAlchemyError):
        raise exc
    log.warning("%s %s: %s (%s)", request.method, request.url.path, FAULT_TEXT[fault], type(exc).__name__)
    detail = f"{FAULT_TEXT[fault]}; try again later"
    return JSONResponse({"detail": detail}, 503, headers={"Retry-After": str(RETRY_AFTER_SECONDS)})
