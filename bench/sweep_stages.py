"""Where a camera's CPU time goes in a sweep: per stage, for the 640x352 and the 1080p halves apart.

    .venv/bin/python bench/sweep_stages.py [--cameras 32] [--sweeps 3] [--against REV]

The real runtime (PyAV sources, our OpenVINO model, SQLite, snapshot mode) over RTSP cameras served by the
local GStreamer server, half the 640x352 sample, half its 1080p variant (as ``sweep_vs_naive.py``). The
sampler's own stage functions are wrapped with a CPU-time counter (this process's user + system time, so
FFmpeg's and OpenVINO's threads count) and each camera is taken through them one at a time on one thread, so
that every CPU-second lands in exactly one stage (nested stages count in the innermost). A warm-up sweep first
(the first picture of a camera has nothing to compare with), then ``--sweeps`` measured ones.

In the same run, the real concurrent sweep (grab threads, batched detection) over the same cameras: its CPU
per camera, which the stages' sum should come near.

``--against REV``: the same measurement on the code at REV (a temporary git worktree, its own copy of this
script), alternating REV, this tree, REV, this tree, and the ratios: before/after in one run.
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import json
import logging
import statistics
import tempfile
import threading
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

from common import (
    ROOT,
    add_model_args,
    cpu_seconds,
    load,
    mixed_mounts,
    own_model,
    remove_worktree,
    run_child,
    save,
    sweep_config,
    worktree_at,
)

HALVES = ("640x352", "1080p")


class StageClock:
    """CPU seconds per (half, stage); a stage called inside another counts in the inner one only."""

    def __init__(self) -> None:
        self.cpu: dict[tuple[str, str], float] = defaultdict(float)
        self.calls: dict[tuple[str, str], int] = defaultdict(int)
        self.half = ""
        self.on = False
        self._stack: list[float] = []
        self._main = threading.main_thread()

    def wrap(self, owner: Any, name: str, stage: str) -> None:
        fn: Callable[..., Any] = getattr(owner, name)

        @functools.wraps(fn)
        def timed(*args: Any, **kwargs: Any) -> Any:
            if not self.on or threading.current_thread() is not self._main:
                return fn(*args, **kwargs)
            t0 = cpu_seconds()
            self._stack.append(0.0)
            try:
                return fn(*args, **kwargs)
            finally:
                spent = cpu_seconds() - t0
                inner = self._stack.pop()
                self.cpu[(self.half, stage)] += spent - inner
                self.calls[(self.half, stage)] += 1
                if self._stack:
                    self._stack[-1] += spent

        setattr(owner, name, timed)


STAGES = (
    ("open", "RTSP connect and stream set-up"),
    ("decode", "demux to the first key frame, decode, to BGR"),
    ("grab_other", "the rest of a grab (source pool, bookkeeping)"),
    ("picture", "signature, blank and frozen rules"),
    ("motion_view", "camera motion estimate and the view's match"),
    ("activity", "zones, what moved (compare)"),
    ("detect_pre", "detector: letterbox resize, to tensor"),
    ("detect_infer", "detector: OpenVINO inference"),
    ("detect_post", "detector: NMS, boxes back to our values"),
    ("annotate", "snapshot: zones, masks, boxes, labels"),
    ("snapshot_scale", "snapshot: scaled to its display width"),
    ("encode_write", "snapshot: JPEG encode and atomic write"),
    ("analyse_other", "the rest of the analysis (counts, memory, sample)"),
    ("store", "samples written to the database"),
)


def instrument(clock: StageClock) -> None:
    import ultralytics.engine.predictor as predictor

    import monitor.sampling.sampler as sampler
    import monitor.sources.av_stream as av_stream
    from detectors.ultralytics_backend import UltralyticsDetector
    from monitor.store.writer import SampleWriter

    clock.wrap(av_stream, "open_negotiated", "open")
    clock.wrap(av_stream, "first_frame", "decode")
    clock.wrap(sampler.CameraSampler, "grab", "grab_other")
    for name in ("signature", "is_uniform", "judge_picture"):
        clock.wrap(sampler, name, "picture")
    clock.wrap(sampler, "match_view", "motion_view")
    for name in ("compare", "in_zone", "remembered_boxes"):
        clock.wrap(sampler, name, "activity")
    clock.wrap(UltralyticsDetector, "detect_batch", "detect_post")  # what the three below leave: NMS, our values
    clock.wrap(predictor.BasePredictor, "preprocess", "detect_pre")
    clock.wrap(predictor.BasePredictor, "inference", "detect_infer")
    clock.wrap(sampler, "annotate", "annotate")
    clock.wrap(sampler, "write_jpeg", "encode_write")
    clock.wrap(sampler.CameraSampler, "_write_snapshot", "snapshot_scale")
    clock.wrap(sampler.CameraSampler, "analyse", "analyse_other")
    clock.wrap(SampleWriter, "write_many", "store")


def measure(cameras: int, sweeps: int, real_sweeps: int, model: str, imgsz: int, batch: int) -> dict[str, Any]:
    """One measurement on the code of this tree."""
    from monitor.config import parse_config
    from monitor.core.values import CameraKey
    from monitor.service.runtime import build_runtime
    from tests.fixtures.servers import rtsp_server

    clock = StageClock()
    instrument(clock)
    mounts = mixed_mounts(cameras)
    with rtsp_server(mounts) as server, tempfile.TemporaryDirectory() as tmp:
        urls = [server.url(m) for m in mounts]
        config = parse_config(sweep_config(urls, model, imgsz, f"{tmp}/snaps", batch=batch))
        now = [dt.datetime(2026, 11, 28, 1, tzinfo=dt.UTC)]
        runtime = build_runtime(config, f"sqlite:///{tmp}/bench.db", clock=lambda: now[0])
        sweeper: Any = runtime.sweeper
        sampler, writer = sweeper.sampler, sweeper.writer
        targets = list(config.cameras())
        halves = {HALVES[0]: targets[0::2], HALVES[1]: targets[1::2]}  # mixed_mounts: even 640x352, odd 1080p
        ok = {h: 0 for h in HALVES}
        for k in range(1 + sweeps):
            clock.on = k > 0
            for half, group in halves.items():
                clock.half = half
                grabs = [sampler.grab(CameraKey(site.id, cam.id), cam, now[0]) for site, cam in group]
                for i in range(0, len(grabs), batch):
                    samples = sampler.analyse(grabs[i : i + batch])
                    writer.write_many(samples)
                    if k > 0:
                        ok[half] += sum(1 for s in samples if s.ok)
            writer.flush()
            now[0] += dt.timedelta(minutes=5)
        clock.on = False
        real = []
        for _ in range(real_sweeps):
            cpu0 = cpu_seconds()
            result = runtime.sweep()
            real.append({"seconds": result.duration_s, "cpu_s": cpu_seconds() - cpu0, "online": result.online})
            now[0] += dt.timedelta(minutes=5)
        runtime.close()

    per_half = {}
    for half, group in halves.items():
        n = len(group) * sweeps
        stages = {s: clock.cpu[(half, s)] / n * 1000 for s, _ in STAGES}
        per_half[half] = {
            "cameras": len(group),
            "samples": n,
            "online": ok[half],
            "cpu_ms": {s: round(v, 2) for s, v in stages.items()},
            "total_ms": round(sum(stages.values()), 2),
        }
    both = sum(h["total_ms"] * h["cameras"] for h in per_half.values()) / cameras
    return {
        "stages": per_half,
        "staged_cpu_s_per_camera": round(both / 1000, 4),
        "real_sweep": {
            "median_s": round(statistics.median(r["seconds"] for r in real), 2) if real else None,
            "cpu_s_per_camera": round(statistics.median(r["cpu_s"] for r in real) / cameras, 4) if real else None,
            "online": [r["online"] for r in real],
        },
    }


def child(tree: Path, args: argparse.Namespace) -> dict[str, Any]:
    cmd = [str(tree / "bench" / "sweep_stages.py"), "--child"]
    cmd += ["--cameras", str(args.cameras), "--sweeps", str(args.sweeps), "--real-sweeps", str(args.real_sweeps)]
    cmd += ["--batch", str(args.batch), "--imgsz", str(args.imgsz), "--model", own_model(tree, args.model)]
    return run_child(cmd, tree)


def table(result: dict[str, Any]) -> str:
    rows = [f"{'stage':<16}" + "".join(f"{h:>12}" for h in HALVES)]
    for stage, _ in STAGES:
        rows.append(f"{stage:<16}" + "".join(f"{result['stages'][h]['cpu_ms'][stage]:>10.2f}ms" for h in HALVES))
    rows.append(f"{'total':<16}" + "".join(f"{result['stages'][h]['total_ms']:>10.2f}ms" for h in HALVES))
    return "\n".join(rows)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cameras", type=int, default=32)
    parser.add_argument("--sweeps", type=int, default=3, help="measured sweeps, one camera at a time")
    parser.add_argument("--real-sweeps", type=int, default=3, help="real (concurrent) sweeps after them")
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--against", help="a git revision to measure in the same run (alternating)")
    parser.add_argument("--rounds", type=int, default=2, help="with --against: rounds of (REV, this tree)")
    parser.add_argument("--name", default="sweep_stages")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    add_model_args(parser)
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)
    if args.child:
        print(json.dumps(measure(args.cameras, args.sweeps, args.real_sweeps, args.model, args.imgsz, args.batch)))
        return
    if not args.against:
        loads = [load()]
        result = measure(args.cameras, args.sweeps, args.real_sweeps, args.model, args.imgsz, args.batch)
        loads.append(load())
        print(table(result))
        out = {"cameras": args.cameras, "sweeps": args.sweeps, "load_average": loads, **result}
        print(f"real sweep: {result['real_sweep']}; staged {result['staged_cpu_s_per_camera']} CPU-s per camera")
        print(f"written to {save(args.name, out)}")
        return
    runs: dict[str, list[dict[str, Any]]] = {"before": [], "after": []}
    with tempfile.TemporaryDirectory() as tmp:
        tree = worktree_at(args.against, Path(tmp))
        try:
            for r in range(args.rounds):
                for which, where in (("before", tree), ("after", ROOT)):
                    got = child(where, args) | {"load_before": load()}
                    if any(h["online"] < h["samples"] for h in got["stages"].values()):
                        raise RuntimeError(f"{which}: cameras not online: {got['stages']}")
                    runs[which].append(got)
                    print(
                        f"round {r + 1} {which}: {got['staged_cpu_s_per_camera']} CPU-s per camera (staged), "
                        f"real {got['real_sweep']}",
                        flush=True,
                    )
        finally:
            remove_worktree(tree)
    out: dict[str, Any] = {"cameras": args.cameras, "sweeps": args.sweeps, "against": args.against, "runs": runs}
    for half in HALVES:
        before = statistics.median(r["stages"][half]["total_ms"] for r in runs["before"])
        after = statistics.median(r["stages"][half]["total_ms"] for r in runs["after"])
        out[f"{half}_ms"] = {"before": round(before, 2), "after": round(after, 2), "ratio": round(after / before, 3)}
        print(f"{half}: {before:.2f} -> {after:.2f} ms per camera ({after / before:.3f}x)")
    for key in ("staged_cpu_s_per_camera",):
        before = statistics.median(r[key] for r in runs["before"])
        after = statistics.median(r[key] for r in runs["after"])
        out[key] = {"before": before, "after": after, "ratio": round(after / before, 3)}
    real_b = statistics.median(r["real_sweep"]["cpu_s_per_camera"] for r in runs["before"])
    real_a = statistics.median(r["real_sweep"]["cpu_s_per_camera"] for r in runs["after"])
    out["real_sweep_cpu_s_per_camera"] = {"before": real_b, "after": real_a, "ratio": round(real_a / real_b, 3)}
    print(f"real sweep CPU per camera: {real_b} -> {real_a} ({real_a / real_b:.3f}x)")
    print(table(runs["after"][-1]))
    print(f"written to {save(args.name, out)}")


if __name__ == "__main__":
    main()
