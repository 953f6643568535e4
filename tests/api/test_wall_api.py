"""The wall screen: its page, and the red list (sites idle or without video day after day)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from api import create_app
from monitor.config import parse_config
from monitor.scoring.red_list import current_red_runs
from monitor.scoring.runs import Run, red_runs
from monitor.store import models
from monitor.store.repo import sync_config
from tests.fixtures.clock import NOW, fixed, ticking
from tests.helpers import config_dict, logged_in

pytestmark = pytest.mark.calendar  # follows the pinned NOW: scripts/calendar-check runs it at the edges

TODAY = NOW.astimezone(ZoneInfo("Asia/Shanghai")).date()


def _d(back: int) -> dt.date:
    return TODAY - dt.timedelta(days=back)


def test_each_status_counts_its_own_run_back_from_the_latest_and_days_off_do_not_break_it() -> None:
    rows = [
        ("a", _d(0), "idle"),
        ("a", _d(1), "not_expected"),  # a Sunday
        ("a", _d(2), "camera_outage"),
        ("a", _d(3), "idle"),
        ("a", _d(4), "active"),
        ("a", _d(5), "idle"),
        ("b", _d(0), "not_started"),  # before today's working hours
        ("b", _d(1), "camera_outage"),
        ("c", _d(0), "active"),
        ("c", _d(1), "idle"),
        ("d", _d(0), "low_activity"),
    ]
    assert red_runs(reversed(rows)) == {
        "a": (Run("idle", _d(0), _d(0), 1), Run("camera_outage", _d(2), _d(2), 1), Run("idle", _d(3), _d(3), 1)),
        "b": (Run("camera_outage", _d(1), _d(1), 1),),
    }
    # Idle seven days, then dark today: 停工 7 天 then 视频中断 今日, not eight days of either.
    week = [("e", _d(k), "idle") for k in range(1, 8)] + [("e", _d(0), "camera_outage"), ("e", _d(8), "active")]
    assert red_runs(week) == {"e": (Run("camera_outage", _d(0), _d(0), 1), Run("idle", _d(7), _d(1), 7))}


def test_the_stored_red_runs_read_only_the_sites_whose_latest_judged_day_is_red(
    sessions: sessionmaker[Session],
) -> None:
    """The database reads each site's latest judged day first (1,000 sites: the red list took 1.2 s reading
    every day); the runs are those of all the rows, days off and a day not started yet skipped."""
    rows = [
        ("site1", _d(0), "idle"),
        ("site1", _d(1), "not_expected"),
        ("site1", _d(2), "camera_outage"),
        ("site2", _d(0), "not_started"),
        ("site2", _d(1), "camera_outage"),
        ("site2", _d(2), "active"),
        ("site3", _d(0), "active"),
        ("site3", _d(1), "idle"),
        ("site4", _d(0), "not_expected"),
        ("site4", _d(1), "active"),
        ("site4", _d(2), "idle"),
        ("site5", _d(-1), "idle"),  # tomorrow: not read
        ("site5", _d(60), "idle"),  # past the look-back
    ]
    with sessions() as s:
        sync_config(s, parse_config(config_dict(["rtsp://127.0.0.1:8554/a"] * 5)), fixed())
        for site, day, status in rows:
            s.add(models.DailyScore(site_id=site, day=day, score=None, status=status, components={}, computed_at=NOW))
        s.commit()
        got = current_red_runs(s, TODAY)
    assert got == red_runs(r for r in rows if r[0] != "site5")
    assert set(got) == {"site1", "site2"}


def _seed(sessions: sessionmaker[Session]) -> None:
    data = config_dict(["rtsp://127.0.0.1:8554/a"] * 4)
    with sessions() as s:
        sync_config(s, parse_config(data), fixed())
        statuses = {
            "site1": ["idle"] * 7 + ["active"],  # stopped a week ago
            "site2": ["camera_outage"] * 3 + ["active"] * 5,  # camera off for three days
            "site3": ["idle", "active"] * 4,
            "site4": ["camera_outage"] + ["idle"] * 7 + ["active"],  # stopped a week ago, dark since today
        }
        for site, days in statuses.items():
            for back, status in enumerate(days):
                s.add(
                    models.DailyScore(
                        site_id=site, day=_d(back), score=None, status=status, components={}, computed_at=NOW
                    )
                )
        s.add(models.DailyScore(site_id="site3", day=_d(40), score=None, status="idle", components={}, computed_at=NOW))
        s.commit()


def test_the_red_list_names_the_sites_idle_or_dark_for_n_days_longest_first(
    sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    _seed(sessions)
    viewer = logged_in(TestClient(create_app(sessions, tmp_path, clock=lambda: NOW)), sessions, "viewer")
    red = viewer.get("/api/red-list").json()
    assert [(r["site_id"], r["status"], r["since"], r["days"]) for r in red] == [
        ("site1", "idle", str(_d(6)), 7),
        ("site4", "camera_outage", str(_d(0)), 1),  # on the list for its week idle, read as dark today
        ("site2", "camera_outage", str(_d(2)), 3),
    ]
    assert red[0]["name"] == "测试工地1" and red[0]["district"] == "城东区"
    assert [(r["status"], r["since"], r["days"]) for r in red[1]["runs"]] == [
        ("camera_outage", str(_d(0)), 1),
        ("idle", str(_d(7)), 7),
    ]
    assert red[1]["longest"] == 7 and red[2]["runs"] == [
        {"status": "camera_outage", "since": str(_d(2)), "until": str(_d(0)), "days": 3}
    ]
    assert [r["site_id"] for r in viewer.get("/api/red-list?days=5").json()] == ["site1", "site4"]
    assert [r["site_id"] for r in viewer.get("/api/red-list?days=1").json()] == ["site1", "site4", "site2", "site3"]
    assert viewer.get("/api/red-list?days=0").status_code == 422
    assert viewer.get("/api/red-list?days=61").status_code == 422


def test_the_wall_page_is_served_and_its_data_needs_the_login(sessions: sessionmaker[Session], tmp_path: Path) -> None:
    anonymous = TestClient(create_app(sessions, tmp_path, clock=ticking()))
    page = anonymous.get("/wall")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "大屏" in page.text and "wall.js" in page.text
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert anonymous.get("/wall.js").status_code == 200 and anonymous.get("/wall.css").status_code == 200
    assert anonymous.get("/api/red-list").status_code == 401
