"""Users can be disabled, get new passwords and be logged out everywhere: from the CLI and the admin API."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from api import create_app
from monitor.assignments.units import bind
from monitor.cli import main
from monitor.store.users import (
    Role,
    UnknownUser,
    account,
    add_user,
    listing,
    login,
    revoke_sessions,
    set_active,
    set_password,
    user_for_token,
)
from tests.fixtures.clock import ticking
from tests.helpers import logged_in

NOW = dt.datetime(2026, 11, 28, 12, tzinfo=dt.UTC)
PASSWORD = "correct-horse-battery"


def test_disabling_a_user_or_changing_the_password_ends_every_session(sessions: sessionmaker[Session]) -> None:
    with sessions() as s:
        add_user(s, "li", PASSWORD, Role.viewer, now=NOW)
        first, second = login(s, "li", PASSWORD, NOW), login(s, "li", PASSWORD, NOW)
        assert first and second
        assert set_active(s, "li", False) == 2
        assert user_for_token(s, first, NOW) is None and login(s, "li", PASSWORD, NOW) is None
        assert set_active(s, "li", True) == 0
        third = login(s, "li", PASSWORD, NOW)
        assert third and set_password(s, "li", "a-new-password") == 1
        assert user_for_token(s, third, NOW) is None
        assert login(s, "li", PASSWORD, NOW) is None and login(s, "li", "a-new-password", NOW)
        assert revoke_sessions(s, "li") == 1
        with pytest.raises(UnknownUser, match="no user 'nobody'"):
            revoke_sessions(s, "nobody")


def test_the_users_commands(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    db = ["--database-url", f"sqlite:///{tmp_path / 'db.sqlite'}"]
    monkeypatch.setenv("SITEMON_PASSWORD", PASSWORD)
    assert main(["users", "add", "zhang", "--role", "operator", "--name", "张三", *db]) == 0
    assert main(["users", "revoke", "zhang", *db]) == 0
    assert main(["users", "disable", "zhang", *db]) == 0
    assert "user zhang disabled; 0 session(s) ended" in capsys.readouterr().out
    assert main(["users", "list", *db]) == 0
    assert "zhang\toperator\t张三\tdisabled\t0 session(s)" in capsys.readouterr().out
    assert main(["users", "enable", "zhang", *db]) == 0
    monkeypatch.setenv("SITEMON_PASSWORD", "short")
    assert main(["users", "passwd", "zhang", *db]) == 2
    monkeypatch.setenv("SITEMON_PASSWORD", "another-long-one")
    assert main(["users", "passwd", "zhang", *db]) == 0
    assert main(["users", "disable", "nobody", *db]) == 2
    out = capsys.readouterr()
    assert "password of zhang changed; 0 session(s) ended" in out.out
    assert "no user 'nobody'" in out.err


def test_admins_manage_users_over_the_api(sessions: sessionmaker[Session], tmp_path: Path) -> None:
    app = create_app(sessions, tmp_path, clock=ticking())
    admin = logged_in(TestClient(app), sessions, "admin")
    viewer = logged_in(TestClient(app), sessions, "viewer")
    assert viewer.get("/api/admin/users").status_code == 403
    body = {"username": "wang", "password": PASSWORD, "role": "operator", "display_name": "王五"}
    created = admin.post("/api/admin/users", json=body)
    assert created.status_code == 201 and created.json()["active"] is True
    assert admin.post("/api/admin/users", json=body).status_code == 409
    wang = TestClient(app)
    token = wang.post("/api/auth/login", json={"username": "wang", "password": PASSWORD}).json()["token"]
    wang.headers["Authorization"] = f"Bearer {token}"
    listed = {u["username"]: u for u in admin.get("/api/admin/users").json()}
    assert listed["wang"]["sessions"] == 1 and listed["viewer-user"]["role"] == "viewer"
    assert admin.post("/api/admin/users/wang/revoke").json() == {"username": "wang", "sessions_ended": 1}
    assert wang.get("/api/auth/me").status_code == 401
    assert admin.post("/api/admin/users/wang/password", json={"password": "short"}).status_code == 422
    assert admin.post("/api/admin/users/wang/password", json={"password": "new-password-1"}).status_code == 200
    assert admin.post("/api/admin/users/wang/disable").json()["sessions_ended"] == 0
    refused = wang.post("/api/auth/login", json={"username": "wang", "password": "new-password-1"})
    assert refused.status_code == 401
    assert admin.post("/api/admin/users/wang/enable").status_code == 200
    assert wang.post("/api/auth/login", json={"username": "wang", "password": "new-password-1"}).status_code == 200
    assert admin.post("/api/admin/users/admin-user/disable").status_code == 409
    assert admin.post("/api/admin/users/nobody/revoke").status_code == 404


def test_users_change_their_own_password(sessions: sessionmaker[Session], tmp_path: Path) -> None:
    app = create_app(sessions, tmp_path, clock=ticking())
    li = logged_in(TestClient(app), sessions, "viewer", username="li")
    assert li.post("/api/auth/password", json={"current": "wrong-one", "new": "new-password-1"}).status_code == 403
    assert li.post("/api/auth/password", json={"current": PASSWORD, "new": "short"}).status_code == 422
    assert li.post("/api/auth/password", json={"current": PASSWORD, "new": "new-password-1"}).status_code == 204
    assert li.get("/api/auth/me").status_code == 401  # every session ended, this one too
    again = TestClient(app).post("/api/auth/login", json={"username": "li", "password": "new-password-1"})
    assert again.status_code == 200
    assert TestClient(app).post("/api/auth/password", json={"current": "x", "new": "new-password-2"}).status_code == 401


def test_the_admins_list_has_each_users_live_sessions_and_a_unit_users_unit(sessions: sessionmaker[Session]) -> None:
    with sessions() as s:
        for name, role in (("zhou", Role.unit), ("wu", Role.unit), ("li", Role.viewer)):
            add_user(s, name, PASSWORD, role, now=NOW)
        bind(s, "zhou", "城东街道")
        assert login(s, "li", PASSWORD, NOW) and login(s, "li", PASSWORD, NOW - dt.timedelta(hours=13))
        listed = [(u.account.username, u.account.role, u.sessions, u.unit) for u in listing(s, NOW)]
        assert account(s, "zhou") == next(u.account for u in listing(s, NOW) if u.account.username == "zhou")
        assert account(s, "nobody") is None
    # li's older session has run out; wu belongs to no unit yet, so sees nothing
    assert listed == [("li", Role.viewer, 1, None), ("wu", Role.unit, 0, ""), ("zhou", Role.unit, 0, "城东街道")]
