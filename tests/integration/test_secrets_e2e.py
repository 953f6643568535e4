"""Generated passwords through a real run: cameras (the real RTSP server asking for a password, dead HTTP
and RTSP ports), the alert webhook and the delivery outbox; then the API for a viewer and an operator, every
log record, every table and every export file. No password, nor any part of one, may be found anywhere."""

from __future__ import annotations

import base64
import datetime as dt
import logging
import os
import tempfile
import zipfile
from collections.abc import Iterator
from pathlib import Path
from unittest import mock
from urllib.parse import quote, quote_plus

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from api import create_app
from detectors import CategoryMap
from monitor.config import Category, parse_config
from monitor.core.redact import forget_secrets
from monitor.delivery.outbox import deliver_due
from monitor.delivery.receivers import assessment_receiver
from monitor.export.job import export_day
from monitor.scoring.daily import score_days
from monitor.service.runtime import build_runtime
from monitor.service.schedule import ALERT_WEBHOOK, run_job
from monitor.store import models
from tests.fixtures.servers import SAMPLE_VIDEO, free_port, rtsp_server
from tests.helpers import config_dict, logged_in
from tests.monitor.fakes import NAMES, FakeDetector

pytestmark = [pytest.mark.slow, pytest.mark.rtsp]
MORNING = dt.datetime(2026, 11, 27, 0, 0, tzinfo=dt.UTC)  # 08:00 in Shanghai
HEAD, TAIL = "Q7xWv", "K2zVu"  # around every password: a leak of any part of it shows one of them
HOSTILE = "/#?@:%;&= '\"\\$[]"
PASSWORDS = (
    st.text(
        st.one_of(st.sampled_from(HOSTILE), st.characters(blacklist_categories=("Cc", "Cs"))), min_size=1, max_size=16
    )
    .filter(lambda s: "${" not in s)
    .map(lambda s: f"{HEAD}{s}{TAIL}")
)
API_PATHS = ["/api/sites", "/api/sites/s1", "/api/alerts?state=open", "/api/deliveries", "/api/scores"]


@pytest.fixture(scope="module")
def rtsp_with_auth() -> Iterator[int]:
    with rtsp_server({"/auth": SAMPLE_VIDEO}, auth="admin:the-right-one") as server:
        yield server.port


def _config(tmp: Path, password: str, rtsp_port: int) -> dict[str, object]:
    encoded = quote(password, safe="")
    data = config_dict()
    data["working_hours"] = {"start": "08:00", "end": "18:00"}
    data["sampling"].update(
        {
            "interval_seconds": 300,
            "snapshot_dir": str(tmp / "snaps"),
            "open_timeout_seconds": 2,
            "read_timeout_seconds": 2,
        }
    )
    cameras = [
        # Percent-encoded as docs/configuration.md asks, so FFmpeg reaches the server and is refused (401).
        {"id": "env", "url": f"rtsp://admin:${{SITEMON_TEST_PW_URL}}@127.0.0.1:{rtsp_port}/auth"},
        {"id": "http", "url": f"http://admin:{password}@127.0.0.1:{free_port()}/snap.jpg?access_token={encoded}"},
        {"id": "raw", "url": f"rtsp://viewer:{password}@127.0.0.1:{free_port()}/live;token={encoded}"},
    ]
    data["sites"] = [{"id": "s1", "name": "城东污水厂", "district": "城东区", "batch": "started", "cameras": cameras}]
    data["alerts"] = {
        "offline_after_minutes": 30,
        "webhook": {
            "url": f"http://hook:{password}@127.0.0.1:{free_port()}/alerts?api_key={encoded}",
            "token": "${SITEMON_TEST_PW}",
            "timeout_seconds": 1,
        },
    }
    data["export"] = {
        "folder": str(tmp / "exports"),
        "delivery": {
            "url": f"http://rec:{password}@127.0.0.1:{free_port()}/in",
            "token": password,
            "timeout_seconds": 1,
        },
    }
    return data


