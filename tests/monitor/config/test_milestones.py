"""Milestone dates and rules in the config: validated like every field, errors name the path."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from monitor.config import ConfigError, Milestone, parse_config
from tests.helpers import config_dict


def _with(dates: dict[str, Any], batch: str = "started", **root: Any) -> dict[str, Any]:
    data = config_dict(["rtsp://127.0.0.1:8554/a"], **root)
    data["sites"][0]["milestones"] = dates
    data["sites"][0]["batch"] = batch
    return data


def test_milestone_dates_are_read() -> None:
    config = parse_config(
        _with({"start": {"planned": "2026-03-01", "actual": "2026-03-05"}, "production": {"planned": "2027-12-31"}})
    )
    m = config.sites[0].milestones
    assert m.dates(Milestone.start).actual == dt.date(2026, 3, 5)
    assert m.dates(Milestone.production).planned == dt.date(2027, 12, 31)
    assert m.dates(Milestone.completion).planned is None
    assert config.milestones.start_active_days == 3 and config.milestones.start_window_days == 5


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (_with({"start": {"planned": "2027-01-01"}, "completion": {"planned": "2026-12-01"}}), "sites[0].milestones"),
        (_with({"start": {"planned": "someday"}}), "sites[0].milestones.start.planned"),
        (_with({"start": {"due": "2026-01-01"}}), "sites[0].milestones.start.due"),
        (_with({"start": {"actual": "2026-01-01"}}, batch="signed"), "signed-batch site has not started"),
        (_with({}, milestones={"start_active_days": 6}), "start_active_days"),
        (_with({}, milestones={"idle_working_days": 0}), "milestones.idle_working_days"),
    ],
)
def test_bad_milestones_name_the_field(data: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError) as error:
        parse_config(data)
    assert message in str(error.value)
