"""A database that cannot be written: samples held, the real cause logged and reported, sampling goes on."""

from __future__ import annotations

import datetime as dt
import logging
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from apscheduler.schedulers.background import BackgroundScheduler
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, select, text

from api import create_app
from detectors import CategoryMap
from monitor.config import Category, parse_config
from monitor.core.values import CameraKey, CameraStatus, Counts, Sample
from monitor.execution.local import LocalSweeper
from monitor.service.leadership import Leadership
from monitor.service.runtime import Runtime, build_runtime
from monitor.service.schedule import SWEEP
from monitor.service.scheduling import build_scheduler
from monitor.store import models
from monitor.store.faults import FAULT_TEXT, StorageFault, StorageHealth
from monitor.store.writer import SampleWriter
from tests.fixtures.clock import NOW, fixed, ticking
from tests.fixtures.filesystems import fill, remount, small_filesystem
from tests.fixtures.servers import PG_ADMIN_URL, postgres_database
from tests.helpers import config_dict, logged_in
from tests.monitor.fakes import NAMES, FakeDetector

T0 = NOW - dt.timedelta(days=1)  # before every sweep the runtime's clock makes
KEY = CameraKey("site1", "cam1")


def _sample(i: int) -> Sample:
    slot = T0 + dt.timedelta(minutes=5 * i)
    return Sample(KEY, slot, slot, CameraStatus.online, counts=Counts(i, 0, 0))


def _runtime(url: str, snapshots: Path) -> Runtime:
    data = config_dict()
    data["sampling"]["snapshot_dir"] = str(snapshots)
    detector = (FakeDetector(), CategoryMap.build({"person": Category.worker}, NAMES))
    return build_runtime(parse_config(data), url, clock=ticking(), detector=detector, sinks=[])


class Deployment:
    """A runtime that leads its scheduler, and its API with the storage state wired as `sitemon run` does."""

    def __init__(self, url: str, snapshots: Path) -> None:
        self.runtime = _runtime(url, snapshots)
        self.scheduler: BackgroundScheduler = build_scheduler(self.runtime)
        self.leadership = Leadership(self.runtime, self.scheduler, "A")
        assert self.leadership.tick() is True
        app = create_app(self.runtime.sessions, snapshots, clock=self.runtime.clock)
        app.state.storage = self.runtime.storage
        self.api = TestClient(app)
        assert isinstance(self.runtime.sweeper, LocalSweeper)
        self.writer = self.runtime.sweeper.writer

    def written(self) -> list[int | None]:
        with self.runtime.sessions() as s:
            return list(s.scalars(select(models.Sample.workers).order_by(models.Sample.slot_at)))

    def sampling(self) -> bool:
        job = self.scheduler.get_job(SWEEP)
        return job is not None and job.next_run_time is not None

    def close(self) -> None:
        self.runtime.close()


@pytest.fixture
def tmpfs(tmp_path: Path) -> Iterator[Path]:
    with small_filesystem(tmp_path / "fs", size_mb=8) as path:
        yield path


def _assert_degraded(d: Deployment, fault: StorageFault, held: int) -> None:
    answer = d.api.get("/api/health")
    assert answer.status_code == 503
    body = answer.json()
    assert body["status"] == "degraded" and body["database"] == fault.value and body["samples_held"] == held
    assert body["reason"] == FAULT_TEXT[fault]  # anyone may ask: no path, host or driver text
    state = d.runtime.storage.state
    assert not state.writable and state.fault is fault and state.samples_held == held


def _assert_recovered(d: Deployment, expected: list[int | None]) -> None:
    assert d.writer.pending == 0
    assert d.written() == expected
    assert d.runtime.storage.state.writable
    assert d.api.get("/api/health").json()["status"] == "ok"


