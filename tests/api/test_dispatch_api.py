"""The dispatch endpoints on a real database; the OpenAPI schema fuzzed by schemathesis."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from api import create_app
from monitor.config import parse_config
from monitor.core.values import Activity, CameraKey, CameraStatus, Counts, Sample
from monitor.scoring.daily import score_days
from monitor.store import models
from monitor.store.repo import camera_pks, record_sample, sync_config
from tests.fixtures.clock import NOW, fixed, ticking
from tests.fixtures.servers import SAMPLE_VIDEO
from tests.helpers import config_dict, logged_in

pytestmark = pytest.mark.calendar  # follows the pinned NOW: scripts/calendar-check runs it at the edges


@pytest.fixture
def client(sessions: sessionmaker[Session], tmp_path: Path) -> TestClient:
    data = config_dict([str(SAMPLE_VIDEO)] * 4)
    data["sites"][1]["batch"] = "signed"
    config = parse_config(data)
    today = NOW.astimezone(config.tz).date()
    with sessions() as s:
        sync_config(s, config, fixed())
        pks = camera_pks(s)
        key = CameraKey("site1", "cam1")
        slot = NOW.replace(second=0, microsecond=0)
        record_sample(
            s,
            pks[key],
            Sample(key, slot, slot, CameraStatus.online, counts=Counts(2, 0, 0), activity=Activity(2, 0, 0, 0.1, 0.5)),
        )
        score_days(s, config, [today], now=NOW)
        for d in range(1, 8):
            for site, score in (("site1", 80.0), ("site3", 20.0), ("site4", 50.0)):
                s.add(
                    models.DailyScore(
                        site_id=site,
                        day=today - dt.timedelta(days=d),
                        score=score,
                        status="active",
                        components={},
                        computed_at=NOW,
                    )
                )
        s.commit()
    return logged_in(TestClient(create_app(sessions, tmp_path, clock=lambda: NOW)), sessions, "viewer")


def test_site_filters(client: TestClient) -> None:
    everything = client.get("/api/sites").json()
    assert len(everything) == 4 and everything[0]["last_update"] is not None
    assert [s["id"] for s in client.get("/api/sites", params={"batch": "signed"}).json()] == ["site2"]
    assert [s["id"] for s in client.get("/api/sites", params={"district": "高新区"}).json()] == ["site2", "site4"]
    assert {s["id"] for s in client.get("/api/sites", params={"status": "not_expected"}).json()} == {"site2"}
    assert client.get("/api/sites", params={"min_score": 101}).status_code == 422


def test_site_detail_has_cameras_timeline_and_history(client: TestClient) -> None:
    detail = client.get("/api/sites/site1", params={"days": 30}).json()
    assert detail["cameras"][0]["status"] == "online"
    assert len(detail["timeline"]) == 1 and detail["timeline"][0]["activity"] == 0.5
    assert [s["score"] for s in detail["scores"][:-1]] == [80.0] * 7
    assert client.get("/api/sites/nope").status_code == 404


def test_rankings_by_district_and_batch_over_a_week(client: TestClient) -> None:
    week = client.get("/api/rankings", params={"by": "district", "period": "week"}).json()
    assert all(r["rank"] in (1, 2, None) for r in week)
    yesterday = str(NOW.astimezone(ZoneInfo("Asia/Shanghai")).date() - dt.timedelta(days=1))
    # the month of the seeded week's last day (on the 1st, this month holds only a day not yet begun)
    by_batch = client.get("/api/rankings", params={"by": "batch", "period": "month", "day": yesterday}).json()
    assert by_batch[0]["group"] == "started"
    assert client.get("/api/rankings", params={"by": "colour"}).status_code == 422


def test_scores_and_rankings_are_built_once_per_data_version(
    client: TestClient, sessions: sessionmaker[Session]
) -> None:
    """Every dashboard and the wall ask the same between two sweeps: one build per data version, and a new
    score (a new computed_at) is served at once."""
    yesterday = NOW.astimezone(ZoneInfo("Asia/Shanghai")).date() - dt.timedelta(days=1)
    asks = {"scores": ("/api/scores", {"day": str(yesterday)})}
    asks["rankings"] = ("/api/rankings", {"period": "day", "day": str(yesterday)})
    first = {name: client.get(path, params=params).json() for name, (path, params) in asks.items()}
    site3 = next(r for r in first["scores"] if r["site_id"] == "site3")
    assert site3["score"] == 20.0

    def rewrite(score: float, computed_at: dt.datetime) -> dict[str, Any]:
        with sessions() as s:
            row = s.scalars(
                select(models.DailyScore).where(
                    models.DailyScore.site_id == "site3", models.DailyScore.day == yesterday
                )
            ).one()
            row.score, row.computed_at = score, computed_at
            s.commit()
        return {name: client.get(path, params=params).json() for name, (path, params) in asks.items()}

    assert rewrite(95.0, NOW) == first  # no new version (a hand edit behind sitemon's back): the same answer
    fresh = rewrite(95.0, NOW + dt.timedelta(seconds=1))  # scored again: a new version
    assert next(r for r in fresh["scores"] if r["site_id"] == "site3")["score"] == 95.0
    assert fresh["rankings"] != first["rankings"]


def test_a_site_the_configuration_moves_to_another_district_or_batch_is_served_there_at_once(
    client: TestClient, sessions: sessionmaker[Session]
) -> None:
    """The answers are cached per data version: a site's district or batch changed in the configuration (and
    synced by the scheduler's restart, another process) moves the version without any new sample or score."""
    asks = {
        "high-tech": ("/api/sites", {"district": "高新区"}),
        "signed": ("/api/sites", {"batch": "signed"}),
        "rankings": ("/api/rankings", {"by": "district", "period": "week"}),
    }

    def ask() -> dict[str, list[Any]]:
        return {name: client.get(path, params=params).json() for name, (path, params) in asks.items()}

    first = ask()
    assert [s["id"] for s in first["high-tech"]] == ["site2", "site4"]
    assert [s["id"] for s in first["signed"]] == ["site2"]
    data = config_dict([str(SAMPLE_VIDEO)] * 4)
    data["sites"][2]["district"] = "高新区"  # site3 moves; site2 is started now
    with sessions() as s:
        sync_config(s, parse_config(data), lambda: NOW + dt.timedelta(minutes=1))
    moved = ask()
    assert [s["id"] for s in moved["high-tech"]] == ["site2", "site3", "site4"]
    assert moved["signed"] == []
    assert moved["rankings"] != first["rankings"]


