"""Issue 14, against a real uvicorn process: bodies, logins, sessions, cross-site requests, headers."""

from __future__ import annotations

import datetime as dt
import select
import socket
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest

from monitor.alerts.lifecycle import apply
from monitor.alerts.rules import AlertKey, AlertType, Condition, Severity
from monitor.config import parse_config
from monitor.store import make_engine, make_session_factory, migrate
from monitor.store.repo import sync_config
from monitor.users import Role, add_user
from tests.fixtures.api_server import ApiServer, api_server
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
        sync_config(s, parse_config(config_dict()))
        key = AlertKey("site1", "cam1", AlertType.camera_offline)
        apply(s, [Condition(key, Severity.critical, "离线")], dt.datetime.now(dt.UTC))
        for role in Role:
            add_user(s, role.name, PASSWORD, role)
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
