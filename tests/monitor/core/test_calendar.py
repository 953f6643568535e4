"""The calendar: local days, working windows, holidays and slots, across a daylight-saving change."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from monitor.config import parse_config
from monitor.core.calendar import Calendar
from tests.helpers import config_dict

SHANGHAI = ZoneInfo("Asia/Shanghai")
BERLIN = ZoneInfo("Europe/Berlin")  # a zone with daylight saving, to see that days are not 24 h by rule


@pytest.mark.parametrize(
    ("at", "day"),
    [
        (dt.datetime(2026, 11, 28, 15, 59, tzinfo=dt.UTC), dt.date(2026, 11, 28)),
        (dt.datetime(2026, 11, 28, 16, 0, tzinfo=dt.UTC), dt.date(2026, 11, 29)),  # local midnight
        (dt.datetime(2026, 11, 28, 16, 0), dt.date(2026, 11, 29)),  # naive: taken as UTC (SQLite)
    ],
)
def test_the_local_day_of_an_instant(at: dt.datetime, day: dt.date) -> None:
    assert Calendar(SHANGHAI).day_of(at) == day
    assert Calendar(SHANGHAI).today(lambda: at) == day


def test_working_days_are_the_configured_weekdays_less_the_holidays() -> None:
    cal = Calendar(SHANGHAI, weekdays=frozenset({1, 2, 3, 4, 5}), holidays=frozenset({dt.date(2026, 10, 1)}))
    assert cal.working_day(dt.date(2026, 9, 30))  # a Wednesday
    assert not cal.working_day(dt.date(2026, 10, 1))  # a holiday on a Thursday
    assert not cal.working_day(dt.date(2026, 10, 3))  # a Saturday


def test_the_working_window_and_its_slots_in_utc() -> None:
    cal = Calendar(SHANGHAI, dt.time(7, 0), dt.time(19, 0), interval_seconds=300)
    start, end = cal.working_window(dt.date(2026, 11, 28))
    assert (start, end) == (dt.datetime(2026, 11, 27, 23, tzinfo=dt.UTC), dt.datetime(2026, 11, 28, 11, tzinfo=dt.UTC))
    assert cal.expected_slots(dt.date(2026, 11, 28)) == 144
    assert cal.slot(dt.datetime(2026, 11, 28, 3, 7, 41, tzinfo=dt.UTC)) == dt.datetime(
        2026, 11, 28, 3, 5, tzinfo=dt.UTC
    )


def test_a_whole_day_is_23_or_25_hours_across_a_daylight_saving_change() -> None:
    cal = Calendar(BERLIN)
    spring = cal.whole_day(dt.date(2026, 3, 29))
    autumn = cal.whole_day(dt.date(2026, 10, 25))
    assert spring[1] - spring[0] == dt.timedelta(hours=23)
    assert autumn[1] - autumn[0] == dt.timedelta(hours=25)
    # The working window keeps its local hours on both sides of the change.
    before, after = cal.working_window(dt.date(2026, 3, 28)), cal.working_window(dt.date(2026, 3, 30))
    assert before[0].astimezone(BERLIN).time() == after[0].astimezone(BERLIN).time() == dt.time(7, 0)
    assert after[0] - before[0] == dt.timedelta(days=2, hours=-1)


def test_the_config_builds_the_calendar_from_its_sections() -> None:
    data = config_dict()
    data["timezone"] = "Europe/Berlin"
    data["working_hours"] = {"start": "08:00", "end": "17:30", "weekdays": [1, 2, 3, 4, 5]}
    data["holidays"] = ["2026-12-25"]
    data["sampling"]["interval_seconds"] = 600
    cal = parse_config(data).calendar
    assert cal.tz == BERLIN and (cal.start, cal.end) == (dt.time(8), dt.time(17, 30))
    assert not cal.working_day(dt.date(2026, 12, 25)) and cal.working_day(dt.date(2026, 12, 24))
    assert cal.expected_slots(dt.date(2026, 12, 24)) == 57
