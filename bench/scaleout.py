"""Camera samples per second: in-process sweep vs Celery with one and with two worker processes.

All three in the same run, on the same cameras (the local GStreamer RTSP server), the same model (our
OpenVINO export, 416 px) and the same PostgreSQL server; Celery on a private Redis server. Each mode
runs a warm-up sweep, then ``--sweeps`` measured sweeps; a sweep is timed from its start to the moment
every camera's sample is in the database. The worker processes' CPU time per sample gives the per-camera
cost, from which the number of machines for 1,000 and 10,000 cameras at a 5-minute interval follows.

    .venv/bin/python bench/scaleout.py --cameras 64 --sweeps 5
"""

from __future__ import annotations

import argparse
import logging
import math
import os
import statistics
import tempfile
from pathlib import Path
from typing import Any

from common import add_model_args, cpu_seconds, mixed_mounts, save, sweep_config

from monitor.config import parse_config
from monitor.service.runtime import Runtime, build_runtime
from tests.fixtures.brokers import ShiftedClock, WorkerProcess, redis_broker, start_workers, stop_all
from tests.fixtures.servers import postgres_database, rtsp_server
from tests.helpers import write_config

INTERVAL_S = 300
SWEEP_SHARE = 0.8  # a sweep must be done within 80 % of the interval (execution.sweep_wait_seconds default)


def process_cpu_s(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def measure(
    runtime: Runtime, clock: ShiftedClock, sweeps: int, cameras: int, workers: list[WorkerProcess]
) -> dict[str, Any]:
    durations, online = [], []
    runtime.sweep()  # warm-up: connection pools, first inference
    clock.next_slot()
    cpu0 = cpu_seconds()
    worker_cpu0 = sum(process_cpu_s(w.proc.pid) for w in workers)
    for _ in range(sweeps):
        result = runtime.sweep()
        durations.append(result.duration_s)
        online.append(result.online)
        clock.next_slot()
        if result.missing:
            print(f"warning: {len(result.missing)} camera(s) missing", flush=True)
    here_cpu = cpu_seconds() - cpu0
    worker_cpu = sum(process_cpu_s(w.proc.pid) for w in workers) - worker_cpu0
    median = statistics.median(durations)
    samples = cameras * sweeps
    return {
        "median_sweep_s": round(median, 2),
        "sweeps_s": [round(d, 2) for d in durations],
        "samples_per_s": round(cameras / median, 1),
        "online_min": min(online),
        "cpu_s_per_sample_here": round(here_cpu / samples, 4),
        "cpu_s_per_sample_workers": round(worker_cpu / samples, 4) if workers else None,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cameras", type=int, default=64)
    parser.add_argument("--sweeps", type=int, default=5)
    parser.add_argument("--per-task", type=int, default=8, help="execution.cameras_per_task")
    parser.add_argument("--concurrency", type=int, default=4, help="tasks at a time per worker process")
    add_model_args(parser)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)

    mounts = mixed_mounts(args.cameras)
    out: dict[str, Any] = {
        "cameras": args.cameras,
        "sweeps": args.sweeps,
        "cameras_per_task": args.per_task,
        "tasks_per_worker_process": args.concurrency,
        "broker": "redis (private redis-server)",
        "database": "postgresql (local server)",
    }
    with (
        rtsp_server(mounts) as server,
        tempfile.TemporaryDirectory() as tmp,
        redis_broker() as broker,
        postgres_database() as db,
    ):
        urls = [server.url(m) for m in mounts]
        data = sweep_config(urls, args.model, args.imgsz, f"{tmp}/snaps", workers=32, batch=8)

        clock = ShiftedClock(INTERVAL_S)
        runtime = build_runtime(parse_config(data), db, clock=clock, sinks=[])
        out["in_process"] = measure(runtime, clock, args.sweeps, args.cameras, [])
        runtime.close()
        print(f"in-process: {out['in_process']}", flush=True)

        data["execution"] = {
            "mode": "celery",
            "broker_url": broker.url,
            "cameras_per_task": args.per_task,
            "sweep_wait_seconds": 120,
        }
        path = write_config(Path(tmp) / "camera_config.yaml", data)
        runtime = build_runtime(parse_config(data), db, clock=clock, sinks=[])
        runtime.sweeper.poll_seconds = 0.05  # type: ignore[attr-defined]
        for n in (1, 2):
            workers = start_workers(path, db, [f"w{i}" for i in range(n)], Path(tmp), args.concurrency)
            try:
                out[f"celery_{n}_worker{'s' if n > 1 else ''}"] = result = measure(
                    runtime, clock, args.sweeps, args.cameras, workers
                )
            finally:
                stop_all(workers)
            print(f"celery, {n} worker process(es): {result}", flush=True)
        runtime.close()

    base = out["in_process"]["samples_per_s"]
    one, two = out["celery_1_worker"], out["celery_2_workers"]
    out["ratios"] = {
        "celery_1_vs_in_process": round(one["samples_per_s"] / base, 2),
        "celery_2_vs_in_process": round(two["samples_per_s"] / base, 2),
        "celery_2_vs_1": round(two["samples_per_s"] / one["samples_per_s"], 2),
    }
    # Projection. Per camera and sweep a worker spends `cost` CPU seconds (measured above, all cores);
    # a machine with `cores` cores samples cores / cost cameras per second at full load, and a sweep has
    # 80 % of the 5-minute interval. Reported for this machine (2 cores) and a 16-core server, plus the
    # plain throughput figure of this machine with 2 workers.
    cost = max(one["cpu_s_per_sample_workers"], two["cpu_s_per_sample_workers"])
    window = INTERVAL_S * SWEEP_SHARE
    projection = {}
    for cameras in (1_000, 10_000):
        projection[str(cameras)] = {
            "machines_like_this_one_measured": math.ceil(cameras / (two["samples_per_s"] * window)),
            "machines_2_cores_from_cpu_cost": math.ceil(cameras * cost / (2 * window)),
            "machines_16_cores_from_cpu_cost": math.ceil(cameras * cost / (16 * window)),
        }
    out["projection"] = {"interval_s": INTERVAL_S, "cpu_s_per_camera": cost, "cameras": projection}
    path = save(f"scaleout_{args.cameras}cams", out)
    print(f"ratios: {out['ratios']}\nprojection: {out['projection']}\nwritten to {path}", flush=True)


if __name__ == "__main__":
    main()
