"""One full sweep of N cameras (grab + detect + store) against the naive loop, in the same run.

Naive loop, per camera, one after another: OpenCV open, read, Ultralytics .pt predict, release.
sitemon: the real runtime (PyAV sources, OpenVINO detector in batches, SQLite), snapshot mode.
The cameras are served by the local GStreamer RTSP server: half the 640x352 sample, half a 1920x1080
variant made with ffmpeg.

    .venv/bin/python bench/sweep_vs_naive.py --cameras 125 --sweeps 200
    .venv/bin/python bench/sweep_vs_naive.py --cameras 125 --sweeps 200 --against f753722 --rounds 4

``--against REV``: sitemon's sweeps on the code at REV too (a temporary git worktree, its own model), in child
processes that take turns with this tree's (REV, this tree, REV, ...; ``--sweeps`` split over ``--rounds``),
against the same RTSP server and naive loop: the sweep before and after a change in one run.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import logging
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
from common import (
    ROOT,
    add_model_args,
    cpu_seconds,
    load,
    mixed_mounts,
    own_model,
    peak_rss_mb,
    remove_worktree,
    rss_mb,
    run_child,
    save,
    sweep_config,
    worktree_at,
)

from monitor.config import parse_config
from monitor.service.runtime import build_runtime
from tests.fixtures.servers import rtsp_server


def naive_loop(urls: list[str], model_path: Path, imgsz: int) -> tuple[float, float, int]:
    import cv2
    from ultralytics import YOLO

    model = YOLO(str(model_path))
    model.predict(np.zeros((640, 640, 3), np.uint8), imgsz=imgsz, verbose=False)  # load outside the timing
    cpu0, t0, ok = cpu_seconds(), time.perf_counter(), 0
    for url in urls:
        cap = cv2.VideoCapture(url)
        good, frame = cap.read()
        if good:
            model.predict(frame, imgsz=imgsz, verbose=False)
            ok += 1
        cap.release()
    return time.perf_counter() - t0, cpu_seconds() - cpu0, ok


def sitemon_sweeps(urls: list[str], args: argparse.Namespace, sweeps: int) -> dict[str, Any]:
    """``sweeps`` sweeps of the real runtime (this process's code) over ``urls``."""
    with tempfile.TemporaryDirectory() as tmp:
        data = sweep_config(urls, args.model, args.imgsz, f"{tmp}/snaps", args.workers, args.batch, args.tiled)
        now = [dt.datetime(2026, 11, 28, 1, tzinfo=dt.UTC)]
        runtime = build_runtime(parse_config(data), f"sqlite:///{tmp}/bench.db", clock=lambda: now[0])
        durations, cpus, rss, online = [], [], [], []
        for _ in range(sweeps):
            cpu0 = cpu_seconds()
            result = runtime.sweep()
            cpus.append(cpu_seconds() - cpu0)
            durations.append(result.duration_s)
            rss.append(rss_mb())
            online.append(result.online)
            now[0] += dt.timedelta(minutes=5)
            if result.online != len(urls):
                print(f"warning: {len(urls) - result.online} cameras not online", file=sys.stderr, flush=True)
        runtime.close()
    return {"durations": durations, "cpus": cpus, "rss": rss, "online": online, "peak_rss_mb": peak_rss_mb()}


def summary(runs: list[dict[str, Any]], cameras: int) -> dict[str, Any]:
    """Median and spread of every sweep of these runs; RSS as the first run saw it after sweep 1, 10, last."""
    durations = [d for r in runs for d in r["durations"]]
    cpus = [c for r in runs for c in r["cpus"]]
    rss = runs[0]["rss"]
    return {
        "first_sweep_s": round(runs[0]["durations"][0], 2),
        "median_sweep_s": round(statistics.median(durations), 2),
        "max_sweep_s": round(max(durations), 2),
        "sweeps": len(durations),
        "cpu_s_per_camera": round(statistics.median(cpus) / cameras, 3),
        "peak_rss_mb": round(max(r["peak_rss_mb"] for r in runs), 1),
        "rss_after_sweep_mb": {
            "1": round(rss[0], 1),
            "10": round(rss[min(9, len(rss) - 1)], 1),
            "last": round(rss[-1], 1),
        },
    }


def child(code: Path, urls_file: Path, args: argparse.Namespace, sweeps: int) -> dict[str, Any]:
    """This script's sitemon sweeps in a process that imports the code at ``code``."""
    cmd = [str(Path(__file__).resolve()), "--child", str(urls_file), "--sweeps", str(sweeps)]
    cmd += ["--workers", str(args.workers), "--batch", str(args.batch), "--tiled", str(args.tiled)]
    cmd += ["--imgsz", str(args.imgsz), "--model", own_model(code, args.model)]
    return run_child(cmd, code)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cameras", type=int, default=125)
    parser.add_argument("--sweeps", type=int, default=200, help="sitemon sweeps (RSS must stay flat)")
    parser.add_argument("--workers", type=int, default=32)
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--skip-naive", action="store_true")
    parser.add_argument("--tiled", type=int, default=0, help="cameras detected in 2x1 tiles (wide views)")
    parser.add_argument("--pt", default=str(ROOT / "models/sitemon-construction-yolov8n.pt"), help="naive loop's model")
    parser.add_argument("--against", help="a git revision whose sweeps take turns with this tree's")
    parser.add_argument("--rounds", type=int, default=4, help="with --against: rounds of (REV, this tree)")
    parser.add_argument("--name", help="name of the result in bench/results")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    add_model_args(parser)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    if args.child:
        urls = json.loads(Path(args.child).read_text())
        print(json.dumps(sitemon_sweeps(urls, args, args.sweeps)))
        return

    mounts = mixed_mounts(args.cameras)
    loads = [load()]
    runs: dict[str, list[dict[str, Any]]] = {"before": [], "after": []}
    with rtsp_server(mounts) as server, tempfile.TemporaryDirectory() as tmp:
        urls = [server.url(m) for m in mounts]
        naive = None
        if not args.skip_naive:
            wall, cpu, ok = naive_loop(urls, Path(args.pt), args.imgsz)
            naive = {
                "seconds": round(wall, 2),
                "ms_per_camera": round(wall / len(urls) * 1000, 1),
                "cpu_s_per_camera": round(cpu / len(urls), 3),
                "frames": ok,
            }
            print(f"naive loop: {wall:.1f} s for {len(urls)} cameras ({naive['ms_per_camera']} ms each)", flush=True)
        if not args.against:
            runs["after"].append(sitemon_sweeps(urls, args, args.sweeps))
        else:
            urls_file = Path(tmp) / "urls.json"
            urls_file.write_text(json.dumps(urls))
            tree = worktree_at(args.against, Path(tmp))
            try:
                per_round = max(1, args.sweeps // args.rounds)
                for r in range(args.rounds):
                    for which, code in (("before", tree), ("after", ROOT)):
                        got = child(code, urls_file, args, per_round)
                        runs[which].append(got)
                        print(
                            f"round {r + 1} {which}: median {statistics.median(got['durations']):.2f} s, "
                            f"{statistics.median(got['cpus']) / args.cameras:.3f} CPU-s per camera",
                            flush=True,
                        )
            finally:
                remove_worktree(tree)
    loads.append(load())

    sitemon = summary(runs["after"], args.cameras)
    out: dict[str, Any] = {
        "cameras": args.cameras,
        "sweeps": args.sweeps,
        "workers": args.workers,
        "batch": args.batch,
        "tiled_cameras": args.tiled,
        "load_average": loads,
        "naive": naive,
        "sitemon": sitemon,
    }
    if naive:
        out["speedup_median"] = round(naive["seconds"] / sitemon["median_sweep_s"], 1)
    if args.against:
        before = summary(runs["before"], args.cameras)
        out["against"] = args.against
        out["rounds"] = args.rounds
        out["sitemon_before"] = before
        out["median_ratio"] = round(sitemon["median_sweep_s"] / before["median_sweep_s"], 3)
        if naive:
            out["speedup_median_before"] = round(naive["seconds"] / before["median_sweep_s"], 1)
        print(
            f"at {args.against}: median {before['median_sweep_s']:.2f} s, {before['cpu_s_per_camera']} CPU-s per "
            f"camera; this tree: median {sitemon['median_sweep_s']:.2f} s ({out['median_ratio']}x)",
            flush=True,
        )
    name = args.name or f"sweep_{args.cameras}cams" + (f"_{args.tiled}tiled" if args.tiled else "")
    path = save(name, out)
    print(
        f"sitemon sweep: first {sitemon['first_sweep_s']:.2f} s, median {sitemon['median_sweep_s']:.2f} s over "
        f"{sitemon['sweeps']} sweeps, {sitemon['cpu_s_per_camera']} CPU-s per camera",
        flush=True,
    )
    if naive:
        print(f"speed-up: {out['speedup_median']}x", flush=True)
    print(f"RSS after sweep 1 / 10 / last: {sitemon['rss_after_sweep_mb']} MB; peak {sitemon['peak_rss_mb']} MB")
    print(f"written to {path}")


if __name__ == "__main__":
    main()
