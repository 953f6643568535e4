"""Whole sweeps over the real RTSP server: faults, frozen pictures, persistent streams."""

from __future__ import annotations

import datetime as dt
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from detectors import CategoryMap
from monitor.config import Category, parse_config
from monitor.core.values import CameraStatus
from monitor.service.runtime import Runtime, build_runtime
from monitor.store import models
from tests.fixtures import videos
from tests.fixtures.servers import SAMPLE_VIDEO, RtspServer, free_port, rtsp_server, wait_for
from tests.helpers import config_dict
from tests.monitor.fakes import NAMES, FakeDetector

pytestmark = [pytest.mark.slow, pytest.mark.rtsp]
T0 = dt.datetime(2026, 11, 28, 1, 0, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RtspServer]:
    d = tmp_path_factory.mktemp("media")
    mounts = {
        "/live": SAMPLE_VIDEO,
        "/still": videos.still(d / "still.mp4"),
        "/clock": videos.still(d / "clock.mp4", ticking_clock=True),
    }
    with rtsp_server(mounts) as s:
        yield s


class SteppingClock:
    """Each sweep is one sampling interval later."""

    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> dt.datetime:
        return self.now


def _runtime(tmp_path: Path, cameras: list[dict[str, Any]], clock: SteppingClock, **sampling: Any) -> Runtime:
    data = config_dict()
    data["sites"] = [
        {"id": f"s{i}", "name": f"工地{i}", "district": "城东区", "batch": "started", "cameras": [cam]}
        for i, cam in enumerate(cameras)
    ]
    data["sampling"].update(
        {
            "snapshot_dir": str(tmp_path / "snaps"),
            "open_timeout_seconds": 2,
            "read_timeout_seconds": 2,
            "camera_deadline_seconds": 6,
            **sampling,
        }
    )
    detector = FakeDetector([(300, 150, 340, 300, 0)])
    cats = CategoryMap.build({"person": Category.worker}, NAMES)
    return build_runtime(
        parse_config(data), f"sqlite:///{tmp_path / 'db.sqlite'}", clock=clock, detector=(detector, cats)
    )


def test_a_sweep_over_every_kind_of_fault_completes_and_records_each(server: RtspServer, tmp_path: Path) -> None:
    stall = socket.socket()
    stall.bind(("127.0.0.1", 0))
    stall.listen(8)
    cameras = [
        {"id": "live", "url": server.url("/live")},
        {"id": "down", "url": f"rtsp://admin:Pw-Secret1@127.0.0.1:{free_port()}/live"},
        {"id": "missing", "url": server.url("/nope")},
        {"id": "stall", "url": f"rtsp://127.0.0.1:{stall.getsockname()[1]}/live"},
        {"id": "dns", "url": "rtsp://camera.invalid/live"},
        {"id": "live2", "url": server.url("/live")},
    ]
    threads = threading.active_count()
    runtime = _runtime(tmp_path, cameras, SteppingClock(), max_workers=8)
    try:
        started = time.monotonic()
        result = runtime.sweep()
        elapsed = time.monotonic() - started
        statuses = {s.camera.camera_id: (s.status, s.reason) for s in result.samples}
        with runtime.sessions() as session:
            stored = {r.camera_pk: r.status for r in session.scalars(select(models.Sample))}
            cams = {c.camera_id: c for c in session.scalars(select(models.Camera))}
    finally:
        runtime.close()
        stall.close()
    assert elapsed < 2 + 2 + 3  # the stalled camera's open timeout, not the sum of all cameras
    assert statuses["live"][0] is CameraStatus.online and statuses["live2"][0] is CameraStatus.online
    assert statuses["down"] == (CameraStatus.offline, statuses["down"][1]) and "refused" in statuses["down"][1]
    assert statuses["missing"][0] is CameraStatus.not_found
    assert statuses["stall"][0] is CameraStatus.offline and "timeout" in statuses["stall"][1]
    assert statuses["dns"][0] is CameraStatus.offline and "DNS" in statuses["dns"][1]
    assert len(stored) == 6
    assert cams["down"].status == "offline" and "Pw-Secret1" not in cams["down"].status_reason
    assert "Pw-Secret1" not in cams["down"].masked_url
    assert wait_for(lambda: threading.active_count() <= threads, 8), threading.enumerate()


def _sweeps(runtime: Runtime, clock: SteppingClock, n: int, gap_s: float) -> dict[str, list[CameraStatus]]:
    out: dict[str, list[CameraStatus]] = {}
    for _ in range(n):
        for s in runtime.sweep().samples:
            out.setdefault(s.camera.camera_id, []).append(s.status)
        clock.now += dt.timedelta(seconds=runtime.config.sampling.interval_seconds)
        time.sleep(gap_s)
    return out


def test_frozen_pictures_are_found_and_a_masked_ticking_clock_does_not_hide_them(
    server: RtspServer, tmp_path: Path
) -> None:
    mask = [{"name": "clock", "polygon": videos.CLOCK_MASK}]
    cameras = [
        {"id": "still", "url": server.url("/still")},
        {"id": "clock-masked", "url": server.url("/clock"), "mode": "persistent", "masks": mask},
        {"id": "clock-unmasked", "url": server.url("/clock"), "mode": "persistent"},
        {"id": "live", "url": server.url("/live"), "mode": "persistent"},
    ]
    threads = threading.active_count()
    clock = SteppingClock()
    runtime = _runtime(tmp_path, cameras, clock)
    try:
        statuses = _sweeps(runtime, clock, 3, gap_s=1.2)
        with runtime.sessions() as session:
            frozen_events = session.scalars(
                select(models.CameraEvent).where(models.CameraEvent.status == "frozen")
            ).all()
    finally:
        runtime.close()
    frozen = [CameraStatus.online, CameraStatus.online, CameraStatus.frozen]
    assert statuses["still"] == frozen
    assert statuses["clock-masked"] == frozen
    # A clock is a tiny share of the picture: even unmasked it does not keep a frozen camera "alive".
    assert statuses["clock-unmasked"] == frozen
    assert statuses["live"] == [CameraStatus.online] * 3
    assert len(frozen_events) == 3
    assert wait_for(lambda: threading.active_count() <= threads, 8), threading.enumerate()
