"""The scheduler's side, with a recording stand-in for the broker and a real SQLite database."""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path
from typing import Any

import pytest
from kombu.exceptions import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from monitor.config import AppConfig, parse_config
from monitor.core.values import CameraKey, CameraStatus, Counts, Sample
from monitor.execution.app import TASK_NAME, SweepTask
from monitor.execution.queueing import CelerySweeper, chunks
from monitor.store import make_engine, make_session_factory, migrate
from monitor.store.repo import camera_pks, record_samples, sync_config
from tests.fixtures.clock import fixed
from tests.fixtures.servers import SAMPLE_VIDEO
from tests.helpers import config_dict

SLOT = dt.datetime(2026, 11, 28, 2, 0, tzinfo=dt.UTC)


class RecordingApp:
    """Takes what would go to the broker; ``work`` plays the workers (called per task)."""

    def __init__(self, work: Any = None, fail_after: int | None = None) -> None:
        self.sent: list[dict[str, Any]] = []
        self.work = work
        self.fail_after = fail_after

    def send_task(self, name: str, **options: Any) -> None:
        if self.fail_after is not None and len(self.sent) >= self.fail_after:
            raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")
        self.sent.append({"name": name, **options})
        if self.work is not None:
            self.work(SweepTask.from_message(options["kwargs"]["task"]))

    def close(self) -> None:
        pass


def _setup(tmp_path: Path, n: int, per_task: int = 3, wait: float = 0.3) -> tuple[AppConfig, sessionmaker[Session]]:
    data = config_dict([str(SAMPLE_VIDEO)] * n)
    data["execution"] = {
        "mode": "celery",
        "broker_url": "redis://:Br0ker-Pw@127.0.0.1:6379/0",
        "cameras_per_task": per_task,
        "sweep_wait_seconds": wait,
        "queue": "city.sample",
    }
    config = parse_config(data)
    engine = make_engine(f"sqlite:///{tmp_path / 'db.sqlite'}")
    migrate(engine)
    sessions = make_session_factory(engine)
    with sessions() as s:
        sync_config(s, config, fixed())
    return config, sessions


def _store(sessions: sessionmaker[Session], task: SweepTask) -> None:
    with sessions() as s:
        pks = camera_pks(s)
        samples = [
            Sample(k, task.slot_at, task.slot_at, CameraStatus.online, counts=Counts(workers=2)) for k in task.cameras
        ]
        record_samples(s, [(pks[x.camera], x) for x in samples])


def test_cameras_are_split_into_tasks_of_the_configured_size() -> None:
    keys = [CameraKey(f"s{i}", "c") for i in range(7)]
    assert [len(c) for c in chunks(keys, 3)] == [3, 3, 1]
    assert [k for c in chunks(keys, 3) for k in c] == keys


def test_a_sweep_is_queued_in_tasks_that_expire_with_the_slot_and_done_when_stored(tmp_path: Path) -> None:
    config, sessions = _setup(tmp_path, 7, wait=30)
    app = RecordingApp(work=lambda task: _store(sessions, task))
    sweeper = CelerySweeper(config, sessions, clock=lambda: SLOT, app=app)  # type: ignore[arg-type]
    result = sweeper.run(list(config.cameras()), SLOT)
    assert [len(m["kwargs"]["task"]["cameras"]) for m in app.sent] == [3, 3, 1]
    assert {m["name"] for m in app.sent} == {TASK_NAME}
    assert {m["queue"] for m in app.sent} == {"city.sample"}
    assert {m["expires"] for m in app.sent} == {SLOT + dt.timedelta(seconds=60)}
    assert all(m["retry"] for m in app.sent)
    assert result.missing == ()
    assert len(result.samples) == 7 and all(s.counts == Counts(workers=2) for s in result.samples)
    assert result.duration_s < 5  # it stopped waiting as soon as everything was there


def test_cameras_no_worker_sampled_are_reported_missing_after_the_wait(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    config, sessions = _setup(tmp_path, 4, per_task=2, wait=0.3)
    done_first = {"n": 0}

    def only_first_task(task: SweepTask) -> None:
        if done_first["n"] == 0:
            _store(sessions, task)
        done_first["n"] += 1

    sweeper = CelerySweeper(config, sessions, clock=lambda: SLOT, app=RecordingApp(only_first_task), poll_seconds=0.05)  # type: ignore[arg-type]
    with caplog.at_level(logging.WARNING):
        result = sweeper.run(list(config.cameras()), SLOT)
    assert result.missing == (CameraKey("site3", "cam1"), CameraKey("site4", "cam1"))
    assert len(result.samples) == 2
    assert "2 camera(s) not sampled yet (site3/cam1, site4/cam1); are the workers running?" in caplog.text


def test_an_unreachable_broker_is_logged_masked_and_the_rest_reported(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    config, sessions = _setup(tmp_path, 5, per_task=2, wait=0.2)
    app = RecordingApp(work=lambda task: _store(sessions, task), fail_after=1)
    sweeper = CelerySweeper(config, sessions, clock=lambda: SLOT, app=app, poll_seconds=0.05)  # type: ignore[arg-type]
    with caplog.at_level(logging.ERROR):
        result = sweeper.run(list(config.cameras()), SLOT)
    assert len(app.sent) == 1 and len(result.samples) == 2
    assert [str(k) for k in result.missing] == ["site3/cam1", "site4/cam1", "site5/cam1"]
    assert "3 camera(s) of slot 2026-11-28T02:00:00+00:00 not queued" in caplog.text
    assert "redis://:***@127.0.0.1:6379/0" in caplog.text and "Br0ker-Pw" not in caplog.text
