"""What the judgement costs, against the judgement before it, in the same run.

    .venv/bin/python bench/activity_cost.py [--cameras 125] [--sweeps 5] [--baseline-rev 84891f1]

1. Per sample, on pictures of the scenario suite (640x352 CCTV, 960x960, 1366x768) and a 1920x1080 one:
   the camera-movement compensation alone (estimate + warp), and the whole judgement (signature, frozen
   rule with its re-encoding test, the view's match, activity) against the judgement at the baseline (issue 25
   measures against main before it: 84891f1). CPU time of this process (OpenCV may use 2 threads).
2. A sweep of N RTSP cameras (grab + detect + judge + store) with the new judgement and with the old one
   swapped in, alternating, median of ``--sweeps`` each.

The baseline is the code itself at ``--baseline-rev`` (read with `git show`), not a copy.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import subprocess
import sys
import tempfile
import time
import types
from typing import Any, cast

import cv2
import numpy as np
from common import ROOT, add_model_args, cpu_seconds, mixed_mounts, save, sweep_config

import monitor.sampling.sampler as sampler_module
from monitor.config import Category, PictureConfig, ScoringConfig, parse_config
from monitor.core.values import Activity, Box, CameraState, ViewMemory
from monitor.sampling.activity import compare
from monitor.sampling.motion import CameraMotion, align, estimate_motion
from monitor.sampling.picture import PictureJudgement, Signature, judge_picture, signature
from monitor.sampling.views import ViewMatch, match_view
from monitor.service.runtime import build_runtime
from tests.fixtures import scenarios
from tests.fixtures.servers import rtsp_server

BASELINE = "84891f1"  # main before issue 25 (views, re-encoded repeats, lost workers)


def legacy(module: str, rev: str) -> types.ModuleType:
    source = subprocess.run(
        ["git", "show", f"{rev}:{module.replace('.', '/')}.py"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    mod = types.ModuleType(f"legacy_{module.replace('.', '_')}")
    sys.modules[mod.__name__] = mod
    exec(compile(source, f"{rev}:{module}", "exec"), mod.__dict__)
    return mod


def pictures() -> list[tuple[str, list[np.ndarray]]]:
    rng = np.random.default_rng(3)
    sway = [scenarios.noise(scenarios.sway(scenarios.still("parked"), rng), rng) for _ in range(12)]
    cctv = [scenarios.cctv(i) for i in range(12)]
    pan = [scenarios.excavators(i) for i in range(12)]
    hd = [cv2.resize(p, (1920, 1080), interpolation=cv2.INTER_CUBIC) for p in cctv]
    return [("640x352 CCTV", cctv), ("960x960 sway", sway), ("1366x768 pan", pan), ("1920x1080", hd)]


def per_sample(old_act: types.ModuleType, old_health: types.ModuleType) -> dict[str, Any]:
    rules, health = ScoringConfig(), PictureConfig()
    boxes = (Box(Category.machinery, 0.3, 0.4, 0.5, 0.7), Box(Category.worker, 0.1, 0.5, 0.15, 0.7))
    out: dict[str, Any] = {}
    for name, frames in pictures():
        comp, new_t, old_t = [], [], []
        for _ in range(3):
            prev_sig = signature(frames[0])
            state = CameraState(prev_sig.grey, 0, boxes, prev_sig.texture)
            old_state = old_health.CameraState(prev_sig.grey, 0, boxes, prev_sig.texture)
            for frame in frames[1:]:
                t0 = time.process_time()
                sig = signature(frame)
                judged = judge_picture(state, sig, health)
                match = match_view(state, sig.grey, rules, lambda _at: True)
                if match.reference is not None:
                    compare(
                        match.reference.grey, match.reference.boxes, sig.grey, sig.valid, boxes, rules, match.motion
                    )
                t1 = time.process_time()
                motion = estimate_motion(state.grey, sig.grey)
                align(state.grey, sig.valid, motion)
                t2 = time.process_time()
                old_sig = old_health.signature(frame)
                old_health.judge_picture(old_state, old_sig, health)
                old_act.compare(old_state.grey, boxes, old_sig.grey, old_sig.valid, boxes, rules)
                t3 = time.process_time()
                new_t.append(t1 - t0)
                comp.append(t2 - t1)
                old_t.append(t3 - t2)
                state = CameraState(
                    sig.grey,
                    judged.unchanged,
                    boxes,
                    sig.texture,
                    anchor=judged.anchor,
                    anchor_texture=judged.anchor_texture,
                )
                old_state = old_health.CameraState(old_sig.grey, 0, boxes, old_sig.texture)
        new, old = statistics.median(new_t), statistics.median(old_t)
        out[name] = {
            "compensation_ms": round(statistics.median(comp) * 1000, 2),
            "judgement_ms": round(new * 1000, 2),
            "baseline_judgement_ms": round(old * 1000, 2),
            "ratio": round(new / old, 3) if old else None,
        }
        print(
            f"{name:<14} compensation {out[name]['compensation_ms']:5.2f} ms, judgement "
            f"{out[name]['judgement_ms']:5.2f} ms (before: {out[name]['baseline_judgement_ms']:5.2f} ms, "
            f"{out[name]['ratio']}x)",
            flush=True,
        )
    return out


def swap_in_baseline(old_act: types.ModuleType, old_health: types.ModuleType) -> dict[str, Any]:
    """The sampler's judgement replaced by the one at the baseline revision (one view, the texture rule only,
    the previous sample's machines); returns what to restore."""
    saved = {n: getattr(sampler_module, n) for n in ("judge_picture", "match_view", "compare")}

    def old_judge(previous: Any, sig: Signature, rules: Any, uniform: bool | None = None) -> PictureJudgement:
        prev = (
            None
            if previous is None
            else old_health.CameraState(previous.grey, previous.unchanged, (), previous.texture)
        )
        status, reason, unchanged = old_health.judge_picture(prev, sig, rules, uniform)
        frozen = status.value == "frozen"
        return PictureJudgement(status, reason, unchanged, 0, frozen, sig.grey, sig.texture)

    def old_match(state: CameraState, grey: Any, rules: Any, fresh: Any) -> ViewMatch:
        reference = ViewMemory(state.grey, state.boxes, state.at) if fresh(state.at) else None
        return ViewMatch(CameraMotion(0.0, 0.0, 0.0, grey.shape[1]), reference, False, False, (), 0)

    def old_compare(
        prev: Any, machines: Any, grey: Any, valid: Any, boxes: Any, rules: Any, motion: Any = None
    ) -> Activity:
        return cast(Activity, old_act.compare(prev, machines, grey, valid, boxes, rules))

    sampler_module.judge_picture, sampler_module.match_view, sampler_module.compare = (  # type: ignore[assignment]
        old_judge,
        old_match,
        old_compare,
    )
    return saved


