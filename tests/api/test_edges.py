"""Edge inputs the API promises never to answer with a 500: huge ids, days at the ends of the calendar,
a lone surrogate in a JSON body, days that have not happened yet."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from api import create_app
from monitor.config import parse_config
from monitor.store.repo import sync_config
from tests.fixtures.clock import NOW, fixed, ticking
from tests.helpers import config_dict, logged_in

pytestmark = pytest.mark.calendar  # follows the pinned NOW: scripts/calendar-check runs it at the edges

TOO_BIG = str(2**63)


@pytest.fixture
def admin(sessions: sessionmaker[Session], tmp_path: Path) -> TestClient:
    data = config_dict()
    data["export"] = {"folder": str(tmp_path / "exports")}
    config = parse_config(data)
    with sessions() as s:
        sync_config(s, config, fixed())
    return logged_in(
        TestClient(create_app(sessions, tmp_path, tmp_path / "exports", config=config, clock=ticking())), sessions
    )


def _field(response: Any) -> list[str]:
    return [str(part) for part in response.json()["detail"][0]["loc"]]


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", f"/api/samples/{TOO_BIG}/snapshot"),
        ("POST", f"/api/alerts/{TOO_BIG}/ack"),
        ("GET", "/api/samples/0/snapshot"),
        ("POST", "/api/alerts/-1/ack"),
    ],
)
def test_ids_outside_a_database_integer_are_422(admin: TestClient, method: str, path: str) -> None:
    response = admin.request(method, path)
    assert response.status_code == 422
    assert _field(response)[0] == "path"


@pytest.mark.parametrize(
    ("path", "params", "field"),
    [
        ("/api/rankings", {"period": "week", "day": "9999-12-31"}, "day"),
        ("/api/rankings", {"period": "quarter", "day": "9999-12-31"}, "day"),
        ("/api/rankings", {"period": "month", "day": "0001-01-01"}, "day"),
        ("/api/scores", {"day": "9999-12-31"}, "day"),
        ("/api/deliveries", {"day": "0001-01-01"}, "day"),
        ("/api/exports/9999-12-31/json", {}, "day"),
    ],
)
def test_days_at_the_ends_of_the_calendar_are_422_naming_the_field(
    admin: TestClient, path: str, params: dict[str, str], field: str
) -> None:
    response = admin.get(path, params=params)
    assert response.status_code == 422
    assert _field(response)[-1] == field


@pytest.mark.parametrize("action", ["rescore", "export", "resend"])
@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_admin_days_at_the_ends_of_the_calendar_are_422(admin: TestClient, action: str, day: str) -> None:
    response = admin.post(f"/api/admin/days/{day}/{action}")
    assert response.status_code == 422
    assert _field(response) == ["path", "day"]


@pytest.mark.parametrize("action", ["rescore", "export", "resend"])
def test_admin_actions_on_a_day_that_has_not_happened_are_refused(admin: TestClient, action: str) -> None:
    tomorrow = (NOW + dt.timedelta(days=2)).date()
    response = admin.post(f"/api/admin/days/{tomorrow}/{action}")
    assert response.status_code == 422
    assert _field(response) == ["path", "day"]
    assert tomorrow.isoformat() in response.json()["detail"][0]["msg"]


def test_an_admin_export_of_today_is_written_and_marked_partial_while_the_day_runs(
    admin: TestClient, tmp_path: Path
) -> None:
    tz = ZoneInfo("Asia/Shanghai")
    now = NOW.astimezone(tz)
    response = admin.post(f"/api/admin/days/{now.date()}/export")
    assert response.status_code == 200
    data = json.loads((tmp_path / "exports" / f"assessment-{now.date()}.json").read_text(encoding="utf-8"))
    assert data["partial"] == (now.time() < dt.time(19, 0))  # the default working hours end at 19:00


@pytest.mark.parametrize("body", ['{"username": "\\ud800", "password": "x"}', '{"username": "a", "\\udfff": 1}'])
def test_a_lone_surrogate_in_a_json_body_is_a_400(admin: TestClient, body: str) -> None:
    response = admin.post("/api/auth/login", content=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    assert "surrogate" in response.json()["detail"]


def test_a_surrogate_pair_is_ordinary_text(admin: TestClient) -> None:
    body = '{"username": "\\ud83d\\ude00", "password": "x"}'  # an emoji, escaped as JSON allows
    response = admin.post("/api/auth/login", content=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 401


RAW_SURROGATE = b"\xed\xa0\x80"  # U+D800 written as UTF-8 bytes: no UTF-8, yet Python's JSON parser takes it


@pytest.mark.parametrize("bad", [RAW_SURROGATE, b"\xff", b"\xc3"])
def test_raw_bytes_that_are_no_utf8_are_a_400_at_login_password_and_reply(
    sessions: sessionmaker[Session], tmp_path: Path, bad: bytes
) -> None:
    """Given a unit's open assignment, when the login (no token), the password change and the unit's reply
    get a JSON body whose text holds raw bytes that are not UTF-8, then each is a 400, never a 500."""
    from tests.api.units_world import client, seed, world_config

    config = world_config()
    seed(sessions, config, tmp_path / "snap", NOW)
    operator = client(sessions, config, tmp_path / "snap", "operator")
    given = operator.post("/api/assignments", json={"site_id": "site1", "problem": "idle", "ask": "请复工"})
    unit = client(sessions, config, tmp_path / "snap", "unit-a")
    anonymous = TestClient(create_app(sessions, tmp_path / "snap", config=config, clock=fixed()))
    json_type = {"Content-Type": "application/json"}
    cases = [
        (anonymous, "/api/auth/login", b'{"username": "a' + bad + b'", "password": "correct-horse-battery"}'),
        (unit, "/api/auth/password", b'{"current": "correct-horse-battery", "new": "new-pass-' + bad + b'"}'),
        (unit, f"/api/assignments/{given.json()['id']}/reply", b'{"note": "' + bad + b'"}'),
    ]
    for who, path, body in cases:
        response = who.post(path, content=body, headers=json_type)
        assert response.status_code == 400, (path, response.text)
    assert unit.get(f"/api/assignments/{given.json()['id']}").json()["state"] == "open"  # nothing was written
