from __future__ import annotations

import datetime as dt
import threading
import time

from monitor.config import CameraConfig, parse_config
from monitor.sweep import run_sweep
from monitor.types import CameraKey, CameraStatus, Sample
from tests.fixtures.servers import SAMPLE_VIDEO
from tests.helpers import config_dict

SLOT = dt.datetime(2026, 11, 28, 2, 0, tzinfo=dt.UTC)


def test_one_failing_camera_or_sink_never_stops_the_sweep() -> None:
    config = parse_config(config_dict([str(SAMPLE_VIDEO)] * 5))
    stored: list[Sample] = []

    def sample(site_id: str, camera: CameraConfig, slot: dt.datetime) -> Sample:
        if site_id == "site2":
            raise RuntimeError("bug")
        return Sample(CameraKey(site_id, camera.id), slot, slot, CameraStatus.online)

    def sink(s: Sample) -> None:
        if s.camera.site_id == "site4":
            raise OSError("disk full")
        stored.append(s)

    result = run_sweep(config, sample, sink, SLOT)
    assert len(result.samples) == 5
    assert result.online == 4  # site4 was seen; only its storing failed
    failed = next(s for s in result.samples if s.camera.site_id == "site2")
    assert failed.status is CameraStatus.unknown and "bug" in failed.reason
    assert sorted(s.camera.site_id for s in stored) == ["site1", "site2", "site3", "site5"]


def test_cameras_are_sampled_in_parallel_up_to_the_limit() -> None:
    config = parse_config(config_dict([str(SAMPLE_VIDEO)] * 6))
    active, peak, lock = 0, 0, threading.Lock()

    def sample(site_id: str, camera: CameraConfig, slot: dt.datetime) -> Sample:
        nonlocal active, peak
        with lock:
            active += 1
            peak = max(peak, active)
        time.sleep(0.1)
        with lock:
            active -= 1
        return Sample(CameraKey(site_id, camera.id), slot, slot, CameraStatus.online)

    run_sweep(config, sample, lambda s: None, SLOT, max_workers=3)
    assert peak == 3
