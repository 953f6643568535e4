from __future__ import annotations

import logging

from fastapi import APIRouter, Response
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from api.deps import SessionDep
from api.schemas import HealthOut
from monitor import __version__

log = logging.getLogger(__name__)
router = APIRouter(tags=["health"])


@router.get("/api/health", response_model=HealthOut)
def health(session: SessionDep, response: Response) -> HealthOut:
    try:
        session.execute(text("SELECT 1"))
        database = "ok"
    except SQLAlchemyError as exc:
        log.warning("health: database does not answer: %s", type(exc).__name__)
        database = "unavailable"
        response.status_code = 503
    return HealthOut(status="ok" if database == "ok" else "degraded", database=database, version=__version__)
