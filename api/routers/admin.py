"""Admin actions: recompute a day's scores, write its assessment again, re-send its records."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request
from pydantic import BaseModel

from api.auth import require
from api.deps import SessionDep, app_now
from api.params import Day, refuse_future
from monitor.config import AppConfig
from monitor.daily import score_days
from monitor.export.job import export_day
from monitor.export.outbox import resend
from monitor.store import models
from monitor.users import Role

router = APIRouter(tags=["admin"])
Admin = Annotated[models.User, Depends(require(Role.admin))]


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
    config: AppConfig | None = request.app.state.config
    tz = config.tz if config is not None else request.app.state.tz  # the zone export_day counts days in
    refuse_future(day, app_now(request).astimezone(tz).date())


@router.post("/api/admin/days/{day}/rescore", response_model=ActionOut)
def rescore(day: Day, session: SessionDep, request: Request, _: Admin) -> ActionOut:
    """Recompute every site's score for ``day`` from its samples (idempotent). Days to come are a 422."""
    _happened(day, request)
    results = score_days(session, _config(request), [day], now=app_now(request))
    return ActionOut(day=day, done="rescored", count=len(results))


@router.post("/api/admin/days/{day}/export", response_model=ActionOut)
def export(day: Day, session: SessionDep, request: Request, _: Admin) -> ActionOut:
    """Write the day's workbook, CSV and JSON again and queue changed records for delivery. Days to come are
    a 422; today's files and records are marked partial until its working hours end."""
    _happened(day, request)
    files = export_day(session, _config(request), day, app_now(request))
    return ActionOut(day=day, done="exported", count=len(files))


@router.post("/api/admin/days/{day}/resend", response_model=ActionOut)
def resend_day(day: Day, session: SessionDep, request: Request, _: Admin) -> ActionOut:
    """Deliver the day's records to the scheduling system again. Days to come are a 422."""
    _happened(day, request)
    return ActionOut(day=day, done="queued", count=resend(session, day, app_now(request)))
