"""The dispatch endpoints on a real database; the OpenAPI schema fuzzed by schemathesis."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from api import create_app
from monitor.activity import Activity
from monitor.config import parse_config
from monitor.daily import score_days
from monitor.store import models
from monitor.store.repo import camera_pks, record_sample, sync_config
from monitor.types import CameraKey, CameraStatus, Counts, Sample
from tests.fixtures.servers import SAMPLE_VIDEO
from tests.helpers import config_dict, logged_in

NOW = dt.datetime.now(dt.UTC)


@pytest.fixture
def client(sessions: sessionmaker[Session], tmp_path: Path) -> TestClient:
    data = config_dict([str(SAMPLE_VIDEO)] * 4)
    data["sites"][1]["batch"] = "signed"
    config = parse_config(data)
    today = NOW.astimezone(config.tz).date()
    with sessions() as s:
        sync_config(s, config)
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
    return logged_in(TestClient(create_app(sessions, tmp_path)), sessions, "viewer")


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
    by_batch = client.get("/api/rankings", params={"by": "batch", "period": "month"}).json()
    assert by_batch[0]["group"] == "started"
    assert client.get("/api/rankings", params={"by": "colour"}).status_code == 422


def test_metrics_are_prometheus_text(client: TestClient) -> None:
    text = client.get("/metrics").text
    assert 'sitemon_cameras{status="online"} 1.0' in text
    assert 'sitemon_camera_sample_age_seconds{camera="cam1",site="site1"}' in text
    assert "sitemon_detector_latency_ms" in text


def test_the_openapi_schema_holds_up_to_schemathesis(sessions: sessionmaker[Session], tmp_path: Path) -> None:
    import schemathesis

    app = create_app(sessions, tmp_path)
    client = logged_in(TestClient(app), sessions, "admin")
    headers = {"Authorization": client.headers["Authorization"]}
    schema = schemathesis.openapi.from_asgi("/openapi.json", app, headers=headers)
    failures: list[str] = []
    calls: list[int] = []
    for operation in schema.get_all_operations():
        op = operation.ok()
        if op.path == "/api/events":
            continue  # an endless stream
        _fuzz(op, headers, failures, calls)
    assert failures == []
    assert len(calls) > 100  # the fuzzing really ran


def _fuzz(op: object, headers: dict[str, str], failures: list[str], calls: list[int]) -> None:
    from hypothesis import HealthCheck, given, settings

    @settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    @given(op.as_strategy())  # type: ignore[attr-defined]
    def check(case: object) -> None:
        response = case.call(headers=headers)  # type: ignore[attr-defined]
        calls.append(response.status_code)
        if response.status_code >= 500:
            failures.append(f"{op.method.upper()} {op.path}: {response.status_code}")  # type: ignore[attr-defined]

    check()
