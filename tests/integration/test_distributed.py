"""Scale-out on Celery with the real Redis and RabbitMQ servers and two real `sitemon worker` processes.

The scheduler side runs here (the same `Runtime.sweep` the scheduler job calls); the workers are
separate processes, each loading the model once, sampling the real RTSP server into PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import func, select

from monitor.config import load_config
from monitor.core.values import CameraStatus
from monitor.sampling.sweep import SweepResult
from monitor.service.runtime import Runtime, build_runtime
from monitor.service.schedule import sweep_cycle
from monitor.store import models
from tests.fixtures.brokers import (
    SITEMON,
    Broker,
    ShiftedClock,
    WorkerProcess,
    broker,
    start_workers,
    stop_all,
    wait_until,
)
from tests.fixtures.servers import RtspServer, block_database, postgres_database
from tests.helpers import config_dict, write_config

pytestmark = [pytest.mark.slow, pytest.mark.rtsp, pytest.mark.postgres, pytest.mark.broker]

SITES, CAMERAS_PER_SITE = 8, 2
INTERVAL_S = 120


@dataclass
class Cluster:
    broker: Broker
    runtime: Runtime
    workers: list[WorkerProcess]
    clock: ShiftedClock
    database_url: str
    config_path: Path

    def per_camera(self, slot: dt.datetime) -> dict[int, int]:
        with self.runtime.sessions() as s:
            rows = s.execute(
                select(models.Sample.camera_pk, func.count())
                .where(models.Sample.slot_at == slot)
                .group_by(models.Sample.camera_pk)
            )
            return {pk: n for pk, n in rows}


def _config(tmp_path: Path, rtsp: RtspServer, broker_url: str) -> Path:
    data = config_dict()
    mounts = rtsp.mounts
    data["sites"] = [
        {
            "id": f"site{i}",
            "name": f"工地{i}",
            "district": "城东区",
            "batch": "started",
            "cameras": [
                {"id": f"cam{j}", "url": rtsp.url(mounts[(i + j) % len(mounts)])} for j in range(CAMERAS_PER_SITE)
            ],
        }
        for i in range(SITES)
    ]
    data["sampling"].update(
        {"interval_seconds": INTERVAL_S, "snapshot_dir": str(tmp_path / "snaps"), "camera_deadline_seconds": 20}
    )
    data["execution"] = {
        "mode": "celery",
        "broker_url": broker_url,
        "cameras_per_task": 2,
        "visibility_timeout_seconds": 5,
        "sweep_wait_seconds": 100,
    }
    return write_config(tmp_path / "camera_config.yaml", data)


@pytest.fixture(params=["redis", "rabbitmq"])
def cluster(request: pytest.FixtureRequest, rtsp: RtspServer, tmp_path: Path) -> Iterator[Cluster]:
    with broker(request.param) as b, postgres_database() as db:
        path = _config(tmp_path, rtsp, b.url)
        clock = ShiftedClock(INTERVAL_S)
        runtime = build_runtime(load_config(path), db, clock=clock, sinks=[])  # migrates: workers need the schema
        workers: list[WorkerProcess] = []
        try:
            workers = start_workers(path, db, ["w1", "w2"], tmp_path)
            yield Cluster(b, runtime, workers, clock, db, path)
        finally:
            stop_all(workers)
            runtime.close()


def _all_once(cluster: Cluster, result: SweepResult) -> None:
    n = SITES * CAMERAS_PER_SITE
    counts = cluster.per_camera(result.slot_at)
    assert len(counts) == n, f"{n - len(counts)} camera(s) never sampled"
    assert set(counts.values()) == {1}
    assert result.missing == ()
    assert len(result.samples) == n
    assert {s.status for s in result.samples} == {CameraStatus.online}


def test_a_sweep_samples_every_camera_exactly_once_over_two_workers(cluster: Cluster) -> None:
    result = sweep_cycle(cluster.runtime)  # the sweep, then its running score and alert rules
    _all_once(cluster, result)
    tasks = [len(w.received()) for w in cluster.workers]
    assert all(t > 0 for t in tasks), f"tasks per worker: {tasks}"
    assert sum(tasks) == SITES * CAMERAS_PER_SITE // 2  # every task taken once: nothing redone
    # Each worker process loaded the model once, before its first task.
    for w in cluster.workers:
        assert w.log().count("model loaded once") == 1
        if cluster.broker.password:  # the broker's password is never printed, not even in Celery's banner
            assert cluster.broker.password not in w.log()
    with cluster.runtime.sessions() as s:  # the scheduler scored the day once, from the workers' samples
        assert s.scalar(select(func.count()).select_from(models.DailyScore)) == SITES
    # What the engineer sees: the broker, an empty queue, both workers.
    status = subprocess.run(
        [*SITEMON, "workers", "--config", str(cluster.config_path)], capture_output=True, text=True, timeout=60
    )
    assert status.returncode == 0, status.stderr
    assert "reachable" in status.stdout and "sitemon.sample\t0 task(s) waiting" in status.stdout
    assert "worker\tw1@test\tanswers" in status.stdout and "worker\tw2@test\tanswers" in status.stdout
    if cluster.broker.password:
        assert cluster.broker.password not in status.stdout + status.stderr


def test_a_worker_killed_mid_sweep_has_its_cameras_redone_by_the_other(cluster: Cluster) -> None:
    victim, survivor = cluster.workers
    out: list[SweepResult] = []
    sweeping = threading.Thread(target=lambda: out.append(cluster.runtime.sweep()))
    sweeping.start()
    wait_until(lambda: bool(victim.in_flight()), 60, "the victim to be in the middle of a task")
    taken = victim.in_flight()
    victim.kill()
    sweeping.join(150)
    assert out, "the sweep did not finish"
    _all_once(cluster, out[0])
    # The killed worker's unacknowledged task went back to the broker and the survivor ran it.
    assert set(taken) <= set(survivor.received())


def test_after_a_broker_restart_the_next_sweep_still_runs(cluster: Cluster) -> None:
    _all_once(cluster, cluster.runtime.sweep())
    cluster.broker.restart()
    cluster.clock.next_slot()
    second = cluster.runtime.sweep()
    _all_once(cluster, second)
    assert all(w.proc.poll() is None for w in cluster.workers)


def test_a_database_outage_in_the_middle_of_a_sweep_loses_no_sample(cluster: Cluster) -> None:
    out: list[SweepResult] = []
    block_database(cluster.database_url, allow=False)
    try:
        sweeping = threading.Thread(target=lambda: out.append(cluster.runtime.sweep()))
        sweeping.start()
        # The workers take their tasks, fail to reach the database and retry with back-off.
        wait_until(lambda: all(w.received() for w in cluster.workers), 30, "both workers to take a task")
        wait_until(lambda: any("retry: Retry in" in w.log() for w in cluster.workers), 60, "a worker to retry")
    finally:
        block_database(cluster.database_url, allow=True)
    sweeping.join(150)
    assert out, "the sweep did not finish"
    _all_once(cluster, out[0])
    assert any("retry: Retry in" in w.log() for w in cluster.workers)  # the outage did reach the workers
