"""Issue 18's loop against SQLite and PostgreSQL: alert -> assignment -> the unit logs in and replies ->
the site works again -> closed; another unit can neither see nor touch it; an overdue one alerts once."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from monitor.alerts.engine import evaluate
from monitor.alerts.lifecycle import AlertEvent
from monitor.assignments.store import refresh
from monitor.config import AppConfig
from monitor.store import models
from tests.api.units_world import UNIT_A, UNIT_B, client, seed, world_config
from tests.fixtures.clock import NOW


def _after_sweep(session: Session, config: AppConfig, at: dt.datetime) -> list[AlertEvent]:
    """The steps after a sweep that these tests need: the assignments' states, then the alert rules."""
    refresh(session, config, config.calendar.day_of(at))
    return evaluate(session, config, at)


pytestmark = pytest.mark.calendar  # follows the pinned NOW: scripts/calendar-check runs it at the edges


def _scores(sessions: sessionmaker[Session], site_id: str, first: dt.date, statuses: list[str]) -> None:
    with sessions() as s:
        for k, status in enumerate(statuses):
            day = first + dt.timedelta(days=k)
            row = s.scalars(select(models.DailyScore).filter_by(site_id=site_id, day=day)).first()
            if row is None:
                row = models.DailyScore(site_id=site_id, day=day, components={}, computed_at=NOW)
                s.add(row)
            row.status, row.score = status, 80.0 if status == "active" else 5.0
        s.commit()


def test_the_whole_loop(sessions: sessionmaker[Session], tmp_path: Path) -> None:
    config = world_config()
    ids = seed(sessions, config, tmp_path / "snap", NOW)
    today = NOW.astimezone(config.tz).date()
    operator = client(sessions, config, tmp_path / "snap", "operator")
    unit_a = client(sessions, config, tmp_path / "snap", "unit-a")
    unit_b = client(sessions, config, tmp_path / "snap", "unit-b")

    # The operator turns site1's idle alert into an assignment: it goes to site1's unit.
    given = operator.post("/api/assignments", json={"alert_id": ids["alerts"]["site1"], "ask": "请核实停工原因并复工"})
    assert given.status_code == 201, given.text
    a = given.json()
    assert (a["unit"], a["site_id"], a["problem"], a["state"]) == (UNIT_A, "site1", "site_idle", "open")
    assert a["deadline"] == str(today + dt.timedelta(days=config.assignments.deadline_days))
    assert a["assigned_by"] == "调度员"
    # A unit cannot give assignments; a bad body names the field.
    assert unit_a.post("/api/assignments", json={"site_id": "site1", "problem": "idle", "ask": "x"}).status_code == 403
    bad = operator.post("/api/assignments", json={"site_id": "site1", "ask": "x"})
    assert bad.status_code == 422 and "problem" in bad.text
    control = operator.post("/api/assignments", json={"site_id": "site1", "problem": "idle", "ask": "a\bb"})
    assert control.status_code == 422 and "ask" in control.text and "control character" in control.text
    past = operator.post(
        "/api/assignments",
        json={"site_id": "site1", "problem": "idle", "ask": "x", "deadline": str(today - dt.timedelta(days=1))},
    )
    assert past.status_code == 422
    # in the shape the schema documents (HTTPValidationError), as every other 422
    (error,) = past.json()["detail"]
    assert error["loc"] == ["body", "deadline"] and "in the past" in error["msg"] and error["type"] == "value_error"

    # The unit logs in and sees it; the other unit sees nothing and can touch nothing.
    assert [x["id"] for x in unit_a.get("/api/assignments").json()] == [a["id"]]
    assert unit_b.get("/api/assignments").json() == []
    assert unit_b.get(f"/api/assignments?unit={UNIT_A}").json() == []
    for path in (f"/api/assignments/{a['id']}", f"/api/assignments/{a['id']}/evidence"):
        assert unit_b.get(path).status_code == 404
    assert unit_b.post(f"/api/assignments/{a['id']}/reply", json={"note": "不是我们的"}).status_code == 404
    assert unit_b.post(f"/api/assignments/{a['id']}/close", json={}).status_code == 403
    assert operator.post(f"/api/assignments/{a['id']}/reply", json={"note": "x"}).status_code == 403

    replied = unit_a.post(f"/api/assignments/{a['id']}/reply", json={"note": "已组织复工，塔吊恢复作业"})
    assert replied.status_code == 200 and replied.json()["state"] == "replied"
    assert replied.json()["replied_by"] == "城东联络员"
    assert unit_a.post(f"/api/assignments/{a['id']}/reply", json={"note": "again"}).status_code == 409

    # Days pass: the assignment was given 5 days ago, and the site has been active 3 days in a row since.
    with sessions() as s:
        row = s.get(models.Assignment, a["id"])
        assert row is not None
        row.assigned_at = NOW - dt.timedelta(days=5)
        s.commit()
    given_day = (NOW - dt.timedelta(days=5)).astimezone(config.tz).date()
    _scores(sessions, "site1", given_day, ["idle", "idle", "active", "active", "active"])
    with sessions() as s:
        _after_sweep(s, config, NOW)
    seen = operator.get(f"/api/assignments/{a['id']}").json()
    assert seen["resumed_on"] == str(given_day + dt.timedelta(days=4))

    # The operator closes on the evidence: the active days and the latest picture.
    proof = operator.get(f"/api/assignments/{a['id']}/evidence").json()
    assert proof["active_days"] == 3 and [d["status"] for d in proof["days"]][:2] == ["idle", "idle"]
    (snap,) = proof["snapshots"]
    picture = operator.get(snap["url"])
    assert picture.status_code == 200 and picture.headers["content-type"] == "image/jpeg"
    assert unit_a.get(snap["url"]).status_code == 200
    assert unit_b.get(snap["url"]).status_code == 404
    closed = operator.post(f"/api/assignments/{a['id']}/close", json={"note": "视频核实已复工，销号"})
    assert closed.status_code == 200 and closed.json()["state"] == "closed"
    assert closed.json()["closed_by"] == "调度员"
    assert operator.post(f"/api/assignments/{a['id']}/close", json={}).status_code == 409
    assert unit_a.get("/api/assignments").json() == []
    assert [x["state"] for x in unit_a.get("/api/assignments?state=closed").json()] == ["closed"]

    # The weekly list: the unit's workbook holds its own only.
    book = load_workbook(io.BytesIO(unit_a.get(f"/api/assignments/weekly.xlsx?date={given_day}").content))
    rows = list(book.active.iter_rows(values_only=True))
    assert rows[0][:3] == ("编号", "项目编号", "项目名称") and [r[1] for r in rows[1:]] == ["site1"]
    assert rows[1][10] == "已销号"
    other = load_workbook(
        io.BytesIO(unit_b.get(f"/api/assignments/weekly.xlsx?date={given_day}&unit={UNIT_A}").content)
    )
    assert len(list(other.active.iter_rows(values_only=True))) == 1  # headers only


