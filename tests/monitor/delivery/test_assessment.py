"""Delivery to a real local receiver that fails, times out and goes away, across a restart of sitemon."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

from sqlalchemy import select

from monitor.config import parse_config
from monitor.delivery.outbox import deliver_due
from monitor.delivery.receivers import assessment_receiver
from monitor.export.records import enqueue_day, resend
from monitor.scoring.daily import score_days
from monitor.store import make_engine, make_session_factory, migrate, models
from monitor.store.repo import sync_config
from tests.fixtures.clock import fixed
from tests.fixtures.servers import SAMPLE_VIDEO, free_port
from tests.helpers import config_dict

SECRET = "hmac-s3cret"
DAYS = [dt.date(2026, 11, 26), dt.date(2026, 11, 27)]
T0 = dt.datetime(2026, 11, 27, 13, tzinfo=dt.UTC)


class Receiver(BaseHTTPRequestHandler):
    calls: ClassVar[list[dict[str, Any]]] = []
    script: ClassVar[list[str]] = []  # what to do for the next calls: "500", "slow"; then "ok"

    def log_message(self, *args: object) -> None:
        pass

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        action = Receiver.script.pop(0) if Receiver.script else "ok"
        Receiver.calls.append(
            {
                "key": self.headers["Idempotency-Key"],
                "body": body,
                "action": action,
                "signature": self.headers.get("X-Sitemon-Signature"),
            }
        )
        if action == "slow":
            time.sleep(1.5)  # longer than sitemon's timeout: it gives up, yet the record arrived
        self.send_response(500 if action == "500" else 200)
        self.send_header("Content-Length", "0")
        self.end_headers()


@contextmanager
def receiver(port: int) -> Iterator[None]:
    server = ThreadingHTTPServer(("127.0.0.1", port), Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield
    finally:
        server.shutdown()
        server.server_close()


def test_every_site_day_arrives_exactly_once_per_key_through_failures_and_a_restart(tmp_path: Path) -> None:
    port = free_port()
    data = config_dict([str(SAMPLE_VIDEO)] * 3)
    data["export"] = {
        "folder": str(tmp_path / "exports"),
        "delivery": {"url": f"http://127.0.0.1:{port}/records", "hmac_secret": SECRET, "timeout_seconds": 1},
    }
    config = parse_config(data)
    assert config.export.delivery is not None
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    Receiver.calls, Receiver.script = [], ["500", "500", "500", "slow"]

    engine = make_engine(url)
    migrate(engine)
    with make_session_factory(engine)() as s:
        sync_config(s, config, fixed())
        score_days(s, config, DAYS, now=T0)
        assert sum(enqueue_day(s, config, d, T0) for d in DAYS) == 6
        with receiver(port):
            first = deliver_due(s, assessment_receiver(config.export.delivery), T0)
    assert (first.delivered, first.failed) == (2, 4)
    engine.dispose()  # sitemon is killed here; all it knew is in the database

    engine = make_engine(url)
    sessions = make_session_factory(engine)
    deliverer = assessment_receiver(config.export.delivery)
    with sessions() as s:
        down = deliver_due(s, deliverer, T0 + dt.timedelta(minutes=1))  # the receiver is down
        assert (down.delivered, down.failed) == (0, 4)
        rows = s.scalars(select(models.OutboxItem).where(models.OutboxItem.state == "pending")).all()
        assert all(r.last_error.startswith("ConnectionRefusedError from http://127.0.0.1:") for r in rows)
        assert deliver_due(s, deliverer, T0 + dt.timedelta(minutes=1, seconds=10)).failed == 0  # backing off
        with receiver(port):
            late = deliver_due(s, deliverer, T0 + dt.timedelta(minutes=10))
        assert (late.delivered, late.failed) == (4, 0)
        assert all(r.state == "delivered" for r in s.scalars(select(models.OutboxItem)))
        assert deliver_due(s, deliverer, T0 + dt.timedelta(hours=1)).delivered == 0  # nothing is sent twice
    engine.dispose()

    arrived = [c for c in Receiver.calls if c["action"] != "500"]
    keys = {c["key"] for c in arrived}
    assert keys == {f"site{i}:{d}" for i in (1, 2, 3) for d in DAYS}
    assert len(arrived) == 7  # the timed-out one arrived twice: the receiver dedupes on the key
    for call in Receiver.calls:
        expected = hmac.new(SECRET.encode(), call["body"], hashlib.sha256).hexdigest()
        assert call["signature"] == f"sha256={expected}"
        record = json.loads(call["body"])
        assert record["schema"] == "sitemon.site-day/1" and record["idempotency_key"] == call["key"]


def test_an_admin_can_resend_a_day_and_a_rescore_sends_a_new_revision(tmp_path: Path) -> None:
    data = config_dict([str(SAMPLE_VIDEO)] * 2)
    data["export"] = {"delivery": {"url": "http://127.0.0.1:9/x"}}
    config = parse_config(data)
    engine = make_engine(f"sqlite:///{tmp_path / 'db.sqlite'}")
    migrate(engine)
    with make_session_factory(engine)() as s:
        sync_config(s, config, fixed())
        score_days(s, config, DAYS[:1], now=T0)
        enqueue_day(s, config, DAYS[0], T0)
        for row in s.scalars(select(models.OutboxItem)):
            row.state = "delivered"
        s.commit()
        assert enqueue_day(s, config, DAYS[0], T0) == 0  # unchanged: nothing to send
        assert resend(s, DAYS[0], T0, {"site2"}) == 1
        states = {r.site_id: (r.state, r.revision) for r in s.scalars(select(models.OutboxItem))}
        assert states == {"site1": ("delivered", 1), "site2": ("pending", 1)}
    engine.dispose()


def test_a_record_of_a_running_day_says_partial_and_the_whole_day_is_a_new_revision(tmp_path: Path) -> None:
    data = config_dict([str(SAMPLE_VIDEO)])
    data["export"] = {"delivery": {"url": "http://127.0.0.1:9/x"}}
    config = parse_config(data)
    morning = dt.datetime(2026, 11, 27, 2, 30, 59, tzinfo=dt.UTC)  # 10:30 in Shanghai, working hours running
    engine = make_engine(f"sqlite:///{tmp_path / 'db.sqlite'}")
    migrate(engine)
    with make_session_factory(engine)() as s:
        sync_config(s, config, fixed())
        score_days(s, config, DAYS[1:], now=morning)
        assert enqueue_day(s, config, DAYS[1], morning) == 1
        row = s.scalars(select(models.OutboxItem)).one()
        assert (row.payload["partial"], row.payload["observed_until"]) == (True, "2026-11-27T10:30:00+08:00")
        assert enqueue_day(s, config, DAYS[1], T0) == 1  # 21:00: the working hours are over
        s.refresh(row)
        assert (row.payload["partial"], row.payload["observed_until"], row.revision) == (
            False,
            "2026-11-27T19:00:00+08:00",
            2,
        )
    engine.dispose()
