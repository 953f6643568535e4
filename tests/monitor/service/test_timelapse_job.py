"""The daily time-lapse job: scheduled, led by the lease holder, makes yesterday's video of each site."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import av
import numpy as np
from apscheduler.triggers.cron import CronTrigger

from detectors import CategoryMap
from monitor.config import Category, parse_config
from monitor.core.values import CameraKey, CameraStatus, Counts, Sample
from monitor.sampling.snapshots import snapshot_relpath, write_jpeg
from monitor.service.runtime import build_runtime
from monitor.service.schedule import DAILY_JOBS, TIMELAPSE, run_job
from monitor.service.scheduling import build_scheduler
from monitor.store.repo import camera_pks, record_sample
from tests.helpers import config_dict
from tests.monitor.fakes import NAMES, FakeDetector

NOW = dt.datetime(2026, 11, 28, 16, 20, tzinfo=dt.UTC)  # 00:20 on the 29th in Shanghai


def test_yesterdays_time_lapse_is_a_daily_job_that_waits_for_the_lease(tmp_path: Path) -> None:
    data = config_dict()
    data["sampling"].update(snapshot_dir=str(tmp_path / "snaps"))
    detector = (FakeDetector(), CategoryMap.build({"person": Category.worker}, NAMES))
    config = parse_config(data)
    runtime = build_runtime(
        config, f"sqlite:///{tmp_path / 'db.sqlite'}", clock=lambda: NOW, detector=detector, sinks=[]
    )
    try:
        scheduler = build_scheduler(runtime)
        job = scheduler.get_job(TIMELAPSE)
        assert isinstance(job.trigger, CronTrigger) and "hour='0', minute='20'" in str(job.trigger)
        assert TIMELAPSE in DAILY_JOBS and job.next_run_time is None  # paused until the lease
        key = CameraKey("site1", "cam1")
        with runtime.sessions() as s:
            pk = camera_pks(s)[key]
            for minutes in (0, 5, 10):  # 28 November, 10:00 in Shanghai
                slot = dt.datetime(2026, 11, 28, 2, minutes, tzinfo=dt.UTC)
                rel = snapshot_relpath(key, slot)
                write_jpeg(runtime.snapshot_root, rel, np.full((90, 160, 3), 99, np.uint8), 80)
                record_sample(
                    s, pk, Sample(key, slot, slot, CameraStatus.online, counts=Counts(1, 0, 0), snapshot_path=str(rel))
                )
        run_job(runtime, TIMELAPSE)
        video = runtime.snapshot_root / ".timelapse/site1/2026-11-28.mp4"
        with av.open(str(video)) as container:
            assert sum(1 for _ in container.decode(video=0)) == 80  # three pictures, held for 10 s at 8 a second
    finally:
        runtime.close()
