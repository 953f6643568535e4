from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy.orm import Session, sessionmaker

from monitor.config import parse_config
from monitor.export.summary import Period, period_bounds, summarise, write_summary
from monitor.store import models
from monitor.store.repo import sync_config
from tests.fixtures.clock import NOW, fixed
from tests.fixtures.servers import SAMPLE_VIDEO
from tests.helpers import config_dict


@pytest.mark.parametrize(
    ("period", "day", "bounds"),
    [
        (Period.week, dt.date(2026, 11, 27), (dt.date(2026, 11, 23), dt.date(2026, 11, 29))),
        (Period.month, dt.date(2026, 11, 27), (dt.date(2026, 11, 1), dt.date(2026, 11, 30))),
        (Period.month, dt.date(2026, 12, 5), (dt.date(2026, 12, 1), dt.date(2026, 12, 31))),
        (Period.quarter, dt.date(2026, 11, 27), (dt.date(2026, 10, 1), dt.date(2026, 12, 31))),
        (Period.quarter, dt.date(2026, 2, 1), (dt.date(2026, 1, 1), dt.date(2026, 3, 31))),
    ],
)
def test_period_bounds(period: Period, day: dt.date, bounds: tuple[dt.date, dt.date]) -> None:
    assert period_bounds(period, day) == bounds


def test_weekly_summary_averages_ranks_changes_and_idle_runs(sessions: sessionmaker[Session], tmp_path: Path) -> None:
    data = config_dict([str(SAMPLE_VIDEO)] * 3)
    data["export"] = {"folder": str(tmp_path)}
    data["sites"][1]["district"] = "城东区"
    config = parse_config(data)
    week = [dt.date(2026, 11, 23) + dt.timedelta(days=i) for i in range(7)]
    with sessions() as s:
        sync_config(s, config, fixed())
        for i, day in enumerate(week):
            s.add(
                models.DailyScore(
                    site_id="site1", day=day, score=80.0, status="active", components={"coverage": 1}, computed_at=NOW
                )
            )
            idle = i < 4
            s.add(
                models.DailyScore(
                    site_id="site2",
                    day=day,
                    score=5.0 if idle else 60.0,
                    status="idle" if idle else "active",
                    components={"coverage": 0.9},
                    computed_at=NOW,
                )
            )
            s.add(
                models.DailyScore(
                    site_id="site3",
                    day=day,
                    score=None,
                    status="camera_outage",
                    components={"coverage": 0.1},
                    computed_at=NOW,
                )
            )
            s.add(
                models.DailyScore(
                    site_id="site1",
                    day=day - dt.timedelta(days=7),
                    score=70.0,
                    status="active",
                    components={},
                    computed_at=NOW,
                )
            )
        s.commit()
        (first, last), sites, districts = summarise(s, config, Period.week, dt.date(2026, 11, 27))
        path = write_summary(s, config, Period.week, dt.date(2026, 11, 27), today=dt.date(2026, 11, 28))
    by = {r.site_id: r for r in sites}
    assert (first, last) == (week[0], week[-1])
    assert (by["site1"].average_score, by["site1"].previous_average, by["site1"].change, by["site1"].rank) == (
        80.0,
        70.0,
        10.0,
        1,
    )
    assert by["site2"].average_score == round((4 * 5 + 3 * 60) / 7, 1) and by["site2"].longest_idle_run == 4
    assert (by["site3"].average_score, by["site3"].rank, by["site3"].outage_days) == (None, None, 7)
    assert districts[0].district == "城东区"
    rows = list(load_workbook(path)["项目汇总"].iter_rows(min_row=2, values_only=True))
    assert [r[1] for r in rows] == ["site1", "site2", "site3"]
    assert [r[0] for r in load_workbook(path)["连续停工"].iter_rows(min_row=2, values_only=True)] == ["site2"]