def test_an_overdue_assignment_alerts_once(sessions: sessionmaker[Session], tmp_path: Path) -> None:
    config = world_config()
    seed(sessions, config, tmp_path / "snap", NOW)
    today = NOW.astimezone(config.tz).date()
    operator = client(sessions, config, tmp_path / "snap", "operator")
    unit_b = client(sessions, config, tmp_path / "snap", "unit-b")
    made = operator.post(
        "/api/assignments", json={"site_id": "site2", "problem": "outage", "ask": "修复摄像机", "deadline": str(today)}
    ).json()
    assert made["unit"] == UNIT_B

    def overdue_alerts() -> list[models.Alert]:
        with sessions() as s:
            return list(s.scalars(select(models.Alert).filter_by(type="assignment_overdue")))

    with sessions() as s:
        _after_sweep(s, config, NOW)
    assert overdue_alerts() == []
    later = NOW + dt.timedelta(days=2)
    opened = []
    for k in range(3):
        with sessions() as s:
            events = _after_sweep(s, config, later + dt.timedelta(minutes=k))
        opened += [e for e in events if e.type == "assignment_overdue"]
    assert [e.kind for e in opened] == ["opened"]
    (alert,) = overdue_alerts()
    assert alert.site_id == "site2" and alert.state == "open" and f"#{made['id']}" in alert.message
    with sessions() as s:
        row = s.get(models.Assignment, made["id"])
        assert row is not None and row.state == "overdue" and row.overdue_since == (later.astimezone(config.tz).date())
    # Shown overdue to the unit; its reply ends the alert.
    assert [x["state"] for x in unit_b.get("/api/assignments").json()] == ["overdue"]
    assert unit_b.post(f"/api/assignments/{made['id']}/reply", json={"note": "已修复"}).status_code == 200
    with sessions() as s:
        events = _after_sweep(s, config, later + dt.timedelta(minutes=10))
    assert [e.kind for e in events if e.type == "assignment_overdue"] == ["resolved"]


def test_a_site_without_a_responsible_unit_is_a_422_naming_the_field_in_the_documented_shape(
    sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    """Schemathesis found a 422 whose ``detail`` was a string; the schema promises a list of errors, each with
    ``loc``, ``msg`` and ``type``."""
    config = world_config(site2_unit="")
    ids = seed(sessions, config, tmp_path / "snap", NOW)
    operator = client(sessions, config, tmp_path / "snap", "operator")
    schema = operator.get("/openapi.json").json()
    documented = schema["paths"]["/api/assignments"]["post"]["responses"]["422"]["content"]["application/json"]
    assert documented["schema"]["$ref"] == "#/components/schemas/HTTPValidationError"
    for body, field in (
        ({"site_id": "site2", "problem": "idle", "ask": "请复工"}, "site_id"),
        ({"alert_id": ids["alerts"]["site2"], "ask": "请复工"}, "alert_id"),
    ):
        answer = operator.post("/api/assignments", json=body)
        assert answer.status_code == 422
        (error,) = answer.json()["detail"]
        assert (
            error["loc"] == ["body", field]
            and error["msg"] == "site site2 has no responsible_unit in the configuration"
        )
