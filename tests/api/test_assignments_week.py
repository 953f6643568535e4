"""The weekly list (周交办清单) in the API and dashboard: the assignments given in a week or still open in it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from monitor.assignments import store
from tests.api.units_world import UNIT_A, UNIT_B, client, seed, world_config

WEDNESDAY = dt.datetime(2026, 11, 25, 4, 0, tzinfo=dt.UTC)  # 12:00 in Shanghai; the week is 11-23 .. 11-29


def _give(sessions: sessionmaker[Session], site: str, at: dt.datetime, close_at: dt.datetime | None = None) -> int:
    config = world_config()
    with sessions() as s:
        row = store.create(s, config, store.NewAssignment(site, "idle", "请复工"), "调度员", at)
        if close_at is not None:
            store.close(s, row, "已复工", "调度员", close_at)
        return row.id


def test_the_week_s_list_holds_what_was_given_in_it_or_still_open_in_it(
    sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    """Given assignments closed before the week, open from last week, given this week and given next week,
    when the list of the week of Wednesday 11-25 is asked for, then it holds the open one from last week and
    this week's, for every unit or for one; a unit gets its own only."""
    config = world_config()
    seed(sessions, config, tmp_path / "snap", WEDNESDAY)
    closed_before = _give(sessions, "site1", WEDNESDAY - dt.timedelta(days=9), WEDNESDAY - dt.timedelta(days=7))
    open_from_last_week = _give(sessions, "site1", WEDNESDAY - dt.timedelta(days=8))
    this_week = _give(sessions, "site2", WEDNESDAY - dt.timedelta(days=1))
    operator = client(sessions, config, tmp_path / "snap", "operator")
    every = operator.get("/api/assignments", params={"week": "2026-11-25"})
    assert every.status_code == 200, every.text
    assert {a["id"] for a in every.json()} == {open_from_last_week, this_week}
    one_unit = operator.get("/api/assignments", params={"week": "2026-11-29", "unit": UNIT_A}).json()
    assert [a["id"] for a in one_unit] == [open_from_last_week]  # Sunday is the same week
    earlier = operator.get("/api/assignments", params={"week": "2026-11-16", "state": "closed"}).json()
    assert [a["id"] for a in earlier] == [closed_before]
    unit_b = client(sessions, config, tmp_path / "snap", "unit-b")
    asked_for_a = unit_b.get("/api/assignments", params={"week": "2026-11-25", "unit": UNIT_A}).json()
    assert [(a["id"], a["unit"]) for a in asked_for_a] == [(this_week, UNIT_B)]  # its own, never A's
    bad = operator.get("/api/assignments", params={"week": "2026-13-01"})
    assert bad.status_code == 422 and "week" in bad.text
