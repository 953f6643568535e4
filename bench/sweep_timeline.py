"""Where a sweep's wall time goes: how long each of its threads is busy, and how busy the cores are.

    .venv/bin/python bench/sweep_timeline.py --cameras 125 --sweeps 8

The real runtime over the local RTSP server (half the 640x352 sample, half its 1080p variant), as
``sweep_vs_naive.py`` runs it. The sampler's stage functions are wrapped with a wall-clock timer: the sweep's
own thread detects (``detect``), the finishing thread judges, counts, compares and writes the snapshot
(``finish``) and stores (``store``), the grab threads grab (``grab``, summed over them and divided by their
number). A thread samples this process's CPU time every 50 ms, so the table shows how many cores the sweep
kept busy in each quarter second; the CPU other processes took meanwhile (the RTSP server serving the streams)
is read from /proc. The timers cost a little: compare sweeps of this script with each other, and take the
sweep's time itself from ``sweep_vs_naive.py``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import os
import statistics
import tempfile
import threading
import time
from collections.abc import Callable
from typing import Any

from common import ROOT, cpu_seconds, load, mixed_mounts, save, sweep_config

from monitor.config import parse_config
from monitor.service.runtime import build_runtime
from tests.fixtures.servers import rtsp_server

QUARTER = 0.25


class Timers:
    """Wall-clock intervals of the wrapped functions, by stage."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.spans: list[tuple[str, float, float]] = []

    def wrap(self, owner: Any, name: str, stage: str) -> None:
        inner: Callable[..., Any] = getattr(owner, name)

        def timed(*args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            try:
                return inner(*args, **kwargs)
            finally:
                with self.lock:
                    self.spans.append((stage, start, time.perf_counter()))

        setattr(owner, name, timed)


def other_processes_cpu() -> float:
    """CPU seconds every other process has used so far."""
    total, tick = 0.0, os.sysconf("SC_CLK_TCK")
    for pid in os.listdir("/proc"):
        if not pid.isdigit() or int(pid) == os.getpid():
            continue
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / tick
    return total


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cameras", type=int, default=125)
    parser.add_argument("--sweeps", type=int, default=8)
    parser.add_argument("--workers", type=int, default=32)
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--name", default="sweep_timeline")
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)
    model = str(ROOT / "models/sitemon-construction-yolov8n_openvino_model")
    trace: list[tuple[float, float]] = []

    def sample_cpu() -> None:
        while True:
            trace.append((time.perf_counter(), cpu_seconds()))
            time.sleep(0.05)

    threading.Thread(target=sample_cpu, name="cpu-trace", daemon=True).start()
    loads = [load()]
    sweeps: list[dict[str, Any]] = []
    mounts = mixed_mounts(args.cameras)
    with rtsp_server(mounts) as server, tempfile.TemporaryDirectory() as tmp:
        urls = [server.url(m) for m in mounts]
        data = sweep_config(urls, model, 416, f"{tmp}/snaps", args.workers, args.batch)
        now = [dt.datetime(2026, 11, 28, 1, tzinfo=dt.UTC)]
        runtime = build_runtime(parse_config(data), f"sqlite:///{tmp}/bench.db", clock=lambda: now[0])
        sweeper: Any = runtime.sweeper
        timers = Timers()
        timers.wrap(sweeper.sampler, "grab", "grab")
        timers.wrap(sweeper.sampler, "detect", "detect")
        timers.wrap(sweeper.sampler, "finish", "finish")
        timers.wrap(sweeper.writer, "write_many", "store")
        for k in range(1 + args.sweeps):
            timers.spans.clear()
            others0, cpu0, t0 = other_processes_cpu(), cpu_seconds(), time.perf_counter()
            result = runtime.sweep()
            t1, cpu = time.perf_counter(), cpu_seconds() - cpu0
            others = other_processes_cpu() - others0
            now[0] += dt.timedelta(minutes=5)
            if k == 0:
                continue  # warm-up
            busy: dict[str, float] = {}
            for stage, start, end in timers.spans:
                busy[stage] = busy.get(stage, 0.0) + end - start
            grabs_end = max(end for stage, _, end in timers.spans if stage == "grab")
            first_detect = min(start for stage, start, _ in timers.spans if stage == "detect")
            cores = []
            for q in range(int((t1 - t0) / QUARTER) + 1):
                inside = [(t - t0, c) for t, c in trace if q * QUARTER <= t - t0 <= (q + 1) * QUARTER]
                if len(inside) >= 2:
                    cores.append(round((inside[-1][1] - inside[0][1]) / (inside[-1][0] - inside[0][0]), 2))
            sweep = {
                "seconds": round(result.duration_s, 2),
                "cpu_s": round(cpu, 2),
                "other_processes_cpu_s": round(others, 2),
                "online": result.online,
                "first_detect_s": round(first_detect - t0, 2),
                "last_grab_s": round(grabs_end - t0, 2),
                "busy_s": {
                    "detect (sweep thread)": round(busy.get("detect", 0.0), 2),
                    "finish (finishing thread)": round(busy.get("finish", 0.0), 2),
                    "store (finishing thread)": round(busy.get("store", 0.0), 2),
                    "grab (per grab thread)": round(busy.get("grab", 0.0) / args.workers, 2),
                },
                "cores_busy_per_quarter_second": cores,
            }
            sweeps.append(sweep)
            print(
                f"sweep {k}: {sweep['seconds']:.2f} s, {cpu:.2f} CPU-s (+{others:.2f} other processes); "
                f"grabs done at {sweep['last_grab_s']} s; busy {sweep['busy_s']}; cores {cores}",
                flush=True,
            )
        runtime.close()
    loads.append(load())
    summary = {
        "median_s": statistics.median(s["seconds"] for s in sweeps),
        "median_cpu_s": statistics.median(s["cpu_s"] for s in sweeps),
        "median_other_processes_cpu_s": statistics.median(s["other_processes_cpu_s"] for s in sweeps),
        "median_last_grab_s": statistics.median(s["last_grab_s"] for s in sweeps),
        "median_busy_s": {k: statistics.median(s["busy_s"][k] for s in sweeps) for k in sweeps[0]["busy_s"]},
    }
    out = {"cameras": args.cameras, "workers": args.workers, "batch": args.batch, "load_average": loads}
    print(f"median: {summary}")
    print(f"written to {save(args.name, out | {'summary': summary, 'sweeps': sweeps})}")


if __name__ == "__main__":
    main()
