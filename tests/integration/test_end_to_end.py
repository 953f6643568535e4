"""The whole path against real parts: GStreamer RTSP server -> OpenCV -> YOLO -> database -> API."""

from __future__ import annotations

import threading
from pathlib import Path

import cv2
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from api import create_app
from detectors import CategoryMap, Detector
from monitor.config import AppConfig, parse_config
from monitor.execution.local import load_detector
from monitor.service.runtime import build_runtime
from monitor.store import models
from tests.fixtures.clock import ticking
from tests.fixtures.servers import RtspServer, free_port, wait_for
from tests.helpers import config_dict, logged_in

pytestmark = [pytest.mark.slow, pytest.mark.rtsp]


@pytest.fixture(scope="module")
def real_detector() -> tuple[Detector, CategoryMap]:
    return load_detector(parse_config(config_dict()))


def _config(rtsp: RtspServer, tmp_path: Path) -> AppConfig:
    dead = f"rtsp://admin:Sup3rSecret@127.0.0.1:{free_port()}/live"  # nothing listens there
    data = config_dict([rtsp.url("/cam1"), rtsp.url("/cam2"), rtsp.url("/missing"), dead])
    data["sampling"]["snapshot_dir"] = str(tmp_path / "snapshots")
    return parse_config(data)


def test_a_sweep_over_the_real_rtsp_server_stores_samples_and_snapshots(
    rtsp: RtspServer, db_url: str, tmp_path: Path, real_detector: tuple[Detector, CategoryMap]
) -> None:
    runtime = build_runtime(_config(rtsp, tmp_path), db_url, clock=ticking(), detector=real_detector)
    threads_before = threading.active_count()  # the runtime's own service threads included
    try:
        result = runtime.sweep()
        # Sampling threads end with the sweep (no thread is left hanging on the dead cameras).
        assert wait_for(lambda: threading.active_count() <= threads_before, 12), threading.enumerate()
        by_site = {s.camera.site_id: s for s in result.samples}
        assert by_site["site1"].ok and by_site["site2"].ok
        assert not by_site["site3"].ok and not by_site["site4"].ok
        assert by_site["site1"].counts is not None and by_site["site1"].counts.workers >= 1

        with runtime.sessions() as session:
            rows = {r.site_id: r for r in session.scalars(select(models.Sample))}
        assert set(rows) == {"site1", "site2", "site3", "site4"}
        assert rows["site1"].status == "online" and rows["site1"].workers == by_site["site1"].counts.workers
        assert rows["site4"].status == "offline" and rows["site4"].workers is None
        assert "Sup3rSecret" not in rows["site4"].reason
        snapshot = runtime.snapshot_root / str(rows["site1"].snapshot_path)
        image = cv2.imread(str(snapshot))
        assert image is not None and image.shape == (352, 640, 3)

        client = logged_in(
            TestClient(create_app(runtime.sessions, runtime.snapshot_root, clock=runtime.clock)), runtime.sessions
        )
        sites = {s["id"]: s for s in client.get("/api/sites").json()}
        cam = sites["site1"]["cameras"][0]
        assert cam["status"] == "online"
        assert cam["latest_sample"]["workers"] == rows["site1"].workers
        jpeg = client.get(cam["latest_sample"]["snapshot_url"])
        assert jpeg.status_code == 200 and jpeg.headers["content-type"] == "image/jpeg"
        assert sites["site4"]["cameras"][0]["status"] == "offline"
        assert "Sup3rSecret" not in client.get("/api/sites").text
    finally:
        runtime.close()
