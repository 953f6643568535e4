"""The worker's side with a stand-in detector, video files and a real SQLite database."""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from detectors import CategoryMap
from monitor.config import AppConfig, Category, parse_config
from monitor.core.values import CameraKey, CameraStatus
from monitor.execution.app import SweepTask
from monitor.execution.worker import StoreUnavailable, WorkerContext, WorkerStartError
from monitor.store import make_engine, make_session_factory, migrate, models
from monitor.store.faults import StorageHealth
from monitor.store.repo import sync_config
from monitor.store.writer import SampleWriter
from tests.fixtures import videos
from tests.fixtures.clock import fixed
from tests.fixtures.servers import SAMPLE_VIDEO
from tests.helpers import config_dict
from tests.monitor.fakes import NAMES, FakeDetector

SLOT = dt.datetime(2026, 11, 28, 2, 0, tzinfo=dt.UTC)
STEP = dt.timedelta(minutes=1)


class Clock:
    def __init__(self) -> None:
        self.now = SLOT + dt.timedelta(seconds=5)

    def __call__(self) -> dt.datetime:
        return self.now


def _config(tmp_path: Path, urls: list[str]) -> AppConfig:
    data = config_dict(urls)
    data["execution"] = {"mode": "celery", "broker_url": "redis://127.0.0.1:6379/0", "write_retry_seconds": 0}
    data["sampling"]["snapshot_dir"] = str(tmp_path / "snaps")
    data["picture"] = {"frozen_after_samples": 3}
    return parse_config(data)


def _database(tmp_path: Path, config: AppConfig) -> str:
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    engine = make_engine(url)
    migrate(engine)  # the scheduler's job
    with make_session_factory(engine)() as s:
        sync_config(s, config, fixed())
    engine.dispose()
    return url


def _context(config: AppConfig, url: str, clock: Clock, **kw: Any) -> WorkerContext:
    detector = FakeDetector([(300, 150, 340, 300, 0)])
    return WorkerContext.build(
        config, url, detector=(detector, CategoryMap.build({"person": Category.worker}, NAMES)), clock=clock, **kw
    )


def _task(config: AppConfig, slot: dt.datetime, keys: list[CameraKey] | None = None, digest: str = "") -> SweepTask:
    keys = keys if keys is not None else [CameraKey(s.id, c.id) for s, c in config.cameras()]
    return SweepTask(slot, tuple(keys), slot + STEP, digest)


def _stored(ctx: WorkerContext) -> int:
    with ctx.sessions() as s:
        return int(s.scalar(select(func.count()).select_from(models.Sample)) or 0)


def test_a_task_samples_and_stores_each_camera_once_even_when_delivered_twice(tmp_path: Path) -> None:
    config = _config(tmp_path, [str(SAMPLE_VIDEO)] * 3)
    clock = Clock()
    ctx = _context(config, _database(tmp_path, config), clock)
    try:
        first = ctx.sample(_task(config, SLOT))
        again = ctx.sample(_task(config, SLOT))  # the broker handed the same task out again
        assert (first.sampled, first.already_done) == (3, 0)
        assert (again.sampled, again.already_done) == (0, 3)
        assert _stored(ctx) == 3
        with ctx.sessions() as s:
            assert {r.status for r in s.scalars(select(models.Sample))} == {"online"}
    finally:
        ctx.close()


def test_a_task_that_arrives_after_its_slot_is_over_samples_nothing(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    config = _config(tmp_path, [str(SAMPLE_VIDEO)])
    clock = Clock()
    ctx = _context(config, _database(tmp_path, config), clock)
    clock.now = SLOT + STEP
    try:
        with caplog.at_level(logging.WARNING):
            report = ctx.sample(_task(config, SLOT))
        assert report.expired and _stored(ctx) == 0
        assert "slot 2026-11-28T02:00:00+00:00 is over" in caplog.text
    finally:
        ctx.close()


def test_unknown_cameras_and_another_config_are_named_in_the_log(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    config = _config(tmp_path, [str(SAMPLE_VIDEO)])
    ctx = _context(config, _database(tmp_path, config), Clock())
    keys = [CameraKey("site1", "cam1"), CameraKey("site9", "gate")]
    try:
        with caplog.at_level(logging.WARNING):
            report = ctx.sample(_task(config, SLOT, keys, digest="0123456789ab"))
            ctx.sample(_task(config, SLOT + STEP, keys, digest="0123456789ab"))
        assert report.sampled == 1 and report.unknown == ("site9/gate",)
        assert "camera(s) site9/gate not in this worker's configuration" in caplog.text
        assert caplog.text.count("differs from the scheduler's (0123456789ab)") == 1  # said once, not per task
    finally:
        ctx.close()


def test_a_frozen_picture_is_seen_across_workers_because_memory_lives_in_the_database(tmp_path: Path) -> None:
    still = videos.still(tmp_path / "still.mp4", seconds=4)
    config = _config(tmp_path, [str(still)])
    url = _database(tmp_path, config)
    clocks = [Clock(), Clock()]
    workers = [_context(config, url, clocks[0]), _context(config, url, clocks[1])]
    statuses = []
    try:
        for i in range(4):  # the camera goes to worker 1, 2, 1, 2
            slot = SLOT + i * STEP
            ctx = workers[i % 2]
            clocks[i % 2].now = slot + dt.timedelta(seconds=5)
            ctx.sample(_task(config, slot))
            with ctx.sessions() as s:
                statuses.append(s.scalars(select(models.Sample.status).where(models.Sample.slot_at == slot)).one())
    finally:
        for w in workers:
            w.close()
    assert statuses == ["online", "online", "frozen", "frozen"]


def test_samples_taken_while_the_database_is_down_are_held_not_lost(tmp_path: Path) -> None:
    config = _config(tmp_path, [str(SAMPLE_VIDEO)] * 2)
    ctx = _context(config, _database(tmp_path, config), Clock())
    down = make_engine("postgresql://postgres@127.0.0.1:1/none")  # nothing listens on port 1
    good_writer = ctx.sweeper.writer
    ctx.sweeper.writer = SampleWriter(make_session_factory(down), StorageHealth(fixed()))
    try:
        with pytest.raises(StoreUnavailable, match="2 sample\\(s\\) not stored yet"):
            ctx.sample(_task(config, SLOT))
        assert _stored(ctx) == 0 and ctx.sweeper.writer.pending == 2
        ctx.sweeper.writer._sessions = good_writer._sessions  # the database is back
        assert ctx.sweeper.writer.flush() == 2
        with ctx.sessions() as s:
            assert {r.status for r in s.scalars(select(models.Sample))} == {CameraStatus.online.value}
    finally:
        ctx.close()
        down.dispose()


def test_a_worker_refuses_to_start_on_a_database_the_scheduler_has_not_set_up(tmp_path: Path) -> None:
    config = _config(tmp_path, [str(SAMPLE_VIDEO)])
    with pytest.raises(WorkerStartError, match=r"schema is at nothing, this worker needs \w+: start the scheduler"):
        _context(config, f"sqlite:///{tmp_path / 'empty.sqlite'}", Clock())
    with pytest.raises(WorkerStartError, match="cannot reach the database: OperationalError"):
        _context(config, "postgresql://postgres@127.0.0.1:1/none", Clock())
