"""The milestone figures in the daily assessment (workbook and JSON), the summaries and the records."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from openpyxl import load_workbook
from sqlalchemy.orm import Session, sessionmaker

from monitor.config import AppConfig, parse_config
from monitor.export.files import write_files
from monitor.export.records import enqueue_day
from monitor.export.report import build_assessment
from monitor.export.summary import Period, write_summary
from monitor.milestones.starts import confirm_start
from monitor.store import models
from monitor.store.repo import sync_config
from tests.fixtures.clock import fixed
from tests.helpers import config_dict

DAY = dt.date(2026, 11, 20)
NOW = dt.datetime(2026, 11, 20, 13, 0, tzinfo=dt.UTC)  # 21:00 in Shanghai: the day is over


def _config(folder: Path) -> AppConfig:
    data = config_dict(
        ["rtsp://127.0.0.1:8554/a", "rtsp://127.0.0.1:8554/b", "rtsp://127.0.0.1:8554/c"],
        export={"folder": str(folder), "delivery": {"url": "http://127.0.0.1:9/records"}},
    )
    for site in data["sites"][:2]:
        site["batch"] = "signed"
    data["sites"][0]["milestones"] = {"start": {"planned": "2026-11-16"}, "completion": {"planned": "2028-01-31"}}
    data["sites"][1]["milestones"] = {"start": {"planned": "2026-11-02"}}
    return parse_config(data)


def _started(s: Session) -> None:
    """site1 (城东区) was seen starting on the 17th, and an operator confirmed it; site2 (高新区) did not start."""
    s.add(
        models.StartProposal(
            site_id="site1",
            day=dt.date(2026, 11, 17),
            last_day=DAY,
            evidence=[],
            state="pending",
            proposed_at=NOW,
            note="",
        )
    )
    s.commit()
    (proposal,) = s.query(models.StartProposal).all()
    confirm_start(s, "site1", proposal.id, "值班员", NOW)
    s.add(models.DailyScore(site_id="site1", day=DAY, score=70.0, status="active", components={}, computed_at=NOW))
    s.commit()


def test_the_assessment_and_the_summary_carry_the_start_rate_and_the_nodes(
    sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    config = _config(tmp_path)
    with sessions() as s:
        sync_config(s, config, fixed())
        _started(s)
        assessment = build_assessment(s, config, DAY, NOW)
        files = write_files(assessment, tmp_path)
        summary = write_summary(s, config, Period.month, DAY, today=DAY)
        assert enqueue_day(s, config, DAY, NOW) == 1
        (delivery,) = s.query(models.OutboxItem).all()
    assert (delivery.payload["batch"], delivery.payload["batch_zh"]) == ("started", "开工")  # its batch that day

    data = json.loads(files["json"].read_text(encoding="utf-8"))
    rates = {r["district"]: r for r in data["milestones"]["start_rates"]}
    assert (rates["城东区"]["due"], rates["城东区"]["started"], rates["城东区"]["rate"]) == (1, 1, 1.0)
    assert (rates["高新区"]["due"], rates["高新区"]["started"], rates["高新区"]["rate"]) == (1, 0, 0.0)
    assert (rates["全部"]["signed"], rates["全部"]["due"], rates["全部"]["rate"]) == (2, 2, 0.5)
    nodes = {n["site_id"]: n for n in data["milestones"]["sites"]}
    assert nodes["site1"]["batch"] == "started"
    assert nodes["site1"]["milestones"]["start"] == {"planned": "2026-11-16", "actual": "2026-11-17", "state": "late"}
    assert nodes["site2"]["milestones"]["start"]["state"] == "overdue"
    assert {r["site_id"]: r["batch"] for r in data["sites"]} == {
        "site1": "started",
        "site2": "signed",
        "site3": "started",
    }

    for path in (files["xlsx"], summary):
        wb = load_workbook(path)
        rows = [[c.value for c in row] for row in wb["开工率"].iter_rows()]
        assert rows[0] == ["区县", "签约项目", "应开工", "已开工", "开工率", "本期开工", "统计截至"]
        assert rows[1:] == [
            ["城东区", 1, 1, 1, 1.0, 1, "2026-11-20"],
            ["高新区", 1, 1, 0, 0.0, 0, "2026-11-20"],
            ["全部", 2, 2, 1, 0.5, 1, "2026-11-20"],
        ]
        plan = [[c.value for c in row] for row in wb["节点计划"].iter_rows()]
        assert plan[1][:7] == ["site1", "测试工地1", "城东区", "开工", "2026-11-16", "2026-11-17", "逾期完成"]
        on_time = {row[0].value: row[4].value for row in wb["节点按期率"].iter_rows(min_row=2)}
        assert on_time["开工"] == 0.0 and on_time["竣工"] is None
