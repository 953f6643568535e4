"""A full disk under a running deployment (a real 8 MB tmpfs): the login says 503 as the docs promise, an
export leaves no empty file behind and says why, and snapshots that cannot be written show in /api/health and
/metrics. The API is the one `sitemon run` serves (``deployment_app``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from detectors import CategoryMap
from monitor.cli.serve import deployment_app
from monitor.config import Category, parse_config
from monitor.core.values import CameraStatus
from monitor.service.runtime import Runtime, build_runtime
from monitor.store.users import Role, add_user
from tests.fixtures.clock import NOW, StepClock
from tests.fixtures.filesystems import fill, small_filesystem
from tests.fixtures.servers import SAMPLE_VIDEO
from tests.helpers import config_dict, logged_in
from tests.monitor.fakes import NAMES, FakeDetector

PASSWORD = "correct-horse-battery"


@pytest.fixture
def tmpfs(tmp_path: Path) -> Iterator[Path]:
    with small_filesystem(tmp_path / "fs", size_mb=8) as path:
        yield path


def _runtime(database: Path, snapshots: Path, exports: Path, clock: StepClock | None = None) -> Runtime:
    data = config_dict([str(SAMPLE_VIDEO)])
    data["sampling"]["snapshot_dir"] = str(snapshots)
    data["export"] = {"folder": str(exports)}
    detector = (FakeDetector(), CategoryMap.build({"person": Category.worker}, NAMES))
    clock = clock or StepClock(NOW)
    return build_runtime(parse_config(data), f"sqlite:///{database}", clock=clock, detector=detector, sinks=[])


def test_a_login_on_a_full_database_disk_is_a_503_and_works_once_there_is_room(tmpfs: Path, tmp_path: Path) -> None:
    runtime = _runtime(tmpfs / "sitemon.db", tmp_path / "snaps", tmp_path / "exports")
    try:
        with runtime.sessions() as s:
            add_user(s, "duty", PASSWORD, Role.operator, now=NOW)
        api = TestClient(deployment_app(runtime), raise_server_exceptions=False)
        filler = fill(tmpfs)
        body = {"username": "duty", "password": PASSWORD}
        refused = api.post("/api/auth/login", json=body)
        assert refused.status_code == 503, refused.text
        assert refused.json()["detail"] == "the database's disk is full; try again later"
        assert refused.headers["Retry-After"] == "60"
        assert "sitemon.db" not in refused.text  # the kind of fault only: the path goes to the log
        filler.unlink()
        assert api.post("/api/auth/login", json=body).status_code == 200  # and no failed login was counted
    finally:
        runtime.close()


def test_an_export_to_a_full_disk_leaves_no_empty_file_and_says_why(tmpfs: Path, tmp_path: Path) -> None:
    runtime = _runtime(tmp_path / "sitemon.db", tmp_path / "snaps", tmpfs / "exports")
    try:
        admin = logged_in(TestClient(deployment_app(runtime), raise_server_exceptions=False), runtime.sessions)
        day = NOW.astimezone(runtime.config.tz).date() - dt.timedelta(days=1)
        (tmpfs / "exports").mkdir()
        filler = fill(tmpfs)
        answer = admin.post(f"/api/admin/days/{day}/export")
        assert answer.status_code == 503, answer.text
        assert answer.json()["detail"] == (
            f"the assessment files cannot be written: assessment-{day}.xlsx not written: the disk is full"
        )
        assert sorted(p.name for p in (tmpfs / "exports").iterdir()) == []  # no empty .tmp left behind
        filler.unlink()
        done = admin.post(f"/api/admin/days/{day}/export")
        assert done.status_code == 200 and done.json()["count"] == 3
        assert sorted(p.suffix for p in (tmpfs / "exports").iterdir()) == [".csv", ".json", ".xlsx"]
    finally:
        runtime.close()


def test_snapshots_that_cannot_be_written_show_in_health_and_metrics(tmpfs: Path, tmp_path: Path) -> None:
    clock = StepClock(NOW)
    runtime = _runtime(tmp_path / "sitemon.db", tmpfs / "snaps", tmp_path / "exports", clock)
    try:
        app = deployment_app(runtime)
        anyone = TestClient(app)
        operator = logged_in(TestClient(app), runtime.sessions, "operator")
        assert anyone.get("/api/health").json()["snapshots"] == "ok"
        filler = fill(tmpfs)
        (sample,) = runtime.sweep().samples
        assert sample.status is CameraStatus.online and sample.snapshot_path is None  # sampled, no picture
        health = anyone.get("/api/health")
        assert health.status_code == 503
        assert health.json() | {"version": ""} == {
            "status": "degraded",
            "database": "ok",
            "reason": "the snapshot folder's disk is full",
            "samples_held": 0,
            "snapshots": "disk_full",
            "version": "",
        }
        metrics = operator.get("/metrics").text
        assert 'sitemon_snapshots_writable{fault="disk_full"} 0.0' in metrics
        assert "sitemon_snapshot_write_failures_total 1.0" in metrics
        filler.unlink()
        clock.advance(dt.timedelta(minutes=5))  # the next slot
        (sample,) = runtime.sweep().samples
        assert sample.snapshot_path is not None
        assert anyone.get("/api/health").json()["snapshots"] == "ok"
        assert "sitemon_snapshot_write_failures_total 1.0" in operator.get("/metrics").text
    finally:
        runtime.close()