def test_metrics_are_prometheus_text(client: TestClient) -> None:
    text = client.get("/metrics").text
    assert 'sitemon_cameras{status="online"} 1.0' in text
    assert 'sitemon_camera_sample_age_seconds{camera="cam1",site="site1"}' in text
    assert "sitemon_detector_latency_ms" in text


def test_the_openapi_schema_holds_up_to_schemathesis(
    sessions: sessionmaker[Session], engine: Engine, tmp_path: Path
) -> None:
    """Every operation fuzzed, plus the edge values fuzzing within the schema never sends (ids past 2^63,
    days at the ends of the calendar and to come, a lone surrogate); the endless event stream read briefly.
    On a database of its own (``engine``): the failures it provokes must not share one rolled-back transaction."""
    import schemathesis

    data = config_dict()
    data["export"] = {"folder": str(tmp_path / "exports")}
    config = parse_config(data)
    with sessions() as s:
        sync_config(s, config, fixed())
    app = create_app(
        sessions, tmp_path, tmp_path / "exports", config=config, clock=ticking()
    )  # admin actions really run
    client = logged_in(TestClient(app), sessions, "admin")
    headers = {"Authorization": client.headers["Authorization"]}
    schema = schemathesis.openapi.from_asgi("/openapi.json", app, headers=headers)
    failures: list[str] = []
    calls: list[tuple[str, int]] = []
    edges: list[str] = []
    operations = [o.ok() for o in schema.get_all_operations()]
    # Logging out ends the token every other call uses: last, or all after it would only meet a 401.
    for op in sorted(operations, key=lambda op: op.path == "/api/auth/logout"):
        if op.path == "/api/events":
            # An endless stream: a client that reads the first event and goes away.
            status, first = asyncio.run(_first_chunk(app, op.Case(), headers))
            assert (status, first[:6]) == (200, b"retry:"), (status, first)
            continue
        _fuzz(op, headers, failures, calls)
        for case, what in _edge_cases(op):
            response = case.call(headers=headers)
            edges.append(f"{op.method.upper()} {op.path} {what}: {response.status_code}")
            if response.status_code >= 500:
                failures.append(edges[-1])
    assert failures == []
    assert len(calls) > 100  # the fuzzing really ran
    answered = {path for path, status in calls if 200 <= status < 300}
    for path in ("/api/auth/me", "/api/sites", "/api/alerts", "/api/rankings", "/api/admin/days/{day}/rescore"):
        assert path in answered  # got past the login
    reached = "\n".join(edges)
    for expected in (
        f"GET /api/samples/{{sample_id}}/snapshot sample_id={2**63}: 422",
        f"POST /api/alerts/{{alert_id}}/ack alert_id={2**63}: 422",
        "GET /api/rankings day=9999-12-31: 422",
        "POST /api/admin/days/{day}/export day=0001-01-01: 422",
        "POST /api/admin/days/{day}/resend day=2999-01-01: 422",
        "POST /api/auth/login lone surrogate: 400",
    ):
        assert expected in reached


