"""An injectable clock: everything that needs "now" takes one of these."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

Clock = Callable[[], dt.datetime]


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def ensure_utc(value: dt.datetime) -> dt.datetime:
    """Aware UTC; a naive value is taken to be UTC already (as SQLite hands them back)."""
    if value.tzinfo is None:
        return value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC)


def slot_start(at: dt.datetime, interval_seconds: int) -> dt.datetime:
    """Start of the sampling slot holding ``at``: one sample per camera and slot."""
    ts = int(ensure_utc(at).timestamp())
    return dt.datetime.fromtimestamp(ts - ts % interval_seconds, dt.UTC)
