"""Snapshot retention: by age, by disk budget, evidence of assessed days kept longer, temporary files."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from apscheduler.triggers.cron import CronTrigger
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from api import create_app
from detectors import CategoryMap
from monitor.config import AppConfig, Category, parse_config
from monitor.core.values import Activity, CameraKey, CameraStatus, Counts, Sample
from monitor.sampling.retention import EVIDENCE_MARK, GB, CleanupResult, clean_snapshots
from monitor.sampling.snapshots import snapshot_relpath, write_jpeg
from monitor.service.runtime import build_runtime
from monitor.service.schedule import DAILY_JOBS, SNAPSHOT_CLEANUP, run_job
from monitor.service.scheduling import build_scheduler
from monitor.store import models
from monitor.store.repo import camera_pks, record_sample, sync_config
from monitor.store.snapshot_evidence import evidence_in
from tests.fixtures.clock import fixed, ticking
from tests.fixtures.filesystems import fill, small_filesystem
from tests.helpers import config_dict, logged_in
from tests.monitor.fakes import NAMES, FakeDetector

NOW = dt.datetime(2026, 11, 28, 12, 0, tzinfo=dt.UTC)
KEY = CameraKey("site1", "cam1")
JPEG = b"\xff\xd8" + b"j" * 998  # 1,000 bytes


def _clean(root: Path, sessions: sessionmaker[Session], config: AppConfig) -> CleanupResult:
    with sessions() as session:
        return clean_snapshots(root, config.sampling, NOW, evidence_in(session, config.calendar))


def _config(root: Path, **sampling: Any) -> AppConfig:
    data = config_dict()
    data["sampling"].update(snapshot_dir=str(root), **sampling)
    return parse_config(data)


def _day(
    sessions: sessionmaker[Session], root: Path, days_ago: int, activities: list[float], assessed: bool = False
) -> list[Path]:
    """A day folder with one snapshot per activity value, their samples, and the site's score if assessed."""
    day = (NOW - dt.timedelta(days=days_ago)).date()
    files = []
    with sessions() as s:
        pk = camera_pks(s)[KEY]
        for i, activity in enumerate(activities):
            slot = dt.datetime.combine(day, dt.time(2, 0), dt.UTC) + dt.timedelta(minutes=5 * i)
            rel = snapshot_relpath(KEY, slot)
            (root / rel).parent.mkdir(parents=True, exist_ok=True)
            (root / rel).write_bytes(JPEG)
            files.append(root / rel)
            sample = Sample(
                KEY,
                slot,
                slot,
                CameraStatus.online,
                counts=Counts(1, 0, 0),
                snapshot_path=str(rel),
                activity=Activity(1, 0, 0, 0.1, activity),
            )
            record_sample(s, pk, sample)
        if assessed:
            local = dt.datetime.combine(day, dt.time(2, 0), dt.UTC).astimezone(dt.timezone(dt.timedelta(hours=8)))
            s.add(
                models.DailyScore(
                    site_id="site1", day=local.date(), score=50.0, status="active", components={}, computed_at=NOW
                )
            )
        s.commit()
    return files


@pytest.fixture
def root(tmp_path: Path, sessions: sessionmaker[Session]) -> Path:
    with sessions() as s:
        sync_config(s, _config(tmp_path / "snaps"), fixed())
    return tmp_path / "snaps"


def test_old_snapshots_go_and_assessed_days_keep_their_busiest_one(root: Path, sessions: sessionmaker[Session]) -> None:
    config = _config(root, snapshot_retention_days=30, snapshot_evidence_days=365)
    ancient = _day(sessions, root, 400, [0.9], assessed=True)
    assessed = _day(sessions, root, 40, [0.2, 0.8, 0.5], assessed=True)
    unassessed = _day(sessions, root, 41, [0.9, 0.1])
    recent = _day(sessions, root, 10, [0.1, 0.2])
    today = _day(sessions, root, 0, [0.3])
    stale, fresh = today[0].with_suffix(".jpg.tmp"), today[0].parent / "120000.jpg.tmp"
    stale.write_bytes(b"half")
    fresh.write_bytes(b"half")
    two_hours_ago = (NOW - dt.timedelta(hours=2)).timestamp()
    os.utime(stale, (two_hours_ago, two_hours_ago))
    os.utime(fresh, (NOW.timestamp(), NOW.timestamp()))

    result = _clean(root, sessions, config)

    assert not ancient[0].parent.exists() and not unassessed[0].parent.exists()
    assert [f.exists() for f in assessed] == [False, True, False]
    assert (assessed[0].parent / EVIDENCE_MARK).read_text() == assessed[1].name + "\n"
    assert all(f.exists() for f in recent + today) and fresh.exists() and not stale.exists()
    assert result.files_removed == 1 + 2 + 2 + 1
    assert result.bytes_freed == 5 * 1000 + 4
    left = [p for p in root.rglob("*") if p.is_file()]
    assert result.bytes_used == sum(p.stat().st_size for p in left)
    again = _clean(root, sessions, config)
    assert again.files_removed == 0 and assessed[1].exists()


