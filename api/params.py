"""Path and query parameters with the bounds the database and the calendar can hold, so an edge input is a
422 naming the field instead of an OverflowError (a 500) deep inside."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import Path
from fastapi.exceptions import RequestValidationError
from pydantic import AfterValidator

from monitor.core.calendar import DAY_MAX, DAY_MIN

ROW_ID_MAX = 2**63 - 1  # a signed 64-bit integer: the largest primary key PostgreSQL and SQLite store

RowId = Annotated[int, Path(ge=1, le=ROW_ID_MAX, description="A row id: 1 to 2^63 - 1")]


def _bounded_day(day: dt.date) -> dt.date:
    if not DAY_MIN <= day <= DAY_MAX:
        raise ValueError(f"day must be from {DAY_MIN} to {DAY_MAX}")
    return day


Day = Annotated[dt.date, AfterValidator(_bounded_day)]
"""A calendar day sitemon can count with: from DAY_MIN to DAY_MAX."""


def refuse_future(day: dt.date, today: dt.date, field: tuple[str, ...] = ("path", "day")) -> None:
    """Admin actions on a day that has not happened would queue records for it: a 422 naming the date."""
    if day > today:
        raise RequestValidationError(
            [
                {
                    "type": "value_error",
                    "loc": field,
                    "msg": f"{day.isoformat()} has not happened yet (today is {today.isoformat()})",
                    "input": day.isoformat(),
                }
            ]
        )
