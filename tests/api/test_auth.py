"""Access control: every endpoint but health needs a login; roles are enforced on the server."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from api import create_app
from monitor.alerts.lifecycle import apply
from monitor.alerts.rules import AlertKey, AlertType, Condition, Severity
from monitor.config import parse_config
from monitor.store import models
from monitor.store.repo import sync_config
from monitor.store.users import Role, UserError, add_user
from tests.fixtures.clock import NOW, fixed, ticking
from tests.helpers import config_dict, logged_in


@pytest.fixture
def app_sessions(sessions: sessionmaker[Session], tmp_path: Path):  # type: ignore[no-untyped-def]
    with sessions() as s:
        sync_config(s, parse_config(config_dict()), fixed())
        apply(
            s,
            [Condition(AlertKey("site1", "cam1", AlertType.camera_offline), Severity.critical, "离线")],
            NOW,
        )
    return create_app(sessions, tmp_path, clock=ticking()), sessions


@pytest.mark.parametrize(
    "path",
    [
        "/api/sites",
        "/api/alerts",
        "/api/deliveries",
        "/api/auth/me",
        "/api/exports/2026-11-27/xlsx",
        "/api/samples/1/snapshot",
    ],
)
def test_anonymous_requests_get_401(app_sessions, path: str) -> None:  # type: ignore[no-untyped-def]
    app, _ = app_sessions
    response = TestClient(app).get(path)
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"


def test_health_needs_no_login(app_sessions) -> None:  # type: ignore[no-untyped-def]
    app, _ = app_sessions
    assert TestClient(app).get("/api/health").status_code == 200


def test_a_viewer_sees_but_cannot_acknowledge_an_operator_can(app_sessions) -> None:  # type: ignore[no-untyped-def]
    app, sessions = app_sessions
    viewer = logged_in(TestClient(app), sessions, "viewer")
    alert = viewer.get("/api/alerts").json()[0]
    assert alert["type"] == "camera_offline" and alert["camera_id"] == "cam1"
    denied = viewer.post(f"/api/alerts/{alert['id']}/ack")
    assert denied.status_code == 403
    assert denied.json()["detail"] == "this needs the operator role; you are viewer"  # the role's name, not its rank
    operator = logged_in(TestClient(app), sessions, "operator")
    acked = operator.post(f"/api/alerts/{alert['id']}/ack").json()
    assert acked["state"] == "acknowledged" and acked["acknowledged_by"] == "operator 测试"
    assert operator.post(f"/api/alerts/{alert['id']}/ack").status_code == 409
    assert operator.post("/api/alerts/99999/ack").status_code == 404
    with sessions() as s:  # no webhook configured: nothing queued for one
        assert s.scalars(select(models.OutboxItem)).all() == []


def test_an_acknowledgement_is_queued_for_the_webhook(sessions: sessionmaker[Session], tmp_path: Path) -> None:
    data = config_dict()
    data["alerts"] = {"webhook": {"url": "https://dispatch.example/alerts"}}
    config = parse_config(data)
    with sessions() as s:
        sync_config(s, config, fixed())
        (opened,) = apply(
            s,
            [Condition(AlertKey("site1", "cam1", AlertType.camera_offline), Severity.critical, "离线")],
            NOW,
        )
    operator = logged_in(
        TestClient(create_app(sessions, tmp_path, config=config, clock=ticking())), sessions, "operator"
    )
    assert operator.post(f"/api/alerts/{opened.alert_id}/ack").status_code == 200
    with sessions() as s:
        (row,) = s.scalars(select(models.OutboxItem)).all()
    assert row.key == f"alert-{opened.alert_id}-acknowledged" and (row.topic, row.state) == ("alert", "pending")
    assert row.payload["event"] == "acknowledged" and row.payload["type"] == "camera_offline"


def test_wrong_passwords_and_bad_tokens_are_refused_and_passwords_are_hashed(app_sessions) -> None:  # type: ignore[no-untyped-def]
    app, sessions = app_sessions
    client = TestClient(app)
    logged_in(TestClient(app), sessions, "viewer", username="zhang")
    assert client.post("/api/auth/login", json={"username": "zhang", "password": "wrong-one!"}).status_code == 401
    assert client.post("/api/auth/login", json={"username": "nobody", "password": "x"}).status_code == 401
    assert client.post("/api/auth/login", json={"username": "zhang"}).status_code == 422
    assert client.get("/api/sites", headers={"Authorization": "Bearer forged"}).status_code == 401
    with sessions() as s:
        stored = s.scalars(select(models.User.password_hash).where(models.User.username == "zhang")).one()
        assert stored.startswith("$argon2") and "correct-horse" not in stored
        assert "correct-horse" not in str(s.scalars(select(models.ApiToken.token_hash)).all())


def test_the_cookie_logs_the_dashboard_in_and_logout_ends_it(app_sessions) -> None:  # type: ignore[no-untyped-def]
    app, sessions = app_sessions
    with sessions() as s:
        add_user(s, "li", "long-enough-pw", Role.viewer, now=NOW)
    client = TestClient(app)
    login = client.post("/api/auth/login", json={"username": "li", "password": "long-enough-pw"})
    assert login.status_code == 200 and (login.json()["role"], login.json()["display_name"]) == ("viewer", "li")
    assert client.get("/api/auth/me").json() == {"username": "li", "display_name": "li", "role": "viewer"}  # the cookie
    assert client.post("/api/auth/logout").status_code == 204
    assert client.get("/api/auth/me").status_code == 401


def test_user_rules(sessions: sessionmaker[Session]) -> None:
    with sessions() as s:
        add_user(s, "wang", "long-enough-pw", Role.admin, now=NOW)
        with pytest.raises(UserError, match="exists already"):
            add_user(s, "wang", "long-enough-pw", Role.admin, now=NOW)
        with pytest.raises(UserError, match="at least 8"):
            add_user(s, "zhao", "short", Role.viewer, now=NOW)
    with pytest.raises(ValueError, match="unknown role 'boss'"):
        Role.parse("boss")


def test_admin_actions_need_the_admin_role(sessions: sessionmaker[Session], tmp_path: Path) -> None:
    data = config_dict()
    data["export"] = {"folder": str(tmp_path / "exports")}
    config = parse_config(data)
    with sessions() as s:
        sync_config(s, config, fixed())
    app = create_app(sessions, tmp_path, config=config, clock=ticking())
    operator = logged_in(TestClient(app), sessions, "operator")
    yesterday = str(NOW.astimezone(config.tz).date() - dt.timedelta(days=1))
    assert operator.post(f"/api/admin/days/{yesterday}/rescore").status_code == 403
    admin = logged_in(TestClient(app), sessions, "admin")
    assert admin.post(f"/api/admin/days/{yesterday}/rescore").json() == {
        "day": yesterday,
        "done": "rescored",
        "count": 1,
    }
    assert admin.post(f"/api/admin/days/{yesterday}/export").json()["count"] == 3
    assert (tmp_path / "exports" / f"assessment-{yesterday}.xlsx").is_file()
    assert admin.post(f"/api/admin/days/{yesterday}/resend").json()["done"] == "queued"
    bare = logged_in(TestClient(create_app(sessions, tmp_path, clock=ticking())), sessions, "admin", username="admin2")
    assert bare.post(f"/api/admin/days/{yesterday}/rescore").status_code == 503


def test_a_nul_character_is_a_clear_400_not_a_database_error(app_sessions) -> None:  # type: ignore[no-untyped-def]
    """Found by schemathesis on PostgreSQL, whose text fields cannot hold NUL."""
    app, sessions = app_sessions
    client = TestClient(app)
    login = client.post("/api/auth/login", json={"username": "\x00", "password": "x"})
    assert login.status_code == 400 and "NUL" in login.json()["detail"]
    viewer = logged_in(TestClient(app), sessions, "viewer")
    for path in ("/api/alerts?site=%00", "/api/sites/site%001", "/api/sites?district=a%00b"):
        response = viewer.get(path)
        assert response.status_code == 400, path
    assert viewer.get("/api/alerts?site=site1").status_code == 200
