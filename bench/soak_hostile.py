"""Soak: a `sitemon run`-like loop against a trickling, a silent and a garbage camera (and one that works),
sweeping every 10 s of its clock for an hour, time-compressed: the clock moves 10 s per sweep and the next
sweep starts when the last is done. Thread count, RSS and open files are read after every sweep; the last
tenth of the hour against its first tenth is the figure (a ratio of 1.0: flat).

    .venv/bin/python bench/soak_hostile.py                 # 360 sweeps (an hour at 10 s), ~25 min here
    .venv/bin/python bench/soak_hostile.py --sweeps 60     # a quicker look
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import logging
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from common import ROOT, SAMPLE_VIDEO, rss_mb, save

from monitor.config import parse_config
from monitor.sampling.sweep import ABANDONED
from monitor.service.runtime import build_runtime
from monitor.service.schedule import sweep_cycle
from tests.helpers import config_dict

INTERVAL_S = 10
START = dt.datetime(2026, 11, 30, 1, 0, tzinfo=dt.UTC)  # 09:00 in Shanghai: working hours


@contextlib.contextmanager
def hostile_cameras() -> Iterator[list[int]]:
    """A trickling, a silent and a garbage server, in a process of their own (their threads and sockets are
    not this one's)."""
    cmd = [sys.executable, "-m", "tests.fixtures.hostile_servers", "trickle", "silent", "garbage forever"]
    server = subprocess.Popen(cmd, cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert server.stdout is not None and server.stdin is not None
    line = server.stdout.readline()
    assert line.startswith("READY"), line
    try:
        yield [int(port) for port in line.split()[1:]]
    finally:
        server.stdin.close()
        server.wait(10)


def open_files() -> int:
    return len(os.listdir("/proc/self/fd"))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sweeps", type=int, default=3600 // INTERVAL_S)
    parser.add_argument("--timeout", type=float, default=2.0, help="open and read timeout of every camera")
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)
    now = [START]
    with hostile_cameras() as ports, tempfile.TemporaryDirectory() as tmp:
        urls = [
            f"http://127.0.0.1:{ports[0]}/snap.jpg",
            f"rtsp://127.0.0.1:{ports[1]}/live",
            f"http://127.0.0.1:{ports[2]}/live/cam.flv",
            str(SAMPLE_VIDEO),
        ]
        data = config_dict(urls)
        data["sampling"].update(
            {
                "interval_seconds": INTERVAL_S,
                "open_timeout_seconds": args.timeout,
                "read_timeout_seconds": args.timeout,
                "snapshot_dir": str(Path(tmp) / "snaps"),
            }
        )
        runtime = build_runtime(parse_config(data), f"sqlite:///{tmp}/soak.db", clock=lambda: now[0])
        figures: list[dict[str, Any]] = []
        started = time.monotonic()
        try:
            for n in range(args.sweeps):
                result = sweep_cycle(runtime)
                figures.append(
                    {
                        "sweep": n,
                        "threads": threading.active_count(),
                        "rss_mb": round(rss_mb(), 1),
                        "open_files": open_files(),
                        "seconds": round(result.duration_s, 2),
                        "statuses": [s.status.value for s in result.samples],
                    }
                )
                now[0] += dt.timedelta(seconds=INTERVAL_S)
                if n % 30 == 0:
                    print(f"sweep {n}: {figures[-1]}", flush=True)
        finally:
            runtime.close()
        wall = time.monotonic() - started
    tenth = max(1, len(figures) // 10)
    first, last = figures[:tenth], figures[-tenth:]

    def ratio(key: str) -> float:
        return statistics.median(f[key] for f in last) / statistics.median(f[key] for f in first)

    summary = {
        "sweeps": len(figures),
        "simulated_s": len(figures) * INTERVAL_S,
        "wall_s": round(wall, 1),
        "timeouts_s": args.timeout,
        "threads": {
            "first": first[0]["threads"],
            "max": max(f["threads"] for f in figures),
            "last": last[-1]["threads"],
            "ratio_last_to_first_tenth": ratio("threads"),
        },
        "rss_mb": {
            "first": first[0]["rss_mb"],
            "max": max(f["rss_mb"] for f in figures),
            "last": last[-1]["rss_mb"],
            "ratio_last_to_first_tenth": round(ratio("rss_mb"), 3),
        },
        "open_files": {
            "first": first[0]["open_files"],
            "max": max(f["open_files"] for f in figures),
            "last": last[-1]["open_files"],
        },
        "sweep_s_median": statistics.median(f["seconds"] for f in figures),
        "abandoned_grabs": ABANDONED.total,
        "statuses": figures[-1]["statuses"],
    }
    print(summary)
    print(save("soak_hostile", {"summary": summary, "per_sweep": figures}))


if __name__ == "__main__":
    main()