def test_a_full_disk_holds_the_samples_keeps_sampling_and_says_so(
    tmpfs: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    d = Deployment(f"sqlite:///{tmpfs / 'sitemon.db'}", tmp_path / "snaps")
    try:
        d.writer.write(_sample(0))
        operator = logged_in(TestClient(d.api.app), d.runtime.sessions, "operator")
        filler = fill(tmpfs)
        with caplog.at_level(logging.INFO):
            d.writer.write_many([_sample(1), _sample(2)])
            assert d.leadership.tick() is True  # the lease cannot be renewed, but nobody else took it
        _assert_degraded(d, StorageFault.disk_full, held=2)
        assert d.sampling()
        swept = d.runtime.sweep()  # a sweep now samples, and holds what it sampled
        assert [s.status for s in swept.samples] == [CameraStatus.online]
        assert d.writer.pending == 3
        assert "disk is full" in caplog.text
        assert "lost to another process" not in caplog.text
        metrics = operator.get("/metrics").text
        assert 'sitemon_database_writable{fault="disk_full"} 0.0' in metrics
        assert "sitemon_samples_held 3.0" in metrics
        filler.unlink()
        d.writer.write(_sample(3))
        counts = swept.samples[0].counts
        assert counts is not None
        _assert_recovered(d, [0, 1, 2, 3, counts.workers])  # the sweep's slot is the latest
    finally:
        d.close()


def test_a_read_only_database_holds_the_samples_until_it_takes_writes_again(
    tmpfs: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    d = Deployment(f"sqlite:///{tmpfs / 'sitemon.db'}", tmp_path / "snaps")
    try:
        d.writer.write(_sample(0))
        d.runtime.engine.dispose()  # a read-only remount needs every file closed for writing
        remount(tmpfs, read_only=True)
        try:
            with caplog.at_level(logging.INFO):
                d.writer.write(_sample(1))
                assert d.leadership.tick() is True
            _assert_degraded(d, StorageFault.read_only, held=1)
            assert d.sampling()
            assert "read-only" in caplog.text and "lost to another process" not in caplog.text
        finally:
            d.runtime.engine.dispose()
            remount(tmpfs, read_only=False)
        assert d.leadership.tick() is True
        d.writer.flush()
        _assert_recovered(d, [0, 1])
    finally:
        d.close()


@pytest.mark.postgres
def test_a_read_only_postgresql_database_holds_the_samples(tmp_path: Path) -> None:
    with postgres_database() as url:
        name = url.rsplit("/", 1)[1]

        def read_only(on: bool) -> None:
            with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
                conn.execute(f'ALTER DATABASE "{name}" SET default_transaction_read_only = {"on" if on else "off"}')
            d.runtime.engine.dispose()  # the setting applies to new sessions

        d = Deployment(url, tmp_path / "snaps")
        try:
            d.writer.write(_sample(0))
            read_only(True)
            d.writer.write(_sample(1))
            assert d.leadership.tick() is True
            _assert_degraded(d, StorageFault.read_only, held=1)
            read_only(False)
            d.writer.flush()
            _assert_recovered(d, [0, 1])
        finally:
            d.close()


def test_a_database_file_deleted_under_the_process_is_noticed_and_nothing_is_written_into_it(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "var" / "sitemon.db"
    d = Deployment(f"sqlite:///{path}", tmp_path / "snaps")
    try:
        d.writer.write(_sample(0))
        backup = tmp_path / "backup.db"
        with sqlite3.connect(path) as source, sqlite3.connect(backup) as target:
            source.backup(target)
        path.unlink()
        with caplog.at_level(logging.INFO):
            d.writer.write(_sample(1))
            assert d.leadership.tick() is True
        _assert_degraded(d, StorageFault.file_missing, held=1)
        assert f"database file {path} is missing" in caplog.text
        assert not path.exists()  # not silently re-created empty
        shutil.copy(backup, path)  # the operator restores the backup
        d.writer.flush()
        _assert_recovered(d, [0, 1])
        check = create_engine(f"sqlite:///{path}")
        with check.connect() as c:
            assert c.execute(text("SELECT count(*) FROM samples")).scalar() == 2
        check.dispose()
    finally:
        d.close()


def test_held_samples_are_capped_and_the_dropped_ones_counted(tmp_path: Path) -> None:
    path = tmp_path / "sitemon.db"
    d = Deployment(f"sqlite:///{path}", tmp_path / "snaps")
    try:
        writer = SampleWriter(d.runtime.sessions, max_held=2, health=d.runtime.storage)
        path.unlink()
        writer.write_many([_sample(1), _sample(2), _sample(3)])
        state = d.runtime.storage.state
        assert (state.samples_held, state.samples_dropped) == (2, 1)
    finally:
        d.close()


def test_samples_being_written_are_not_reported_as_held(tmp_path: Path) -> None:
    """Health said "degraded, N samples held" for the moment of every sweep's write (a 503 to a monitor
    polling /api/health); only samples a failed write left behind are held."""
    from sqlalchemy import event

    from monitor.store import make_engine, make_session_factory, migrate
    from monitor.store.repo import sync_config
    from tests.fixtures.servers import SAMPLE_VIDEO

    engine = make_engine(f"sqlite:///{tmp_path / 'sitemon.db'}")
    migrate(engine)
    sessions = make_session_factory(engine)
    with sessions() as s:
        sync_config(s, parse_config(config_dict([str(SAMPLE_VIDEO)])), fixed())
    writer = SampleWriter(sessions, StorageHealth(fixed()))
    seen: list[int] = []

    def during_insert(conn: object, cursor: object, statement: str, *args: object) -> None:
        if statement.startswith("INSERT INTO samples"):
            seen.append(writer.health.state.samples_held)

    event.listen(engine, "before_cursor_execute", during_insert)
    writer.write_many([_sample(0)])
    assert seen and set(seen) == {0}
    assert writer.health.state.samples_held == 0
    engine.dispose()