def _run(tmp: Path, password: str, rtsp_port: int) -> tuple[dict[str, str], str, str, str]:
    """API bodies per role and path, then the tables and the export files as text."""
    clock_now = [MORNING]
    detector = (FakeDetector([]), CategoryMap.build({"person": Category.worker}, NAMES))
    config = parse_config(_config(tmp, password, rtsp_port))
    runtime = build_runtime(config, f"sqlite:///{tmp / 'db.sqlite'}", clock=lambda: clock_now[0], detector=detector)
    try:
        for _ in range(8):  # 40 minutes of failing cameras: offline alerts open and go to the dead webhook
            runtime.sweep()
            assert runtime.alerts is not None
            runtime.alerts.fanout.drain()
            run_job(runtime, ALERT_WEBHOOK)
            clock_now[0] += dt.timedelta(minutes=5)
        day = clock_now[0].date()
        assert config.export.delivery is not None
        with runtime.sessions() as s:
            score_days(s, config, [day], now=clock_now[0])
            export_day(s, config, day, clock_now[0])
            deliver_due(s, assessment_receiver(config.export.delivery), clock_now[0])
        app = create_app(
            runtime.sessions,
            runtime.snapshot_root,
            Path(config.export.folder),
            config=config,
            clock=lambda: clock_now[0],
        )
        bodies = {}
        for role in ("viewer", "operator"):
            client = logged_in(TestClient(app), runtime.sessions, role)
            paths = [*API_PATHS, f"/api/exports/{day}/json", f"/api/exports/{day}/csv"]
            bodies |= {f"{role} {p}": client.get(p).text for p in paths}
        with runtime.sessions() as s:
            tables = "\n".join(repr(s.execute(select(table)).all()) for table in models.Base.metadata.sorted_tables)
            reasons = {c.camera_id: c.status_reason for c in s.scalars(select(models.Camera))}
    finally:
        runtime.close()
    files = []
    for path in sorted(Path(config.export.folder).rglob("*")):
        if path.suffix == ".xlsx":
            with zipfile.ZipFile(path) as book:
                files += [book.read(name).decode("utf-8", "replace") for name in book.namelist()]
        elif path.is_file():
            files.append(path.read_text(encoding="utf-8"))
    return bodies, tables, "\n".join(files), repr(reasons)


def _forms(password: str) -> set[str]:
    forms = {password, quote(password, safe=""), quote(password), quote_plus(password), HEAD, TAIL}
    forms |= {base64.b64encode(f"{user}:{password}".encode()).decode() for user in ("admin", "viewer", "hook", "rec")}
    return forms


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(password=PASSWORDS)
@example(password=f"{HEAD}Slash/Pw-CCC333{TAIL}")
@example(password=f"{HEAD}p@ss/w#rd?x{TAIL}")
@example(password=f"{HEAD} 密码 ;token=1&x%2F{TAIL}")
def test_no_generated_password_reaches_a_response_a_log_a_table_or_a_file(
    password: str, rtsp_with_auth: int, caplog: pytest.LogCaptureFixture
) -> None:
    forget_secrets()
    caplog.clear()
    env = {"SITEMON_TEST_PW": password, "SITEMON_TEST_PW_URL": quote(password, safe="")}
    with tempfile.TemporaryDirectory() as tmp, mock.patch.dict(os.environ, env), caplog.at_level(logging.DEBUG):
        bodies, tables, files, reasons = _run(Path(tmp), password, rtsp_with_auth)
    logs = "\n".join(
        r.getMessage() + (logging.Formatter().formatException(r.exc_info) if r.exc_info else "") for r in caplog.records
    )
    places = {**bodies, "log": logs, "tables": tables, "files": files}
    for place, text in places.items():
        for form in _forms(password):
            assert form not in text, (place, form)
    for place, body in bodies.items():
        if place.startswith("viewer"):
            assert "://" not in body and "127.0.0.1" not in body, place
    assert "unauthorized (401/403) at rtsp://admin:***@127.0.0.1:" in reasons  # the real server was asked
    assert "rtsp://viewer:***@127.0.0.1:" in bodies["operator /api/sites"]
    assert "http://admin:***@127.0.0.1:" in bodies["operator /api/sites"]