EDGE_VALUES: dict[str, list[object]] = {
    "integer": [2**63, 2**64, -(2**63) - 1, 0],
    "date": ["9999-12-31", "0001-01-01", "2999-01-01"],
}


def _kind(definition: dict[str, Any]) -> str | None:
    schema = definition.get("schema", {})
    for alternative in [schema, *schema.get("anyOf", [])]:
        if alternative.get("format") == "date":
            return "date"
        if alternative.get("type") == "integer":
            return "integer"
    return None


def _plain(definition: dict[str, Any]) -> object:
    """A valid value for a path parameter not under test."""
    schema = definition.get("schema", {})
    return {"date": "2026-11-27", "integer": 1}.get(_kind(definition) or "", (schema.get("enum") or ["site1"])[0])


def _edge_cases(op: Any) -> Iterator[tuple[Any, str]]:
    params = list(op.iter_parameters())
    plain = {p.name: _plain(p.definition) for p in params if p.location.value == "path"}
    for param in params:
        for value in EDGE_VALUES.get(_kind(param.definition) or "", []):
            if param.location.value == "path":
                yield op.Case(path_parameters={**plain, param.name: value}), f"{param.name}={value}"
            else:
                yield op.Case(path_parameters=plain, query={param.name: value}), f"{param.name}={value}"
    if op.path == "/api/auth/login":
        body = {"username": "\ud800", "password": "x"}
        yield op.Case(body=body, media_type="application/json"), "lone surrogate"


async def _first_chunk(app: Any, case: Any, headers: dict[str, str]) -> tuple[int, bytes]:
    """Drive the ASGI app as a client that reads the first body chunk and then disconnects."""
    sent: list[dict[str, Any]] = []
    asked = False

    async def receive() -> dict[str, Any]:
        nonlocal asked
        if not asked:
            asked = True
            return {"type": "http.request", "body": b"", "more_body": False}
        while not any(m["type"] == "http.response.body" and m.get("body") for m in sent):
            await asyncio.sleep(0.01)
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": case.method.upper(),
        "scheme": "http",
        "path": case.formatted_path,
        "raw_path": case.formatted_path.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()],
        "client": ("127.0.0.1", 1),
        "server": ("testserver", 80),
    }
    await asyncio.wait_for(app(scope, receive, send), timeout=30)
    start = next(m for m in sent if m["type"] == "http.response.start")
    return start["status"], next(m["body"] for m in sent if m["type"] == "http.response.body" and m.get("body"))


def _fuzz(op: object, headers: dict[str, str], failures: list[str], calls: list[tuple[str, int]]) -> None:
    from hypothesis import HealthCheck, given, settings

    @settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    @given(op.as_strategy())  # type: ignore[attr-defined]
    def check(case: object) -> None:
        response = case.call(headers=headers)  # type: ignore[attr-defined]
        calls.append((op.path, response.status_code))  # type: ignore[attr-defined]
        if response.status_code >= 500:
            failures.append(f"{op.method.upper()} {op.path}: {response.status_code}")  # type: ignore[attr-defined]

    check()
