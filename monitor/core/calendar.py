"""The deployment's calendar: local days, working hours, holidays, sampling slots and periods, in one place.

Everything stored is UTC; a *day* is a local date in the configured time zone. The config builds one
(``AppConfig.calendar``); every stage that asks "which day is it", "is work expected today", "when does the
working window open", "how many samples were due" or "which week / month / quarter" asks it, with a time
from an injected clock. Nothing else converts between zones (``tests/test_architecture.py``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from monitor.core.clock import Clock, ensure_utc, slot_start

Window = tuple[dt.datetime, dt.datetime]
"""[start, end) in UTC."""

DAY_MIN = dt.date(1970, 1, 1)
"""The first day sitemon counts with."""
DAY_MAX = dt.date(9998, 12, 31)
"""The last: a year of margin, for periods, summaries and time zones add days to it."""


def zone(name: str) -> ZoneInfo:
    """The IANA zone ``name``; ValueError (naming it) when there is none."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown time zone '{name}' (use an IANA name such as Asia/Shanghai)") from exc


class Period(StrEnum):
    week = "week"
    month = "month"
    quarter = "quarter"


def period_bounds(period: Period, day: dt.date) -> tuple[dt.date, dt.date]:
    """[first, last] day of the period holding ``day`` (weeks start on Monday)."""
    if period is Period.week:
        first = day - dt.timedelta(days=day.weekday())
        return first, first + dt.timedelta(days=6)
    months = 1 if period is Period.month else 3
    first = day.replace(month=(day.month - 1) // months * months + 1, day=1)
    year, month = divmod(first.month - 1 + months, 12)
    return first, dt.date(first.year + year, month + 1, 1) - dt.timedelta(days=1)


def previous_bounds(period: Period, day: dt.date) -> tuple[dt.date, dt.date]:
    """[first, last] day of the period before the one holding ``day``."""
    first, _ = period_bounds(period, day)
    return period_bounds(period, first - dt.timedelta(days=1))


def local_window(day: dt.date, tz: ZoneInfo, start: dt.time, end: dt.time) -> Window:
    """[start, end) of ``day`` in ``tz``, as UTC."""
    return dt.datetime.combine(day, start, tz).astimezone(dt.UTC), dt.datetime.combine(day, end, tz).astimezone(dt.UTC)


def expected_samples(window: Window, interval_seconds: int) -> int:
    """Sampling slots in a window."""
    return max(0, int((window[1] - window[0]).total_seconds()) // interval_seconds)


@dataclass(frozen=True)
class Calendar:
    tz: ZoneInfo
    start: dt.time = dt.time(7, 0)
    """Working hours: when work is expected on a working day."""
    end: dt.time = dt.time(19, 0)
    weekdays: frozenset[int] = frozenset(range(1, 7))
    """ISO weekdays (1 = Monday) with work expected."""
    holidays: frozenset[dt.date] = field(default_factory=frozenset)
    interval_seconds: int = 300
    """The sampling interval: one sample per camera and slot."""

    def local(self, at: dt.datetime) -> dt.datetime:
        """An instant as an aware local datetime (a naive value is taken as UTC): for the words people read."""
        return ensure_utc(at).astimezone(self.tz)

    def day_of(self, at: dt.datetime) -> dt.date:
        """The local date of an instant (a naive value is taken as UTC)."""
        return self.local(at).date()

    def last_day_past(self, now: dt.datetime, at: dt.time) -> dt.date:
        """The latest local day whose local time ``at`` has passed by ``now`` (a daily job's latest day)."""
        local = self.local(now)
        return local.date() if local.time() >= at else local.date() - dt.timedelta(days=1)

    def today(self, clock: Clock) -> dt.date:
        return self.day_of(clock())

    def working_day(self, day: dt.date) -> bool:
        """Work is expected: a configured weekday that is not a holiday."""
        return day not in self.holidays and day.isoweekday() in self.weekdays

    def working_window(self, day: dt.date) -> Window:
        """The day's working hours, as UTC."""
        return self.window(day, self.start, self.end)

    def window(self, day: dt.date, start: dt.time, end: dt.time) -> Window:
        """[start, end) of ``day`` in local times, as UTC."""
        return local_window(day, self.tz, start, end)

    def whole_day(self, day: dt.date) -> Window:
        """Local midnight to the next local midnight, as UTC (23 or 25 hours across a DST change)."""
        return self.midnight(day), self.midnight(day + dt.timedelta(days=1))

    def midnight(self, day: dt.date) -> dt.datetime:
        """The local day's first instant, as UTC."""
        return self.instant(day, dt.time(0))

    def instant(self, day: dt.date, time: dt.time) -> dt.datetime:
        """A local day and time, as UTC."""
        return self.at_local(day, time).astimezone(dt.UTC)

    def as_local(self, naive: dt.datetime) -> dt.datetime:
        """A wall-clock time typed by a person (naive), in the local zone."""
        return naive.replace(tzinfo=self.tz)

    def expected_slots(self, day: dt.date) -> int:
        """Sampling slots in the day's working hours (whether or not it is a working day)."""
        return expected_samples(self.working_window(day), self.interval_seconds)

    def slot(self, at: dt.datetime) -> dt.datetime:
        """Start of the sampling slot holding ``at``."""
        return slot_start(at, self.interval_seconds)

    def at_local(self, day: dt.date, time: dt.time) -> dt.datetime:
        """A local day and time, as an aware local datetime."""
        return dt.datetime.combine(day, time, self.tz)
