"""/metrics: one collector, registered once per app, that reads the state at each scrape."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from api import create_app
from monitor.config import parse_config
from monitor.core.values import Activity, CameraKey, CameraStatus, Counts, Sample
from monitor.store.repo import camera_pks, record_sample, sync_config
from tests.fixtures.clock import fixed
from tests.fixtures.servers import SAMPLE_VIDEO
from tests.helpers import config_dict, logged_in

NOW = dt.datetime(2026, 11, 28, 4, 0, tzinfo=dt.UTC)


def test_one_collector_reads_the_state_at_each_scrape(sessions: sessionmaker[Session], tmp_path: Path) -> None:
    last_sweep: list[float | None] = [None]
    app = create_app(sessions, tmp_path, last_sweep_seconds=lambda: last_sweep[0], clock=lambda: NOW)
    registry = app.state.metrics
    client = logged_in(TestClient(app), sessions, "viewer")
    before = client.get("/metrics").text
    assert "sitemon_sweep_duration_seconds 0.0" in before
    assert "# TYPE sitemon_grabs_abandoned_total gauge" in before and "sitemon_grab_threads_stuck " in before
    assert "sitemon_cameras{" not in before and "# TYPE sitemon_cameras gauge" in before

    with sessions() as s:
        sync_config(s, parse_config(config_dict([str(SAMPLE_VIDEO)])), fixed())
        key = CameraKey("site1", "cam1")
        slot = NOW - dt.timedelta(seconds=90)
        sample = Sample(key, slot, slot, CameraStatus.online, counts=Counts(1, 0, 0), activity=Activity(level=0.5))
        record_sample(s, camera_pks(s)[key], sample)
    last_sweep[0] = 4.5
    after = client.get("/metrics").text
    assert "sitemon_sweep_duration_seconds 4.5" in after
    assert 'sitemon_cameras{status="online"} 1.0' in after
    assert 'sitemon_camera_sample_age_seconds{camera="cam1",site="site1"} 90.0' in after  # by the app's clock
    assert app.state.metrics is registry and after.count("# TYPE sitemon_cameras gauge") == 1
