"""Issue 14, against a real uvicorn process: bodies, logins, sessions, cross-site requests, headers."""

from __future__ import annotations

import contextlib
import select
import socket
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

import httpx
import pytest

from monitor.alerts.lifecycle import apply
from monitor.alerts.rules import AlertKey, AlertType, Condition, Severity
from monitor.config import parse_config
from monitor.store import make_engine, make_session_factory, migrate
from monitor.store.repo import sync_config
from monitor.store.users import Role, add_user
from tests.fixtures.api_server import ApiServer, api_server
from tests.fixtures.clock import NOW, fixed
from tests.helpers import config_dict

pytestmark = pytest.mark.slow
PASSWORD = "correct-horse-battery"
MB = 1024 * 1024


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ApiServer]:
    tmp = tmp_path_factory.mktemp("security")
    url = f"sqlite:///{tmp / 'db.sqlite'}"
    engine = make_engine(url)
    migrate(engine)
    with make_session_factory(engine)() as s:
        sync_config(s, parse_config(config_dict()), fixed())
        key = AlertKey("site1", "cam1", AlertType.camera_offline)
        apply(s, [Condition(key, Severity.critical, "离线")], NOW)
        for role in Role:
            add_user(s, role.name, PASSWORD, role, now=NOW)
        add_user(s, "target", PASSWORD, Role.viewer, now=NOW)
    engine.dispose()
    with api_server(url, tmp / "snapshots") as running:
        yield running


def _raw_post(
    server: ApiServer, path: str, head: dict[str, str], chunks: int = 0, chunk: int = 64 * 1024
) -> tuple[int, int]:
    """Send a POST's head, then up to ``chunks`` chunks of a chunked body while the server has not answered.
    Returns the status the server answered and the body bytes sent by then."""
    parts = urlsplit(server.url)
    lines = [f"POST {path} HTTP/1.1", f"Host: {parts.netloc}", *(f"{k}: {v}" for k, v in head.items())]
    with socket.create_connection((parts.hostname, parts.port), timeout=10) as sock:
        sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        sent = 0
        data = f"{chunk:x}\r\n".encode() + b"a" * chunk + b"\r\n"
        for _ in range(chunks):
            if select.select([sock], [], [], 0)[0]:
                break  # the server has answered
            try:
                sock.sendall(data)
            except (BrokenPipeError, ConnectionResetError):
                break
            sent += chunk
        sock.settimeout(5)
        answer = sock.recv(4096)
    return int(answer.split(b" ")[1]), sent


def test_an_oversized_body_is_refused_by_its_length_before_it_is_sent(server: ApiServer) -> None:
    # Given a 50 MB Content-Length and not a byte of body sent, the server answers at once (recv would time out).
    status, _ = _raw_post(
        server, "/api/auth/login", {"Content-Length": str(50 * MB), "Content-Type": "application/json"}
    )
    assert status == 413


def test_an_anonymous_body_is_refused_before_it_is_read(server: ApiServer) -> None:
    status, _ = _raw_post(server, "/api/alerts/1/ack", {"Content-Length": "1000", "Content-Type": "application/json"})
    assert status == 401
    status, sent = _raw_post(server, "/api/alerts/1/ack", {"Transfer-Encoding": "chunked"}, chunks=800)
    assert status == 401 and sent < 5 * MB


def test_a_chunked_upload_is_cut_off_at_the_cap_without_the_server_growing(server: ApiServer) -> None:
    # Given 50 MB streamed in 64 KB chunks to the one endpoint that takes a body without a login
    before = server.peak_rss_mb()
    status, sent = _raw_post(server, "/api/auth/login", {"Transfer-Encoding": "chunked"}, chunks=800)
    # Then the server stopped it at 256 KB: the client could send little more, and the process did not grow.
    assert status == 413
    assert sent < 10 * MB
    assert server.peak_rss_mb() - before < 20


def _login(server: ApiServer, username: str, password: str, address: str) -> httpx.Response:
    body = {"username": username, "password": password}
    return httpx.post(server.url + "/api/auth/login", json=body, headers={"X-Forwarded-For": address}, timeout=60)


