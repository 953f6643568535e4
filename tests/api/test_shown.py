"""Viewers read no URL at all; operators read it masked; nobody reads a password, even from old rows."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker

from api import create_app
from monitor.config import parse_config
from monitor.core.values import CameraKey, CameraStatus, Sample
from monitor.store import models
from monitor.store.repo import camera_pks, record_sample, sync_config
from tests.fixtures.clock import fixed, ticking
from tests.helpers import config_dict, logged_in

T0 = dt.datetime(2026, 11, 28, 2, 0, tzinfo=dt.UTC)
CAMERA = "rtsp://admin:Slash/Pw-CCC333@10.7.7.7:554/Streaming/101?access_token=tok-77777777"
# Rows as the old masking wrote them: the password in clear.
LEAKED = f"connection refused by {CAMERA}"
RECEIVER = "https://hook:Hash#Pw-4444@receiver.example/in;token=zz-9999999"
PATHS = ["/api/sites", "/api/sites/site1", "/api/alerts?state=open", "/api/deliveries"]


def _seed(sessions: sessionmaker[Session]) -> None:
    with sessions() as s:
        sync_config(s, parse_config(config_dict(["rtsp://10.7.7.7/x"])), fixed())
        pk = camera_pks(s)[CameraKey("site1", "cam1")]
        record_sample(s, pk, Sample(CameraKey("site1", "cam1"), T0, T0, CameraStatus.offline, reason=LEAKED))
        s.execute(update(models.Camera).values(status_reason=LEAKED))
        s.add(
            models.Alert(
                site_id="site1",
                camera_pk=pk,
                type="camera_offline",
                message=f"摄像机 cam1 离线: {LEAKED}",
                opened_at=T0,
            )
        )
        s.add(
            models.OutboxItem(
                topic="assessment",
                key=f"site1:{T0.date()}",
                site_id="site1",
                day=T0.date(),
                payload={},
                next_attempt_at=T0,
                created_at=T0,
                last_error=f"HTTP 500 from {RECEIVER}",
            )
        )
        s.commit()


@pytest.mark.parametrize("role", ["viewer", "operator", "admin"])
def test_no_response_holds_a_password_and_a_viewer_sees_no_url(
    sessions: sessionmaker[Session], tmp_path: Path, role: str
) -> None:
    _seed(sessions)
    client = logged_in(TestClient(create_app(sessions, tmp_path, clock=ticking())), sessions, role)
    bodies = {path: client.get(path).text for path in PATHS}
    for path, body in bodies.items():
        for secret in ("Slash", "CCC333", "tok-7777", "Hash", "4444", "zz-9999"):
            assert secret not in body, (path, secret)
        if role == "viewer":
            for place in ("://", "10.7.7.7", "Streaming", "receiver.example", "/in"):
                assert place not in body, (path, place)
            assert "[hidden]" in body, path
    if role != "viewer":
        assert "rtsp://admin:***@10.7.7.7:554/Streaming/101?access_token=***" in bodies["/api/sites"]
        assert "https://hook:***@receiver.example/in;token=***" in bodies["/api/deliveries"]


def test_the_overview_cache_keeps_viewers_and_operators_apart(sessions: sessionmaker[Session], tmp_path: Path) -> None:
    _seed(sessions)
    app = create_app(sessions, tmp_path, clock=ticking())
    operator = logged_in(TestClient(app), sessions, "operator")
    viewer = logged_in(TestClient(app), sessions, "viewer")
    assert "10.7.7.7" in operator.get("/api/sites").text
    assert "10.7.7.7" not in viewer.get("/api/sites").text
    assert "10.7.7.7" in operator.get("/api/sites").text
