"""The POST of both receivers (httpx) against real local receivers that redirect or do not speak HTTP."""

from __future__ import annotations

import base64
import datetime as dt
import socketserver
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from monitor.alerts.lifecycle import AlertEvent
from monitor.alerts.notices import queue_events
from monitor.config import parse_config
from monitor.config.outputs import DeliveryConfig, WebhookConfig
from monitor.core.redact import mask_url
from monitor.delivery import http
from monitor.delivery.outbox import deliver_due
from monitor.delivery.receivers import alert_receiver, assessment_receiver
from monitor.store import models
from monitor.store.repo import sync_config
from tests.fixtures.clock import fixed
from tests.helpers import config_dict

T0 = dt.datetime(2026, 11, 27, 13, tzinfo=dt.UTC)
DAY = dt.date(2026, 11, 27)


class Trap(BaseHTTPRequestHandler):
    """Another origin: records what arrives, above all any Authorization header."""

    seen: ClassVar[list[dict[str, Any]]] = []

    def log_message(self, *args: object) -> None:
        pass

    def _record(self) -> None:
        Trap.seen.append({"method": self.command, "path": self.path, "auth": self.headers.get("Authorization")})
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_GET = do_POST = _record


class Redirector(BaseHTTPRequestHandler):
    """Answers every request with a 302 to ``target``."""

    target: ClassVar[str] = ""

    def log_message(self, *args: object) -> None:
        pass

    def _redirect(self) -> None:
        self.send_response(302)
        self.send_header("Location", Redirector.target)
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_GET = do_POST = _redirect


@contextmanager
def serve(handler: type[BaseHTTPRequestHandler]) -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def redirect_to_another_origin() -> Iterator[str]:
    """A receiver whose every answer is a 302 to another port; yields the receiver's URL."""
    Trap.seen = []
    with serve(Trap) as trap, serve(Redirector) as receiver:
        Redirector.target = f"{trap}/landed"
        yield f"{receiver}/hook"


class Garbage(socketserver.StreamRequestHandler):
    """Answers bytes that are not HTTP to the request whose Idempotency-Key is ``bad_key``, 200 to others."""

    bad_key: ClassVar[str] = ""
    keys: ClassVar[list[str]] = []

    def handle(self) -> None:
        headers = {}
        while (line := self.rfile.readline().decode("latin-1").strip()) != "":
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        self.rfile.read(int(headers.get("content-length", "0")))
        key = headers.get("idempotency-key", "")
        Garbage.keys.append(key)
        if key == Garbage.bad_key:
            self.wfile.write(b"SSH-2.0-OpenSSH_9.2\r\n\r\n")
        else:
            self.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")


@contextmanager
def garbage_receiver(bad_key: str) -> Iterator[str]:
    Garbage.bad_key, Garbage.keys = bad_key, []
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Garbage)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/hook"
    finally:
        server.shutdown()
        server.server_close()


def _two_alert_events(session: Session) -> list[AlertEvent]:
    sync_config(session, parse_config(config_dict()), fixed())
    events = []
    for n in range(2):
        alert = models.Alert(site_id="site1", type="camera_offline", message=f"alert {n}", opened_at=T0)
        session.add(alert)
        session.flush()
        events.append(AlertEvent("opened", alert.id, "site1", None, "camera_offline", "warning", f"alert {n}", T0))
    queue_events(session, events, T0)
    return events


def _two_delivery_records(session: Session) -> None:
    sync_config(session, parse_config(config_dict()), fixed())
    for day in (DAY - dt.timedelta(days=1), DAY):
        payload = {"idempotency_key": f"site1:{day.isoformat()}"}
        session.add(
            models.OutboxItem(
                topic="assessment",
                key=str(payload["idempotency_key"]),
                site_id="site1",
                day=day,
                payload=payload,
                next_attempt_at=T0,
                created_at=T0,
                last_error="",
            )
        )
    session.commit()


def test_the_webhook_sends_its_token_to_no_other_origin(sessions: sessionmaker[Session]) -> None:
    with sessions() as s, redirect_to_another_origin() as url:
        _two_alert_events(s)
        sender = alert_receiver(
            WebhookConfig.model_validate({"url": url, "token": "hook-t0ken-ABC", "max_attempts": 5})
        )
        result = deliver_due(s, sender, T0)
        rows = s.scalars(select(models.OutboxItem).order_by(models.OutboxItem.id)).all()
    assert not any(call["auth"] for call in Trap.seen)
    assert (result.delivered, result.failed) == (0, 2)
    assert rows[0].last_error.startswith("HTTP 302 (redirect not followed) from http://127.0.0.1:")