def test_forty_parallel_logins_neither_stall_health_nor_grow_the_server(server: ApiServer) -> None:
    # Given 40 logins at once, each from its own address (the server trusts the proxy on 127.0.0.1)
    before = server.peak_rss_mb()
    checked_at: list[float] = []  # when each login that was checked (not sent away) answered
    health_at: list[float] = []

    def login(i: int) -> int:
        status = _login(server, f"nobody{i}", "wrong-password", f"10.1.0.{i}").status_code
        if status == 401:
            checked_at.append(time.monotonic())
        return status

    def health() -> int:
        time.sleep(0.2)  # the logins are in flight by now
        status = httpx.get(server.url + "/api/health", timeout=60).status_code
        health_at.append(time.monotonic())
        return status

    with ThreadPoolExecutor(41) as pool:
        logins = [pool.submit(login, i) for i in range(40)]
        checked = pool.submit(health)
        statuses = [f.result() for f in logins]
    # Then health answered while most logins were still waiting, hashing ran a few at a time, the rest were
    # told to come back, and the server's memory grew by a few hashes, not forty.
    assert checked.result() == 200
    checked_at.sort()
    assert health_at[0] < checked_at[len(checked_at) // 2]
    assert set(statuses) <= {401, 503} and 503 in statuses and 401 in statuses
    assert server.peak_rss_mb() - before < 300


def test_failed_logins_lock_the_user_and_the_address(server: ApiServer) -> None:
    for _ in range(5):
        assert _login(server, "target", "wrong-password", "10.2.0.1").status_code == 401
    # The user is locked from that address, even with the right password; from elsewhere it can log in
    # (one address cannot lock a user out for everyone), and the other users are not locked.
    locked = _login(server, "target", PASSWORD, "10.2.0.1")
    assert locked.status_code == 429 and int(locked.headers["Retry-After"]) > 0
    assert "this user from this address" in locked.json()["detail"]
    assert _login(server, "target", PASSWORD, "10.2.0.2").status_code == 200
    assert _login(server, "viewer", PASSWORD, "10.2.0.1").status_code == 200
    # Twenty failures from one address, whatever the user names, lock the address.
    for i in range(20):
        assert _login(server, f"guess{i}", "wrong-password", "10.2.0.3").status_code == 401
    refused = _login(server, "operator", PASSWORD, "10.2.0.3")
    assert refused.status_code == 429 and "this address" in refused.json()["detail"]
    assert _login(server, "operator", PASSWORD, "10.2.0.4").status_code == 200


def test_a_live_stream_ends_once_its_session_is_logged_out(server: ApiServer) -> None:
    token = _login(server, "viewer", PASSWORD, "10.3.0.1").json()["token"]
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.stream("GET", server.url + "/api/events", headers=headers, timeout=10) as stream:
        lines = stream.iter_lines()
        assert next(line for line in lines if line.startswith("event:")) == "event: hello"
        assert httpx.post(server.url + "/api/auth/logout", headers=headers).status_code == 204
        rest = list(lines)  # the server ends the stream (before, this read timed out: it went on and on)
    assert "event: logout" in rest


@contextlib.contextmanager
def _cookie_client(server: ApiServer, role: str) -> Iterator[httpx.Client]:
    """Logged in as the dashboard is: by the cookie the login sets."""
    with httpx.Client(base_url=server.url, timeout=30) as client:
        assert client.post("/api/auth/login", json={"username": role, "password": PASSWORD}).status_code == 200
        yield client


def test_a_page_on_another_port_cannot_use_the_operators_cookie(server: ApiServer) -> None:
    with _cookie_client(server, "operator") as operator:
        (alert,) = operator.get("/api/alerts", params={"state": "open"}).json()
        # Given the operator's browser on a page served from 127.0.0.1:8197, posting to the dashboard's server
        forged = operator.post(f"/api/alerts/{alert['id']}/ack", headers={"Origin": "http://127.0.0.1:8197"})
        assert forged.status_code == 403 and "127.0.0.1:8197" in forged.json()["detail"]
        sneaky = operator.post(f"/api/alerts/{alert['id']}/ack", headers={"Sec-Fetch-Site": "same-site"})
        assert sneaky.status_code == 403
        assert operator.post(f"/api/alerts/{alert['id']}/ack", headers={"Origin": "null"}).status_code == 403
        assert operator.get("/api/alerts", params={"state": "open"}).json()[0]["id"] == alert["id"]  # still open
        # The dashboard's own page may.
        own = operator.post(f"/api/alerts/{alert['id']}/ack", headers={"Origin": server.url})
        assert own.status_code == 200 and own.json()["state"] == "acknowledged"


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/", 200),
        ("GET", "/app.js", 200),
        ("GET", "/api/health", 200),
        ("GET", "/api/sites", 401),
        ("GET", "/no-such-page", 404),
        ("POST", "/api/auth/login", 422),
    ],
)
def test_every_response_carries_the_security_headers(server: ApiServer, method: str, path: str, status: int) -> None:
    response = httpx.request(method, server.url + path, json={} if method == "POST" else None)
    assert response.status_code == status
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_only_the_map_may_be_framed_and_only_by_this_servers_pages(server: ApiServer) -> None:
    """The wall frames 项目一张图 as its map panel; every other page refuses any frame."""
    page = httpx.get(server.url + "/map")
    assert "frame-ancestors 'self'" in page.headers["Content-Security-Policy"]
    assert page.headers["X-Frame-Options"] == "SAMEORIGIN"
    wall = httpx.get(server.url + "/wall")
    assert "frame-ancestors 'none'" in wall.headers["Content-Security-Policy"]
    assert wall.headers["X-Frame-Options"] == "DENY"


def test_the_api_docs_need_a_login(server: ApiServer) -> None:
    for path in ("/docs", "/redoc", "/openapi.json"):
        assert httpx.get(server.url + path).status_code == 401, path
    with _cookie_client(server, "viewer") as viewer:
        assert viewer.get("/openapi.json").json()["info"]["title"] == "sitemon"
        docs = viewer.get("/docs")
        assert docs.status_code == 200 and "https://cdn.jsdelivr.net" in docs.headers["Content-Security-Policy"]


def test_the_cookie_is_secure_behind_a_tls_proxy(server: ApiServer) -> None:
    body = {"username": "viewer", "password": PASSWORD}
    # uvicorn believes X-Forwarded-Proto from the proxy on 127.0.0.1 (its --forwarded-allow-ips default).
    behind_tls = httpx.post(server.url + "/api/auth/login", json=body, headers={"X-Forwarded-Proto": "https"})
    cookie = behind_tls.headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=strict" in cookie
    assert behind_tls.headers["Strict-Transport-Security"] == "max-age=31536000"
    plain = httpx.post(server.url + "/api/auth/login", json=body)
    assert "Secure" not in plain.headers["Set-Cookie"] and "Strict-Transport-Security" not in plain.headers
