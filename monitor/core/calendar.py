"""The deployment's calendar: local days, working hours, holidays and sampling slots, in one place.

Everything stored is UTC; a *day* is a local date in the configured time zone. The config builds one
(``AppConfig.calendar``); every stage that asks "which day is it", "is work expected today", "when does the
working window open" or "how many samples were due" asks it, with a time from an injected clock.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from monitor.core.clock import Clock, ensure_utc, slot_start

Window = tuple[dt.datetime, dt.datetime]
"""[start, end) in UTC."""


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

    def day_of(self, at: dt.datetime) -> dt.date:
        """The local date of an instant (a naive value is taken as UTC)."""
        return ensure_utc(at).astimezone(self.tz).date()

    def today(self, clock: Clock) -> dt.date:
        return self.day_of(clock())

    def working_day(self, day: dt.date) -> bool:
        """Work is expected: a configured weekday that is not a holiday."""
        return day not in self.holidays and day.isoweekday() in self.weekdays

    def working_window(self, day: dt.date) -> Window:
        """The day's working hours, as UTC."""
        return local_window(day, self.tz, self.start, self.end)

    def whole_day(self, day: dt.date) -> Window:
        """Local midnight to the next local midnight, as UTC (23 or 25 hours across a DST change)."""
        return (
            dt.datetime.combine(day, dt.time(0), self.tz).astimezone(dt.UTC),
            dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), self.tz).astimezone(dt.UTC),
        )

    def expected_slots(self, day: dt.date) -> int:
        """Sampling slots in the day's working hours (whether or not it is a working day)."""
        return expected_samples(self.working_window(day), self.interval_seconds)

    def slot(self, at: dt.datetime) -> dt.datetime:
        """Start of the sampling slot holding ``at``."""
        return slot_start(at, self.interval_seconds)

    def at_local(self, day: dt.date, time: dt.time) -> dt.datetime:
        """A local day and time, as an aware local datetime."""
        return dt.datetime.combine(day, time, self.tz)
