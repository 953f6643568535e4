"""The calendar's edges: each date-sensitive stage run at the instants that break calendars.

Every test here is parametrised by the edges in tests/fixtures/clock.py (the 1st of a month just after local
midnight, while UTC is still on the last day of the month before; New Year's Eve a minute before local
midnight; a leap day; a Monday; a Monday that is the 1st of a month after a 28-day February) and by both
databases. The expectations are computed from the local day, never written down for one date, so each edge
checks the same rule: days, weeks, months and quarters are local, and a stored UTC instant falls in its
local day. scripts/calendar-check runs the rest of the date-sensitive suite at the same edges.
"""

from __future__ import annotations

import calendar as months
import datetime as dt
import io
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from detectors import CategoryMap
from monitor.assignments.store import NewAssignment, close, create
from monitor.assignments.weekly import week_assignments, weekly_workbook
from monitor.config import AppConfig, Category, parse_config
from monitor.core.values import Activity, CameraKey, CameraStatus, Counts, Sample
from monitor.demo import config as demo
from monitor.demo.setup import ensure_history
from monitor.export.job import day_refusal, export_day
from monitor.export.summary import Period, period_bounds, previous_bounds
from monitor.milestones.figures import milestone_figures
from monitor.milestones.rates import ALL
from monitor.review.figures import gather
from monitor.scoring.daily import score_days
from monitor.store import make_engine, make_session_factory, models
from monitor.store.repo import camera_pks, record_sample, sync_config
from tests.fixtures.clock import CALENDAR_EDGES, NOW, pinned
from tests.fixtures.servers import SAMPLE_VIDEO
from tests.helpers import config_dict
from tests.monitor.fakes import NAMES, FakeDetector

SHARED = SAMPLE_VIDEO.parents[1]

EDGES = [pinned(edge) for edge in CALENDAR_EDGES]
IDS = ["month-start", "new-years-eve", "leap-day", "monday", "monday-march-1st"]


@pytest.fixture(params=EDGES, ids=IDS)
def now(request: pytest.FixtureRequest) -> dt.datetime:
    return request.param  # type: ignore[no-any-return]


def _config(tmp_path: Path, now: dt.datetime) -> AppConfig:
    """Two sites: site1 started, with a unit; site2 signed, due to start yesterday (local)."""
    today = now.astimezone(ZoneInfo("Asia/Shanghai")).date()
    data = config_dict(["rtsp://127.0.0.1:8554/a", "rtsp://127.0.0.1:8554/b"], export={"folder": str(tmp_path)})
    data["sampling"]["interval_seconds"] = 300
    data["sites"][0]["responsible_unit"] = "城东建设公司"
    data["sites"][1]["batch"] = "signed"  # due to start yesterday: overdue today
    data["sites"][1]["milestones"] = {"start": {"planned": str(today - dt.timedelta(days=1))}}
    return parse_config(data)


def test_the_day_and_its_periods_are_local(now: dt.datetime) -> None:
    config = parse_config(config_dict())
    today = config.calendar.day_of(now)
    assert today == now.astimezone(config.tz).date()
    first, last = config.calendar.whole_day(today)
    assert first <= now < last and (last - first) == dt.timedelta(days=1)
    week = period_bounds(Period.week, today)
    assert week[0].isoweekday() == 1 and week[1] - week[0] == dt.timedelta(days=6) and week[0] <= today <= week[1]
    month = period_bounds(Period.month, today)
    assert month == (today.replace(day=1), today.replace(day=months.monthrange(today.year, today.month)[1]))
    quarter = period_bounds(Period.quarter, today)
    assert quarter[0].month in (1, 4, 7, 10) and quarter[0].day == 1 and quarter[0] <= today <= quarter[1]
    assert (quarter[1] + dt.timedelta(days=1)).month in (1, 4, 7, 10)
    for period in Period:
        before = previous_bounds(period, today)
        assert before[1] == period_bounds(period, today)[0] - dt.timedelta(days=1)
        assert period_bounds(period, before[0]) == before


