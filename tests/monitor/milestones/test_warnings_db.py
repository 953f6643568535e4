"""The started-site warnings read from the database: idle working days in a row, a flat structure curve."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from monitor.alerts.engine import evaluate
from monitor.config import AppConfig, parse_config
from monitor.store import models
from monitor.store.repo import sync_config
from tests.fixtures.clock import fixed
from tests.helpers import config_dict

TODAY = dt.date(2026, 11, 27)  # a Friday
NOW = dt.datetime(2026, 11, 27, 4, 0, tzinfo=dt.UTC)  # 12:00 in Shanghai
ZONE = [[0.1, 0.2], [0.9, 0.2], [0.9, 0.85], [0.1, 0.85]]


def _config() -> AppConfig:
    data = config_dict(["rtsp://127.0.0.1:8554/a"], working_hours={"weekdays": [1, 2, 3, 4, 5]})
    data["sites"][0]["cameras"][0]["zones"] = {"structure": ZONE}
    data["sites"][0]["milestones"] = {"start": {"planned": "2026-09-01", "actual": "2026-09-01"}}
    data["sites"][0]["milestones"]["completion"] = {"planned": "2027-12-31"}
    return parse_config(data)


def _score(s: Session, day: dt.date, status: str, cumulative: float) -> None:
    row = s.scalars(
        select(models.DailyScore).where(models.DailyScore.site_id == "site1", models.DailyScore.day == day)
    ).first() or models.DailyScore(site_id="site1", day=day, computed_at=NOW)
    row.status, row.score, row.computed_at = status, None, NOW
    row.components = {"structure_cumulative": cumulative, "coverage": 0.9}
    s.add(row)


def _open(s: Session) -> set[str]:
    return set(
        s.scalars(
            select(models.Alert.type).where(
                models.Alert.state == "open", models.Alert.type.in_(("started_idle", "progress_lagging"))
            )
        )
    )


def test_idle_working_days_and_flat_structure_warn_and_resolve(sessions: sessionmaker[Session]) -> None:
    config = _config()
    with sessions() as s:
        sync_config(s, config, fixed())
        # given four weeks of scores with no structure growth; the last five working days idle, the weekend
        # between them not expected (it neither counts nor breaks the run)
        day = TODAY - dt.timedelta(days=28)
        while day < TODAY:
            weekend = day.isoweekday() > 5
            recent = day >= TODAY - dt.timedelta(days=7)
            _score(s, day, "not_expected" if weekend else "idle" if recent else "active", 0.2)
            day += dt.timedelta(days=1)
        s.commit()
        evaluate(s, config, NOW)
        assert _open(s) == {"started_idle", "progress_lagging"}
        (idle,) = s.scalars(select(models.Alert).where(models.Alert.type == "started_idle")).all()
        assert "连续 5 个工作日停工" in idle.message

        # when yesterday was active and the structure grew, both resolve
        _score(s, TODAY - dt.timedelta(days=1), "active", 0.26)
        s.commit()
        evaluate(s, config, NOW + dt.timedelta(minutes=5))
        assert _open(s) == set()