def test_the_delivery_sends_its_token_to_no_other_origin(sessions: sessionmaker[Session]) -> None:
    with sessions() as s, redirect_to_another_origin() as url:
        _two_delivery_records(s)
        deliverer = assessment_receiver(DeliveryConfig.model_validate({"url": url, "token": "deliv-t0ken-XYZ"}))
        result = deliver_due(s, deliverer, T0)
        rows = s.scalars(select(models.OutboxItem)).all()
    assert not any(call["auth"] for call in Trap.seen)
    assert (result.delivered, result.failed) == (0, 2)
    assert all(r.state == "pending" and r.attempts == 1 and "HTTP 302" in r.last_error for r in rows)


def test_a_webhook_reply_that_is_not_http_is_a_counted_failure_and_blocks_no_later_event(
    sessions: sessionmaker[Session],
) -> None:
    with sessions() as s:
        first, second = _two_alert_events(s)
        with garbage_receiver(f"alert-{first.alert_id}-opened") as url:
            sender = alert_receiver(WebhookConfig.model_validate({"url": url, "max_attempts": 5}))
            result = deliver_due(s, sender, T0)
        rows = {r.alert_id: r for r in s.scalars(select(models.OutboxItem))}
    assert (result.delivered, result.failed) == (1, 1)
    assert (rows[first.alert_id].state, rows[first.alert_id].attempts) == ("pending", 1)
    assert rows[first.alert_id].last_error.startswith("RemoteProtocolError from http://127.0.0.1:")
    assert rows[second.alert_id].state == "delivered"


def test_a_delivery_reply_that_is_not_http_is_a_counted_failure_and_blocks_no_later_record(
    sessions: sessionmaker[Session],
) -> None:
    with sessions() as s:
        _two_delivery_records(s)
        earlier = f"site1:{(DAY - dt.timedelta(days=1)).isoformat()}"
        with garbage_receiver(earlier) as url:
            result = deliver_due(s, assessment_receiver(DeliveryConfig.model_validate({"url": url})), T0)
        rows = {r.day: r for r in s.scalars(select(models.OutboxItem))}
    assert (result.delivered, result.failed) == (1, 1)
    failed = rows[DAY - dt.timedelta(days=1)]
    assert (failed.state, failed.attempts) == ("pending", 1)
    assert failed.last_error.startswith("RemoteProtocolError from http://127.0.0.1:")
    assert rows[DAY].state == "delivered"


class Silent(socketserver.StreamRequestHandler):
    """Takes the request and never answers."""

    def handle(self) -> None:
        self.rfile.readline()
        time.sleep(2)


def test_a_receiver_that_never_answers_is_a_timeout_and_no_url_is_in_the_reason() -> None:
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Silent)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://u:Pa55-word@127.0.0.1:{server.server_address[1]}/hook?token=Tok-123456789"
    try:
        with pytest.raises(http.PostError) as caught:
            http.post(url, b"{}", {}, timeout=0.3)
    finally:
        server.shutdown()
        server.server_close()
    assert caught.value.reason == "TimeoutError"
    assert http.failure(caught.value, mask_url(url)) == (
        f"TimeoutError from http://u:***@127.0.0.1:{server.server_address[1]}/hook?token=***"
    )


def test_user_info_in_the_url_becomes_basic_auth_unless_a_token_is_sent() -> None:
    Trap.seen = []
    with serve(Trap) as base:
        url = base.replace("http://", "http://hook:p%40ss@") + "/in"
        http.post(url, b"{}", {}, timeout=2)
        http.post(url, b"{}", {"Authorization": "Bearer T"}, timeout=2)
    assert [c["auth"] for c in Trap.seen] == ["Basic " + base64.b64encode(b"hook:p@ss").decode(), "Bearer T"]
    assert [c["path"] for c in Trap.seen] == ["/in", "/in"]


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("ftp://127.0.0.1/x", "UnsupportedProtocol"),
        ("http://[::1/x", "InvalidURL"),
        ("http://no-such-host.invalid/x", "gaierror"),
    ],
)
def test_a_url_httpx_cannot_post_to_is_a_failed_attempt(url: str, reason: str) -> None:
    with pytest.raises(http.PostError, match=reason):
        http.post(url, b"{}", {}, timeout=1)
