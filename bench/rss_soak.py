"""Process memory over many sweeps of the real runtime: leak, fragmentation, or a cache that levels off.

The cameras are served by the local GStreamer RTSP server as in ``sweep_vs_naive.py`` (half the 640x352
sample, half its 1080p variant); each RTSP connection restarts its file, so after a few sweeps the cameras
read as frozen. That is fine here: the question is what the process keeps from sweep to sweep.

After every sweep the script records RSS, the number of threads and open file descriptors, the Python
objects the garbage collector tracks, and the heap glibc's ``mallinfo2`` reports in use (``heap_used_mb``)
against what it holds from the system (``heap_arena_mb``). With ``--tracemalloc`` it compares the Python
allocations at sweep ``--snap-at`` with those at the end, by file:line. ``--no-trim`` turns off the runtime's
``malloc_trim(0)`` after each sweep (``monitor/core/memory.py``), to see what it buys. At the end it calls glibc's
``malloc_trim(0)`` and records RSS after it: memory glibc returns then was free but not given back.

    .venv/bin/python bench/rss_soak.py --cameras 32 --sweeps 150
    MALLOC_ARENA_MAX=2 .venv/bin/python bench/rss_soak.py --cameras 32 --sweeps 150 --name rss_soak_arena2
"""

from __future__ import annotations

import argparse
import ctypes
import datetime as dt
import gc
import logging
import os
import tempfile
import threading
import tracemalloc
from typing import Any

from common import add_model_args, mixed_mounts, peak_rss_mb, rss_mb, save, sweep_config

import monitor.execution.local
from monitor.config import parse_config
from monitor.sampling.sweep import ABANDONED
from monitor.service.runtime import build_runtime
from tests.fixtures.servers import rtsp_server

MB = 1024 * 1024


class _MallInfo2(ctypes.Structure):
    _fields_ = [
        (name, ctypes.c_size_t)
        for name in ("arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks", "fordblks")
    ] + [("keepcost", ctypes.c_size_t)]


_LIBC = ctypes.CDLL("libc.so.6")
_LIBC.mallinfo2.restype = _MallInfo2


def heap() -> dict[str, float]:
    """glibc's view of its heap (all arenas): bytes in use by the program, and bytes held from the system."""
    info = _LIBC.mallinfo2()
    return {
        "heap_used_mb": round((info.uordblks + info.hblkhd) / MB, 1),
        "heap_arena_mb": round((info.arena + info.hblkhd) / MB, 1),
    }


def open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


def top_growth(first: tracemalloc.Snapshot, last: tracemalloc.Snapshot, n: int = 15) -> list[dict[str, Any]]:
    stats = last.compare_to(first, "lineno")
    return [
        {
            "where": f"{s.traceback[0].filename.split('/sitemon/')[-1]}:{s.traceback[0].lineno}",
            "growth_kb": round(s.size_diff / 1024, 1),
            "size_kb": round(s.size / 1024, 1),
            "count_growth": s.count_diff,
        }
        for s in stats[:n]
    ]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cameras", type=int, default=32)
    parser.add_argument("--sweeps", type=int, default=150)
    parser.add_argument("--workers", type=int, default=32)
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--tracemalloc", action="store_true", help="compare Python allocations (slower)")
    parser.add_argument("--snap-at", type=int, default=20, help="sweep of the first tracemalloc snapshot")
    parser.add_argument("--no-trim", action="store_true", help="without the runtime's malloc_trim after each sweep")
    parser.add_argument("--name", default="rss_soak", help="results file name under bench/results")
    add_model_args(parser)
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)

    if args.no_trim:
        monitor.execution.local.release_freed_memory = lambda: False
    mounts = mixed_mounts(args.cameras)
    series: list[dict[str, Any]] = []
    growth: list[dict[str, Any]] = []
    if args.tracemalloc:
        tracemalloc.start(1)
    first_snap: tracemalloc.Snapshot | None = None
    with rtsp_server(mounts) as server, tempfile.TemporaryDirectory() as tmp:
        urls = [server.url(m) for m in mounts]
        data = sweep_config(urls, args.model, args.imgsz, f"{tmp}/snaps", args.workers, args.batch)
        now = [dt.datetime(2026, 11, 28, 1, tzinfo=dt.UTC)]
        runtime = build_runtime(parse_config(data), f"sqlite:///{tmp}/bench.db", clock=lambda: now[0])
        for n in range(1, args.sweeps + 1):
            result = runtime.sweep()
            now[0] += dt.timedelta(minutes=5)
            point = {
                "sweep": n,
                "rss_mb": round(rss_mb(), 1),
                **heap(),
                "online": result.online,
                "frozen": sum(1 for s in result.samples if s.status.value == "frozen"),
                "threads": threading.active_count(),
                "fds": open_fds(),
                "abandoned_running": ABANDONED.running(),
                "gc_objects": len(gc.get_objects()),
                "sweep_s": round(result.duration_s, 2),
            }
            series.append(point)
            print(point, flush=True)
            if args.tracemalloc and n == args.snap_at:
                first_snap = tracemalloc.take_snapshot()
        if first_snap is not None:
            growth = top_growth(first_snap, tracemalloc.take_snapshot())
        before_trim = rss_mb()
        gc.collect()
        _LIBC.malloc_trim(0)
        after_trim = rss_mb()
        runtime.close()

    def at(n: int) -> float:
        return float(series[min(n, len(series)) - 1]["rss_mb"])

    mid = min(50, len(series))
    out = {
        "cameras": args.cameras,
        "sweeps": args.sweeps,
        "workers": args.workers,
        "batch": args.batch,
        "runtime_trims_each_sweep": not args.no_trim,
        "env": {
            k: os.environ[k]
            for k in ("MALLOC_ARENA_MAX", "MALLOC_TRIM_THRESHOLD_", "MALLOC_MMAP_THRESHOLD_")
            if k in os.environ
        },
        "rss_after_sweep_mb": {str(n): at(n) for n in (1, 10, 20, 50, 100, 150, 200) if n <= len(series)}
        | {"last": at(len(series))},
        "rss_growth_mb_per_100_sweeps_after_50": round(
            (at(len(series)) - at(mid)) / max(1, len(series) - mid) * 100, 1
        ),
        "peak_rss_mb": round(peak_rss_mb(), 1),
        "rss_before_malloc_trim_mb": round(before_trim, 1),
        "rss_after_malloc_trim_mb": round(after_trim, 1),
        "tracemalloc_growth_top": growth,
        "series": series,
    }
    path = save(args.name, out)
    print(
        f"RSS after sweep {out['rss_after_sweep_mb']} MB; peak {out['peak_rss_mb']} MB; "
        f"malloc_trim {before_trim:.0f} -> {after_trim:.0f} MB"
    )
    print(f"written to {path}")


if __name__ == "__main__":
    main()