def _samples(sessions: sessionmaker[Session], config: AppConfig, day: dt.date, until: dt.datetime) -> int:
    """site1 working every slot of ``day``'s working hours up to ``until``; returns the samples written."""
    key = CameraKey("site1", "cam1")
    start, end = config.calendar.working_window(day)
    written = 0
    with sessions() as s:
        pk = camera_pks(s)[key]
        slot = start
        while slot < min(end, until):
            busy = Activity(moving_workers=4, working_machines=1, level=1.0)
            sample = Sample(key, slot, slot + dt.timedelta(seconds=3), CameraStatus.online, "", Counts(6, 1, 0))
            record_sample(s, pk, Sample(**{**sample.__dict__, "activity": busy}))
            slot += dt.timedelta(seconds=config.sampling.interval_seconds)
            written += 1
        s.commit()
    return written


def test_a_day_is_scored_from_its_own_local_hours(
    now: dt.datetime, sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    config = _config(tmp_path, now)
    today = config.calendar.day_of(now)
    yesterday = today - dt.timedelta(days=1)
    with sessions() as s:
        sync_config(s, config, lambda: now)
    seen = _samples(sessions, config, yesterday, now)
    assert seen == config.calendar.expected_slots(yesterday)
    _samples(sessions, config, today, now)  # today so far: nothing, or the morning
    with sessions() as s:
        results = {(r.site_id, r.day): r for r in score_days(s, config, [yesterday, today], {"site1"}, now=now)}
    assert results[("site1", yesterday)].status.value == "active"
    assert results[("site1", yesterday)].components["coverage"] == pytest.approx(1.0)
    before_work = now < config.calendar.working_window(today)[0] + dt.timedelta(seconds=300)
    assert results[("site1", today)].status.value == ("not_started" if before_work else "active")


def test_the_daily_assessment_is_of_the_local_day(
    now: dt.datetime, sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    config = _config(tmp_path, now)
    today = config.calendar.day_of(now)
    yesterday = today - dt.timedelta(days=1)
    with sessions() as s:
        sync_config(s, config, lambda: now)
    _samples(sessions, config, yesterday, now)
    with sessions() as s:
        score_days(s, config, [yesterday], now=now)
        files = export_day(s, config, yesterday, now)
    assert files["xlsx"].name == f"assessment-{yesterday.isoformat()}.xlsx"
    assert day_refusal(config, today, now) is None
    assert "has not happened yet" in (day_refusal(config, today + dt.timedelta(days=1), now) or "")
    sheet = load_workbook(files["xlsx"]).worksheets[0]
    assert any(yesterday.isoformat() in str(c.value) for row in sheet.iter_rows() for c in row if c.value)


def test_this_weeks_list_holds_what_was_given_this_week_and_what_is_still_open(
    now: dt.datetime, sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    config = _config(tmp_path, now)
    today = config.calendar.day_of(now)
    monday = period_bounds(Period.week, today)[0]
    last_week = config.calendar.at_local(monday - dt.timedelta(days=3), dt.time(10)).astimezone(dt.UTC)
    with sessions() as s:
        sync_config(s, config, lambda: now)
        given_now = create(
            s, config, NewAssignment("site1", "idle", "请复工", today + dt.timedelta(days=3)), "调度员", now
        )
        still_open = create(
            s, config, NewAssignment("site1", "idle", "说明原因", monday, again=True), "调度员", last_week
        )
        done = create(s, config, NewAssignment("site1", "idle", "已处理", monday, again=True), "调度员", last_week)
        close(s, done, "已复工", "调度员", last_week + dt.timedelta(hours=2))
        # Given and closed at 00:05 on Monday local time: the day before in UTC, this week all the same.
        just_after_midnight = config.calendar.at_local(monday, dt.time(0, 5)).astimezone(dt.UTC)
        closed_monday = create(
            s, config, NewAssignment("site1", "idle", "已处理", monday, again=True), "调度员", last_week
        )
        close(s, closed_monday, "已复工", "调度员", just_after_midnight)
        given_monday = create(
            s, config, NewAssignment("site1", "idle", "新", monday, again=True), "调度员", just_after_midnight
        )
        s.commit()
        (first, last), rows = week_assignments(s, config, today, None)
        assert (first, last) == period_bounds(Period.week, today)
        assert {r.id for r in rows} == {given_now.id, still_open.id, closed_monday.id, given_monday.id}
        _, before = week_assignments(s, config, monday - dt.timedelta(days=1), None)
        assert {r.id for r in before} == {still_open.id, done.id, closed_monday.id}
        body, name = weekly_workbook(s, config, today, None, today)
    assert first.isoformat() in name
    listed = load_workbook(io.BytesIO(body)).active
    assert listed is not None and listed.max_row == 5  # the header and four rows


def test_a_start_due_yesterday_is_overdue_today_and_counts_in_this_months_rate(
    now: dt.datetime, sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    config = _config(tmp_path, now)
    today = config.calendar.day_of(now)
    with sessions() as s:
        sync_config(s, config, lambda: now)
        first, _ = period_bounds(Period.month, today)
        figures = milestone_figures(s, config, first, today)
    overall = next(r for r in figures.start_rates if r["district"] == ALL)
    assert (overall["signed"], overall["due"], overall["started"], overall["rate"]) == (1, 1, 0, 0.0)
    site2 = next(x for x in figures.sites if x["site_id"] == "site2")
    assert site2["milestones"]["start"]["state"] == "overdue"
    assert site2["milestones"]["start"]["planned"] == str(today - dt.timedelta(days=1))


def test_the_review_month_counts_each_day_of_its_local_month(
    now: dt.datetime, sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    config = _config(tmp_path, now)
    today = config.calendar.day_of(now)
    day = today - dt.timedelta(days=1)
    first, last = period_bounds(Period.month, day)
    with sessions() as s:
        sync_config(s, config, lambda: now)
        d = first
        while d <= day:
            s.add(models.DailyScore(site_id="site1", day=d, score=5.0, status="idle", components={}, computed_at=NOW))
            d += dt.timedelta(days=1)
        s.add(
            models.DailyScore(
                site_id="site1", day=last + dt.timedelta(days=1), score=90.0, status="active", computed_at=NOW
            )
        )
        s.commit()
        figures = gather(s, config, Period.month, day, today)
        stored = s.scalars(select(models.DailyScore.day).where(models.DailyScore.site_id == "site1")).all()
    idle_days = (day - first).days + 1
    assert len(stored) == idle_days + 1
    red = {r.site_id: r for r in figures.red}
    if idle_days >= 3:  # the red list: idle 3 days or more in a row
        assert red["site1"].longest_down_run == idle_days
    else:
        assert "site1" not in red


@pytest.mark.parametrize("now", EDGES[:2], ids=IDS[:2])  # the two midnights (a build takes seconds)
def test_the_demo_builds_its_days_back_from_the_local_day(now: dt.datetime, tmp_path: Path) -> None:
    """Two days of the demo's history (a stand-in detector) built at the edge: each past day is a local day,
    its working hours start just before now, and the second start reads the cache of the same local day."""
    mapping = demo.demo_config(SHARED, clock=lambda: now, folder=tmp_path)
    today = now.astimezone(ZoneInfo(demo.TIMEZONE)).date()
    start = dt.time.fromisoformat(mapping["working_hours"]["start"])
    assert start <= now.astimezone(ZoneInfo(demo.TIMEZONE)).time()
    assert mapping["holidays"] == [str(today - dt.timedelta(days=demo.HOLIDAY_DAYS_AGO))]
    url = f"sqlite:///{tmp_path / 'sitemon.db'}"
    detector = (FakeDetector([(10, 10, 40, 80, 0)]), CategoryMap.build({"person": Category.worker}, NAMES))
    stats = ensure_history(mapping, SHARED, url, now, folder=tmp_path, detector=detector, days=2, clock=lambda: now)
    assert stats is not None and stats.days == 2
    engine = make_engine(url)
    try:
        with make_session_factory(engine)() as s:
            days = set(s.scalars(select(models.DailyScore.day)))
        assert (
            {today - dt.timedelta(days=2), today - dt.timedelta(days=1)}
            <= days
            <= {
                today - dt.timedelta(days=2),
                today - dt.timedelta(days=1),
                today,
            }
        )
    finally:
        engine.dispose()
    assert ensure_history(mapping, SHARED, url, now, folder=tmp_path, days=2) is None  # the same day: cached
