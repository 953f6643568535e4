"""Admin actions: recompute a day's scores, write its assessment again, re-send its records, retry the outbox's
given-up messages."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from pydantic import BaseModel

from api.auth import require
from api.deps import ClockDep, SessionDep, app_now, local_today
from api.params import Day, refuse_future
from monitor.config import AppConfig
from monitor.delivery import outbox
from monitor.export.files import ExportWriteError
from monitor.export.job import export_day
from monitor.export.records import resend
from monitor.scoring.daily import score_days
from monitor.store.users import Role

# Every action here is the admin's.
router = APIRouter(tags=["admin"], dependencies=[Depends(require(Role.admin))])


class RetryOut(BaseModel):
    topic: str
    count: int


class ActionOut(BaseModel):
    day: dt.date
    done: str
    count: int


def _config(request: Request) -> AppConfig:
    config: AppConfig | None = request.app.state.config
    if config is None:
        raise HTTPException(503, "this server runs without a configuration (API only)")
    return config


def _happened(day: dt.date, request: Request) -> None:
    """Only days that have begun can be scored, written or sent; today is allowed (marked partial)."""
    refuse_future(day, local_today(request))  # the app's calendar: the config's when it has one


@router.post("/api/admin/days/{day}/rescore", response_model=ActionOut)
def rescore(day: Day, session: SessionDep, request: Request) -> ActionOut:
    """Recompute every site's score for ``day`` from its samples (idempotent). Days to come are a 422."""
    _happened(day, request)
    results = score_days(session, _config(request), [day], now=app_now(request))
    return ActionOut(day=day, done="rescored", count=len(results))


@router.post(
    "/api/admin/days/{day}/export",
    response_model=ActionOut,
    responses={503: {"description": "the export folder or the database cannot be written (a full disk)"}},
)
def export(day: Day, session: SessionDep, request: Request) -> ActionOut:
    """Write the day's workbook, CSV and JSON again and queue changed records for delivery. Days to come are
    a 422; today's files and records are marked partial until its working hours end."""
    _happened(day, request)
    try:
        files = export_day(session, _config(request), day, app_now(request))
    except ExportWriteError as exc:  # a full disk: nothing half-written is left, and the admin is told why
        raise HTTPException(503, f"the assessment files cannot be written: {exc.strerror}") from None
    return ActionOut(day=day, done="exported", count=len(files))


@router.post("/api/admin/days/{day}/resend", response_model=ActionOut)
def resend_day(day: Day, session: SessionDep, request: Request) -> ActionOut:
    """Deliver the day's records to the scheduling system again. Days to come are a 422."""
    _happened(day, request)
    return ActionOut(day=day, done="queued", count=resend(session, day, app_now(request)))


@router.post("/api/admin/deliveries/retry", response_model=RetryOut)
def retry_failed(
    session: SessionDep, clock: ClockDep, topic: Annotated[Literal["assessment", "alert"], Query()] = "alert"
) -> RetryOut:
    """Send the outbox's given-up messages of ``topic`` again (state failed: ``max_attempts`` tries failed);
    they go back to pending with a fresh count of attempts."""
    return RetryOut(topic=topic, count=outbox.retry(session, topic, clock()))