def sweeps(args: argparse.Namespace, old_act: types.ModuleType, old_health: types.ModuleType) -> dict[str, Any]:
    mounts = mixed_mounts(args.cameras)
    times: dict[str, list[float]] = {"new": [], "baseline": []}
    cpu: dict[str, list[float]] = {"new": [], "baseline": []}
    with rtsp_server(mounts) as server, tempfile.TemporaryDirectory() as tmp:
        urls = [server.url(m) for m in mounts]
        data = sweep_config(urls, args.model, args.imgsz, f"{tmp}/snaps", args.workers, args.batch)
        now = [dt.datetime(2026, 11, 28, 1, tzinfo=dt.UTC)]
        runtime = build_runtime(parse_config(data), f"sqlite:///{tmp}/bench.db", clock=lambda: now[0])
        try:
            for i in range(2 * args.sweeps + 2):
                which = "new" if i % 2 == 0 else "baseline"
                saved = swap_in_baseline(old_act, old_health) if which == "baseline" else None
                c0 = cpu_seconds()
                result = runtime.sweep()
                if i >= 2:  # the first of each is a warm-up
                    times[which].append(result.duration_s)
                    cpu[which].append(cpu_seconds() - c0)
                if saved:
                    for k, v in saved.items():
                        setattr(sampler_module, k, v)
                now[0] += dt.timedelta(minutes=5)
        finally:
            runtime.close()
    new, base = statistics.median(times["new"]), statistics.median(times["baseline"])
    out = {
        "cameras": args.cameras,
        "sweeps_each": args.sweeps,
        "median_sweep_s": round(new, 2),
        "baseline_median_sweep_s": round(base, 2),
        "ratio": round(new / base, 3),
        "cpu_s_per_camera": round(statistics.median(cpu["new"]) / args.cameras, 4),
        "baseline_cpu_s_per_camera": round(statistics.median(cpu["baseline"]) / args.cameras, 4),
    }
    print(f"sweep of {args.cameras}: {new:.2f} s vs {base:.2f} s before ({out['ratio']}x)", flush=True)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cameras", type=int, default=125)
    parser.add_argument("--sweeps", type=int, default=5, help="sweeps of each kind (plus one warm-up each)")
    parser.add_argument("--workers", type=int, default=32)
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--baseline-rev", default=BASELINE)
    add_model_args(parser)
    args = parser.parse_args()
    old_act = legacy("monitor.sampling.activity", args.baseline_rev)  # its path at the baseline revision
    old_health = legacy("monitor.sampling.picture", args.baseline_rev)  # its path at the baseline revision
    result = {"per_sample": per_sample(old_act, old_health), "sweep": sweeps(args, old_act, old_health)}
    print(f"written to {save('activity_cost', result)}")


if __name__ == "__main__":
    main()
