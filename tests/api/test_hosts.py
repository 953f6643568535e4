"""DNS rebinding, against a real uvicorn server: a page of a foreign name that resolves to sitemon is of the
same origin as far as the browser knows (its Origin and Host both name it), so the cross-origin guard alone
lets its login guessing through. A browser's request must reach sitemon by a name it answers to."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy.orm import Session, sessionmaker

from api import create_app
from api.browser import host_allowed
from monitor.config import parse_config
from monitor.store import make_engine, make_session_factory, migrate
from monitor.store.repo import sync_config
from monitor.store.users import Role, add_user
from tests.fixtures.browser import served
from tests.fixtures.clock import NOW, fixed, ticking
from tests.helpers import config_dict

PASSWORD = "correct-horse-battery"
LOGIN = {"username": "duty", "password": PASSWORD}


@pytest.fixture
def world(tmp_path: Path) -> Iterator[tuple[str, sessionmaker[Session]]]:
    engine = make_engine(f"sqlite:///{tmp_path / 'sitemon.db'}")
    migrate(engine)
    sessions = make_session_factory(engine)
    config = parse_config(config_dict(api={"allowed_hosts": ["sitemon.example.gov.cn", "*.dispatch.local"]}))
    with sessions() as s:
        sync_config(s, config, fixed())
        add_user(s, "duty", PASSWORD, Role.operator, now=NOW)
    with served(create_app(sessions, tmp_path, config=config, clock=ticking())) as url:
        yield url, sessions
    engine.dispose()


def _post(url: str, host: str, origin: str | None) -> httpx.Response:
    headers = {"Host": host} | ({"Origin": origin} if origin else {})
    return httpx.post(url + "/api/auth/login", json=LOGIN, headers=headers, timeout=30)


def test_a_rebound_page_cannot_log_in_and_the_names_sitemon_answers_to_can(
    world: tuple[str, sessionmaker[Session]],
) -> None:
    url, _ = world
    port = url.rsplit(":", 1)[1]
    # Given a page of evil.example:PORT whose name now resolves to sitemon: Origin and Host both say evil.example
    rebound = _post(url, f"evil.example:{port}", f"http://evil.example:{port}")
    assert rebound.status_code == 400 and "evil.example" in rebound.json()["detail"]
    assert "api.allowed_hosts" in rebound.json()["detail"]
    probe = httpx.get(url + "/api/health", headers={"Host": "evil.example", "Sec-Fetch-Site": "same-origin"})
    assert probe.status_code == 400  # its reads too
    # The names sitemon answers to: its own by config, IP addresses, localhost.
    for host in (f"sitemon.example.gov.cn:{port}", f"wall.dispatch.local:{port}", f"127.0.0.1:{port}"):
        own = _post(url, host, f"http://{host}")
        assert own.status_code == 200, (host, own.text)
    assert _post(url, f"localhost:{port}", f"http://localhost:{port}").status_code == 200
    # A client that is no browser sends no Origin: it cannot be rebound, and the Host it names is its business.
    assert _post(url, f"evil.example:{port}", None).status_code == 200


@pytest.mark.parametrize(
    ("host", "allowed"),
    [
        ("127.0.0.1:8000", True),
        ("[::1]:8000", True),
        ("10.20.1.5", True),
        ("localhost:8000", True),
        ("LOCALHOST", True),
        ("sitemon.example.gov.cn:443", True),
        ("sitemon.example.gov.cn.", True),
        ("a.dispatch.local", True),
        ("dispatch.local", False),  # *.dispatch.local: the names under it
        ("evil.example", False),
        ("sitemon.example.gov.cn.evil.example", False),
        ("127.0.0.1.nip.io", False),  # a name, not an address
        ("", False),
    ],
)
def test_which_hosts_pass(host: str, allowed: bool) -> None:
    assert host_allowed(host, ("sitemon.example.gov.cn", "*.dispatch.local")) is allowed
