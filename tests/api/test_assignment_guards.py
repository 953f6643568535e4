"""The assignment loop's guards, on SQLite and PostgreSQL: alerts show the assignment they were given as; one
open assignment per site and issue (a second is asked first); 销号 with no work seen since needs a second
word; the unit's photo is an image by its bytes, capped, its own assignment only."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import cv2
import numpy as np
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from api import create_app
from monitor.alerts.lifecycle import apply
from monitor.alerts.rules import AlertKey, AlertType, Condition, Severity
from monitor.config import AppConfig
from monitor.store import models
from tests.api.units_world import PASSWORD, seed, world_config
from tests.fixtures.clock import NOW, fixed


def _client(sessions: sessionmaker[Session], config: AppConfig, snapshots: Path, username: str) -> TestClient:
    c = TestClient(create_app(sessions, snapshots, config=config, clock=fixed(NOW)))
    token = c.post("/api/auth/login", json={"username": username, "password": PASSWORD}).json()["token"]
    c.headers["Authorization"] = f"Bearer {token}"
    return c


def _jpeg(width: int = 64, height: int = 48) -> bytes:
    ok, data = cv2.imencode(".jpg", np.full((height, width, 3), 90, np.uint8))
    assert ok
    return data.tobytes()


def test_an_alert_given_as_an_assignment_reads_assigned_and_a_second_on_the_same_issue_is_asked_first(
    sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    config = world_config()
    ids = seed(sessions, config, tmp_path / "snap", NOW)
    operator = _client(sessions, config, tmp_path / "snap", "operator")
    alerts = {a["site_id"]: a for a in operator.get("/api/alerts").json()}
    assert alerts["site1"]["assignment_id"] is None
    assert alerts["site1"]["site_name"] == "测试工地1" and alerts["site1"]["text"]["zh"].startswith("测试工地1：")
    given = operator.post("/api/assignments", json={"alert_id": ids["alerts"]["site1"], "ask": "请复工"}).json()
    alerts = {a["site_id"]: a for a in operator.get("/api/alerts").json()}
    assert (alerts["site1"]["assignment_id"], alerts["site1"]["assignment_state"]) == (given["id"], "open")
    assert alerts["site2"]["assignment_id"] is None

    # The same site and issue again (an idle problem on an idle alert's site): a 409 naming the first.
    again = operator.post("/api/assignments", json={"site_id": "site1", "problem": "idle", "ask": "再次催办"})
    assert again.status_code == 409
    assert again.json()["detail"]["assignment_id"] == given["id"] and again.json()["detail"]["state"] == "open"
    # Another issue is another assignment; asked on purpose, the repeat is given too.
    assert (
        operator.post("/api/assignments", json={"site_id": "site1", "problem": "outage", "ask": "修摄像机"}).status_code
        == 201
    )
    sure = operator.post(
        "/api/assignments", json={"site_id": "site1", "problem": "idle", "ask": "再次催办", "again": True}
    )
    assert sure.status_code == 201
    # Closed, the issue is free again.
    with sessions() as s:
        for row in s.scalars(select(models.Assignment).where(models.Assignment.site_id == "site2")):
            row.state = "closed"
        s.commit()
    assert (
        operator.post("/api/assignments", json={"site_id": "site2", "problem": "idle", "ask": "x"}).status_code == 201
    )


def test_closing_with_no_work_seen_since_needs_a_second_word(sessions: sessionmaker[Session], tmp_path: Path) -> None:
    config = world_config()
    seed(sessions, config, tmp_path / "snap", NOW)
    operator = _client(sessions, config, tmp_path / "snap", "operator")
    made = operator.post("/api/assignments", json={"site_id": "site2", "problem": "idle", "ask": "复工"}).json()
    # Given today: no day since has been active (today is not scored yet).
    refused = operator.post(f"/api/assignments/{made['id']}/close", json={"note": "已复工"})
    assert refused.status_code == 409 and refused.json()["detail"]["active_days"] == 0
    assert operator.get(f"/api/assignments/{made['id']}").json()["state"] == "open"
    closed = operator.post(
        f"/api/assignments/{made['id']}/close", json={"note": "电话核实", "despite_no_activity": True}
    )
    assert closed.status_code == 200 and closed.json()["state"] == "closed"


def test_the_units_photo_is_an_image_by_its_bytes_capped_and_its_own(
    sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    config = world_config()
    snapshots = tmp_path / "snap"
    seed(sessions, config, snapshots, NOW)
    operator = _client(sessions, config, snapshots, "operator")
    unit_a = _client(sessions, config, snapshots, "unit-a")
    unit_b = _client(sessions, config, snapshots, "unit-b")
    viewer = _client(sessions, config, snapshots, "viewer")
    made = operator.post("/api/assignments", json={"site_id": "site1", "problem": "idle", "ask": "复工"}).json()
    url = f"/api/assignments/{made['id']}/photo"
    jpeg = {"Content-Type": "image/jpeg"}

    assert unit_a.get(url).status_code == 404  # none yet
    # Not an image, whatever it claims: a script named as a JPEG; bytes that start like one but do not decode.
    assert unit_a.post(url, content=b"<script>alert(1)</script>", headers=jpeg).status_code == 415
    assert unit_a.post(url, content=b"\xff\xd8\xff" + b"\x00" * 500, headers=jpeg).status_code == 415
    assert unit_a.post(url, content=b"x" * (6 * 1024 * 1024), headers=jpeg).status_code == 413
    # Only the unit, and only its own; not once closed.
    assert operator.post(url, content=_jpeg(), headers=jpeg).status_code == 403
    assert unit_b.post(url, content=_jpeg(), headers=jpeg).status_code == 404
    assert TestClient(operator.app).post(url, content=_jpeg(), headers=jpeg).status_code == 401

    ok, png = cv2.imencode(".png", np.full((3000, 2000, 3), 200, np.uint8))
    assert ok and len(png) > 256 * 1024 // 64  # a PNG, larger than the JSON bodies' cap allows would be fine too
    sent = unit_a.post(url, content=png.tobytes(), headers={"Content-Type": "image/png"})
    assert sent.status_code == 200, sent.text
    assert sent.json()["photo_url"] == url
    for reader in (unit_a, viewer, operator):
        answer = reader.get(url)
        assert answer.status_code == 200 and answer.headers["content-type"] == "image/jpeg"
    stored = cv2.imdecode(np.frombuffer(viewer.get(url).content, np.uint8), cv2.IMREAD_COLOR)
    assert stored is not None and max(stored.shape[:2]) == 1920  # re-encoded, at most 1920 px
    assert unit_b.get(url).status_code == 404
    files = list((snapshots / "_assignments" / str(made["id"])).glob("*.jpg"))
    assert len(files) == 1
    # A second photo replaces the first; the reply keeps it.
    assert unit_a.post(url, content=_jpeg(), headers=jpeg).status_code == 200
    assert len(list((snapshots / "_assignments" / str(made["id"])).glob("*.jpg"))) == 1
    assert unit_a.post(f"/api/assignments/{made['id']}/reply", json={"note": "已复工"}).json()["photo_url"] == url
    with sessions() as s:
        row = s.get(models.Assignment, made["id"])
        assert row is not None
        row.state = "closed"
        s.commit()
    assert unit_a.post(url, content=_jpeg(), headers=jpeg).status_code == 409


def test_camera_alerts_read_as_the_cause_with_names_not_ids(sessions: sessionmaker[Session], tmp_path: Path) -> None:
    config = world_config()
    seed(sessions, config, tmp_path / "snap", NOW)
    with sessions() as s:
        cam = s.scalars(select(models.Camera).where(models.Camera.site_id == "site2")).one()
        cam.name, cam.status, cam.status_cause = "东门", "offline", "refused"
        s.commit()
        details = {"status": "offline", "reason": "connection refused by rtsp://127.0.0.1:8554/b", "cause": "refused"}
        key = AlertKey("site2", "cam1", AlertType.camera_offline)
        apply(s, [Condition(key, Severity.critical, "摄像机 cam1 离线 30 分钟: connection refused", details)], NOW)
    viewer = _client(sessions, config, tmp_path / "snap", "viewer")
    (alert,) = [a for a in viewer.get("/api/alerts").json() if a["type"] == "camera_offline"]
    assert alert["cause"] == "refused" and alert["camera_name"] == "东门"
    assert alert["text"] == {
        "zh": "测试工地2 东门：摄像机连接被拒绝",
        "en": "测试工地2 东门: The camera refused the connection",
    }
    sites = {s["id"]: s for s in viewer.get("/api/sites").json()}
    assert sites["site2"]["cameras"][0]["status_cause"] == "refused"


def test_the_wording_route_serves_the_catalogue_and_the_servers_day(
    sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    config = world_config()
    seed(sessions, config, tmp_path / "snap", NOW)
    for who in ("viewer", "unit-a"):
        words = _client(sessions, config, tmp_path / "snap", who).get("/api/wording").json()
        assert words["zh"]["cause"]["refused"] == "摄像机连接被拒绝" and words["en"]["role"]["unit"]
        assert words["today"] == str(NOW.astimezone(config.tz).date()) and words["timezone"] == "Asia/Shanghai"
        assert dt.datetime.fromisoformat(words["now"]) == NOW
    assert TestClient(create_app(sessions, tmp_path, clock=fixed())).get("/api/wording").status_code == 401
