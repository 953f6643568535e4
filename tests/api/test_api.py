from __future__ import annotations

import datetime as dt
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from api import create_app
from monitor.config import parse_config
from monitor.core.values import CameraKey, CameraStatus, Counts, Sample
from monitor.store import make_engine, make_session_factory
from monitor.store.repo import camera_pks, record_sample, sync_config
from tests.fixtures.clock import fixed, ticking
from tests.fixtures.servers import SAMPLE_VIDEO
from tests.helpers import config_dict, logged_in

T0 = dt.datetime(2026, 11, 28, 2, 0, tzinfo=dt.UTC)


def _seed(sessions: sessionmaker[Session], snapshot: str | None) -> None:
    with sessions() as s:
        sync_config(s, parse_config(config_dict([str(SAMPLE_VIDEO)] * 2)), fixed())
        pk = camera_pks(s)[CameraKey("site1", "cam1")]
        for i in range(3):
            slot = T0 + dt.timedelta(minutes=5 * i)
            sample = Sample(
                CameraKey("site1", "cam1"),
                slot,
                slot,
                CameraStatus.online,
                counts=Counts(i, 0, 1),
                snapshot_path=snapshot,
            )
            record_sample(s, pk, sample)


def test_sites_show_each_camera_with_its_latest_sample(sessions: sessionmaker[Session], tmp_path: Path) -> None:
    _seed(sessions, "site1/cam1/x.jpg")
    (tmp_path / "site1/cam1").mkdir(parents=True)
    (tmp_path / "site1/cam1/x.jpg").write_bytes(b"\xff\xd8jpeg")
    client = logged_in(TestClient(create_app(sessions, tmp_path, clock=ticking())), sessions)
    assert client.get("/api/health").json() == {
        "status": "ok",
        "database": "ok",
        "reason": "",
        "samples_held": 0,
        "snapshots": "ok",
        "version": "0.1.0",
    }
    sites = client.get("/api/sites").json()
    assert [s["id"] for s in sites] == ["site1", "site2"]
    assert sites[0]["name"] == "测试工地1"
    latest = sites[0]["cameras"][0]["latest_sample"]
    assert latest["workers"] == 2 and latest["slot_at"] == "2026-11-28T02:10:00Z"
    assert sites[1]["cameras"][0]["latest_sample"] is None
    assert client.get(latest["snapshot_url"]).content == b"\xff\xd8jpeg"


def test_missing_snapshots_are_404_and_paths_cannot_escape(sessions: sessionmaker[Session], tmp_path: Path) -> None:
    _seed(sessions, "../../etc/passwd")
    client = logged_in(TestClient(create_app(sessions, tmp_path / "snaps", clock=ticking())), sessions)
    sample_id = client.get("/api/sites").json()[0]["cameras"][0]["latest_sample"]["id"]
    assert client.get(f"/api/samples/{sample_id}/snapshot").status_code == 404
    assert client.get("/api/samples/999999/snapshot").status_code == 404
    assert client.get("/api/samples/abc/snapshot").status_code == 422


def test_health_reports_a_database_that_does_not_answer(tmp_path: Path) -> None:
    engine = make_engine("postgresql://nobody@127.0.0.1:1/none")
    client = TestClient(create_app(make_session_factory(engine), tmp_path, clock=ticking()))
    response = client.get("/api/health")
    assert response.status_code == 503
    assert response.json()["database"] == "unavailable"
    engine.dispose()


def test_the_overview_is_served_again_until_the_data_changes(sessions: sessionmaker[Session], tmp_path: Path) -> None:
    _seed(sessions, None)
    client = logged_in(TestClient(create_app(sessions, tmp_path, clock=ticking())), sessions)
    first = client.get("/api/sites")
    assert client.get("/api/sites").content == first.content
    with sessions() as s:
        key = CameraKey("site2", "cam1")
        slot = T0 + dt.timedelta(hours=1)
        record_sample(s, camera_pks(s)[key], Sample(key, slot, slot, CameraStatus.offline, reason="refused"))
    sites = {x["id"]: x for x in client.get("/api/sites").json()}
    assert sites["site2"]["cameras"][0]["status"] == "offline"
    assert client.get("/api/sites", params={"batch": "signed"}).json() == []
