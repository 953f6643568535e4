"""The catalogue of wordings for the browser (``monitor.core.wording``), with the app's own "now": the
dashboard and the wall keep no words of their own, and date every time that is not today by the server's day
in the deployment's time zone (not the browser's clock)."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from api.deps import app_calendar, app_now
from monitor.core.wording import catalogue

router = APIRouter(tags=["wording"])


class WordingOut(BaseModel):
    zh: dict[str, dict[str, str]] = Field(description="group -> value -> Chinese words")
    en: dict[str, dict[str, str]] = Field(description="group -> value -> English words")
    now: dt.datetime = Field(description="The server's now")
    today: dt.date = Field(description="Today in the deployment's time zone")
    timezone: str = Field(description="The deployment's time zone (IANA name)")


@router.get("/api/wording", response_model=WordingOut)
def wording(request: Request) -> WordingOut:
    """Every status, cause, alert type, role, state and column in Chinese and English; the day it is."""
    calendar, now = app_calendar(request), app_now(request)
    words = catalogue()
    return WordingOut(zh=words["zh"], en=words["en"], now=now, today=calendar.day_of(now), timezone=str(calendar.tz))
