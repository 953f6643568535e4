"""One full sweep of N cameras (grab + detect + store) against the naive loop, in the same run.

Naive loop, per camera, one after another: OpenCV open, read, Ultralytics .pt predict, release.
sitemon: the real runtime (PyAV sources, OpenVINO detector in batches, SQLite), snapshot mode.
The cameras are served by the local GStreamer RTSP server: half the 640x352 sample, half a 1920x1080
variant made with ffmpeg.

    .venv/bin/python bench/sweep_vs_naive.py --cameras 125 --sweeps 200
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np
from common import ROOT, add_model_args, cpu_seconds, mixed_mounts, peak_rss_mb, rss_mb, save, sweep_config

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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cameras", type=int, default=125)
    parser.add_argument("--sweeps", type=int, default=200, help="sitemon sweeps (RSS must stay flat)")
    parser.add_argument("--workers", type=int, default=32)
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--skip-naive", action="store_true")
    parser.add_argument("--tiled", type=int, default=0, help="cameras detected in 2x1 tiles (wide views)")
    parser.add_argument("--pt", default=str(ROOT / "models/sitemon-construction-yolov8n.pt"), help="naive loop's model")
    add_model_args(parser)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)

    mounts = mixed_mounts(args.cameras)
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

        data = sweep_config(urls, args.model, args.imgsz, f"{tmp}/snaps", args.workers, args.batch, args.tiled)
        now = [dt.datetime(2026, 11, 28, 1, tzinfo=dt.UTC)]
        runtime = build_runtime(parse_config(data), f"sqlite:///{tmp}/bench.db", clock=lambda: now[0])
        durations, cpus, rss = [], [], []
        for _ in range(args.sweeps):
            cpu0 = cpu_seconds()
            result = runtime.sweep()
            cpus.append(cpu_seconds() - cpu0)
            durations.append(result.duration_s)
            rss.append(rss_mb())
            now[0] += dt.timedelta(minutes=5)
            if result.online != len(urls):
                print(f"warning: {len(urls) - result.online} cameras not online", flush=True)
        runtime.close()

    first, median = durations[0], statistics.median(durations)
    out = {
        "cameras": args.cameras,
        "sweeps": args.sweeps,
        "workers": args.workers,
        "batch": args.batch,
        "tiled_cameras": args.tiled,
        "naive": naive,
        "sitemon": {
            "first_sweep_s": round(first, 2),
            "median_sweep_s": round(median, 2),
            "max_sweep_s": round(max(durations), 2),
            "cpu_s_per_camera": round(statistics.median(cpus) / args.cameras, 3),
            "peak_rss_mb": round(peak_rss_mb(), 1),
            "rss_after_sweep_mb": {
                "1": round(rss[0], 1),
                "10": round(rss[min(9, len(rss) - 1)], 1),
                "last": round(rss[-1], 1),
            },
        },
    }
    if naive:
        out["speedup_median"] = round(naive["seconds"] / median, 1)
    path = save(f"sweep_{args.cameras}cams" + (f"_{args.tiled}tiled" if args.tiled else ""), out)
    print(f"sitemon sweep: first {first:.2f} s, median {median:.2f} s over {args.sweeps} sweeps", flush=True)
    if naive:
        print(f"speed-up: {out['speedup_median']}x", flush=True)
    print(
        f"RSS after sweep 1 / 10 / last: {out['sitemon']['rss_after_sweep_mb']} MB; peak {out['sitemon']['peak_rss_mb']} MB"
    )
    print(f"written to {path}")


if __name__ == "__main__":
    main()