def test_over_the_disk_budget_the_oldest_days_go_first_but_not_their_evidence(
    root: Path, sessions: sessionmaker[Session]
) -> None:
    oldest = _day(sessions, root, 5, [0.1, 0.9, 0.2], assessed=True)
    older = _day(sessions, root, 4, [0.1, 0.2, 0.3])
    newer = _day(sessions, root, 3, [0.1, 0.2, 0.3])
    config = _config(root, snapshot_budget_gb=4500 / GB)

    result = _clean(root, sessions, config)

    assert [f.exists() for f in oldest] == [False, True, False]
    assert not older[0].parent.exists()
    assert all(f.exists() for f in newer)
    assert result.files_removed == 5 and not result.over_budget
    assert result.bytes_used <= 4500


def test_a_budget_too_small_for_evidence_and_the_newest_days_is_reported(
    root: Path, sessions: sessionmaker[Session]
) -> None:
    yesterday = _day(sessions, root, 1, [0.1, 0.2])
    config = _config(root, snapshot_budget_gb=100 / GB)

    result = _clean(root, sessions, config)

    assert all(f.exists() for f in yesterday)  # not yet assessed: never pruned by the budget
    assert result.over_budget and result.bytes_used == 2000


def test_the_clean_up_is_a_daily_job_that_waits_for_the_lease_and_shows_in_metrics(tmp_path: Path) -> None:
    data = config_dict()
    data["sampling"].update(snapshot_dir=str(tmp_path / "snaps"), snapshot_cleanup_at="04:15")
    detector = (FakeDetector(), CategoryMap.build({"person": Category.worker}, NAMES))
    runtime = build_runtime(
        parse_config(data), f"sqlite:///{tmp_path / 'db.sqlite'}", clock=ticking(), detector=detector, sinks=[]
    )
    try:
        scheduler = build_scheduler(runtime)
        job = scheduler.get_job(SNAPSHOT_CLEANUP)
        assert isinstance(job.trigger, CronTrigger) and "hour='4', minute='15'" in str(job.trigger)
        assert SNAPSHOT_CLEANUP in DAILY_JOBS and job.next_run_time is None  # paused until the lease
        old = tmp_path / "snaps/site1/cam1/2020-01-01"
        old.mkdir(parents=True)
        (old / "020000.jpg").write_bytes(JPEG)
        run_job(runtime, SNAPSHOT_CLEANUP)
        app = create_app(runtime.sessions, runtime.snapshot_root, clock=runtime.clock)
        app.state.snapshot_cleanup = runtime.snapshot_cleanup
        metrics = logged_in(TestClient(app), runtime.sessions, "viewer").get("/metrics").text
        assert "sitemon_snapshot_files_removed_total 1.0" in metrics
        assert "sitemon_snapshot_bytes_freed_total 1000.0" in metrics
        assert "sitemon_snapshot_bytes 0.0" in metrics
    finally:
        runtime.close()


def test_a_snapshot_that_cannot_be_written_leaves_no_temporary_file(tmp_path: Path) -> None:
    with small_filesystem(tmp_path / "fs", size_mb=1) as fs:
        fill(fs)
        image = np.random.default_rng(0).integers(0, 255, (480, 640, 3), dtype=np.uint8)
        with pytest.raises(OSError):
            write_jpeg(fs, Path("site1/cam1/2026-11-28/020000.jpg"), image, 95)
        assert list(fs.rglob("*.tmp")) == []
