"""The one catalogue of wordings: every member of every enum a person may read has Chinese and English words,
and an alert or a camera reads as a dispatcher's sentence, never as an id or the engineer's English."""

from __future__ import annotations

import re
from enum import Enum

import pytest

from monitor.alerts.rules import AlertType, Severity
from monitor.assignments.rules import PROBLEM_ZH, State
from monitor.config import Batch, Milestone
from monitor.core.values import CameraStatus, Cause
from monitor.core.wording import alert_text, camera_words, catalogue, headers, problem_words, word
from monitor.core.words import COLUMN, GROUPS, SHARE_COLUMNS
from monitor.export.summary import Period
from monitor.scoring.score import DayStatus
from monitor.store.users import Role

HAN = re.compile(r"[\u4e00-\u9fff]")
ENUMS: list[tuple[str, type[Enum]]] = [
    ("camera_status", CameraStatus),
    ("cause", Cause),
    ("alert_type", AlertType),
    ("severity", Severity),
    ("day_status", DayStatus),
    ("role", Role),
    ("assignment_state", State),
    ("batch", Batch),
    ("milestone", Milestone),
    ("period", Period),
]


@pytest.mark.parametrize(("group", "enum"), ENUMS, ids=[g for g, _ in ENUMS])
def test_every_member_has_chinese_and_english_words(group: str, enum: type[Enum]) -> None:
    for member in enum:
        key = member.name if isinstance(member.value, int) else str(member.value)
        zh, en = word(group, key, "zh"), word(group, key, "en")
        assert HAN.search(zh), f"{group}.{key} has no Chinese wording ({zh!r})"
        assert en and en != zh and not HAN.search(en), f"{group}.{key} has no English wording ({en!r})"


def test_every_group_and_the_states_without_an_enum_are_complete() -> None:
    for group, words in GROUPS.items():
        for key, (zh, en) in words.items():
            assert HAN.search(zh) or (group in ("phrase", "alert_text") and "{" in zh), (group, key, zh)
            assert en and not HAN.search(en), (group, key, en)
    assert {"no_score"} <= set(GROUPS["day_status"])  # the overview's site without a score yet
    assert set(GROUPS["milestone_state"]) == {"on_time", "late", "overdue", "pending", "no_plan"}
    assert set(GROUPS["proposal_state"]) == {"pending", "confirmed", "rejected"}
    assert set(PROBLEM_ZH) <= set(GROUPS["problem"])
    assert set(COLUMN) >= SHARE_COLUMNS


def test_the_catalogue_served_to_the_browser_holds_both_languages_of_every_group() -> None:
    served = catalogue()
    assert set(served) == {"zh", "en"}
    assert served["zh"]["cause"]["refused"] == "摄像机连接被拒绝"
    assert served["en"]["day_status"]["idle"] == "idle"
    assert set(served["zh"]) == set(served["en"]) == set(GROUPS)


@pytest.mark.parametrize(
    ("status", "cause", "expected"),
    [
        ("offline", "refused", "摄像机连接被拒绝"),
        ("frozen", "frozen", "画面静止不变（画面冻结），看不到现场"),
        ("offline", None, "离线"),  # a row written before causes: the status's words
        ("online", None, "在线"),
        ("weird", None, "未知"),
    ],
)
def test_a_camera_reads_as_its_cause_else_its_status(status: str, cause: str | None, expected: str) -> None:
    assert camera_words(status, cause) == expected


def test_alerts_read_as_sentences_with_names_and_the_dispatchers_words() -> None:
    offline = {"status": "offline", "since": "2026-11-25T00:00:00+00:00", "reason": "connection refused by rtsp://x"}
    text = alert_text("camera_offline", {**offline, "cause": "refused"}, "西州区第三中学", "东门")
    assert text == "西州区第三中学 东门：摄像机连接被拒绝"
    assert "rtsp" not in text and "refused" not in text
    assert alert_text("camera_offline", offline, "学校", "东门", cause="timeout").endswith("摄像机无响应（连接超时）")
    assert (
        alert_text("camera_frozen", {"reason": "same picture"}, "大桥", "1号")
        == "大桥 1号：画面静止不变（画面冻结），看不到现场"
    )
    idle = {"idle_hours": 2.345, "idle_days_in_a_row": 6}
    assert alert_text("site_idle", idle, "医院") == "医院：已 2.3 个工作小时无施工活动"
    assert alert_text("site_idle", idle, "医院", severity="critical") == "医院：连续 7 天停工"
    assert alert_text("site_idle", {}, "医院") == "医院：停工预警"  # held outside the working hours
    assert (
        alert_text("low_coverage", {"day": "2026-11-27", "coverage": 0.4}, "医院") == "医院：2026-11-27 视频覆盖率 40%"
    )
    start = alert_text("start_overdue", {"planned_start": "2026-11-01", "days_late": 27}, "芯片园")
    assert start == "芯片园：计划 2026-11-01 开工，已过 27 天，尚未确认开工" and "视频未见" not in start
    late = alert_text("assignment_overdue", {"assignments": [3, 5], "unit": "市卫健委"}, "医院")
    assert late == "医院：交办事项 #3、#5 已逾期（市卫健委）"
    assert alert_text("started_idle", {}, "医院") == "医院：开工后停工"  # details missing: the type's words
    english = alert_text("camera_offline", {**offline, "cause": "refused"}, "School", "East gate", lang="en")
    assert english == "School East gate: The camera refused the connection"


def test_headers_and_problems() -> None:
    assert headers(["rank", "site_id", "uptime"]) == ["排名", "项目编号", "在线率"]
    assert headers(["rank"], "en") == ["Rank"]
    assert problem_words("idle") == "停工" and problem_words("site_idle") == "停工预警"
    assert problem_words("连续一周无施工活动") == "连续一周无施工活动"  # an operator's own words stay
