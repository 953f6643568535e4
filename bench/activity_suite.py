"""The labelled scenario suite: every scenario's day, the sample-level confusion, the judgement's cost.

    .venv/bin/python bench/activity_suite.py [--out bench/results/activity_suite.json] [--keep DIR]

Runs each scenario of tests/fixtures/scenarios.py through `monitor.demo.replay` (the production sampler,
detector, health, activity and scoring) and prints per scenario the day status against the expected one,
and over the suite the sample-level confusion of "active" against the truth.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from monitor.execution.local import load_detector  # noqa: E402
from tests.fixtures import scenarios  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", help="write the figures here as JSON")
    parser.add_argument("--keep", help="keep the generated pictures in this folder")
    parser.add_argument("--only", action="append", help="scenario name (repeatable)")
    parser.add_argument("--verbose", action="store_true", help="every sample")
    args = parser.parse_args()
    config = scenarios.suite_config()
    detector = load_detector(config)
    folder = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="sitemon-suite-"))
    tp = fp = fn = tn = 0
    rows = []
    for sc in scenarios.SCENARIOS:
        if args.only and sc.name not in args.only:
            continue
        t0 = time.perf_counter()
        result = scenarios.run(sc, folder / sc.name, config, detector)
        said = [bool(s.activity and s.activity.level >= config.scoring.active_sample_level) for s in result.samples]
        frozen = sum(1 for s in result.samples if s.status.value == "frozen")
        s_tp = sum(a and t for a, t in zip(said, sc.truth, strict=True))
        s_fp = sum(a and not t for a, t in zip(said, sc.truth, strict=True))
        s_fn = sum(t and not a for a, t in zip(said, sc.truth, strict=True))
        tp, fp, fn, tn = tp + s_tp, fp + s_fp, fn + s_fn, tn + len(said) - s_tp - s_fp - s_fn
        ok = result.day.status.value == sc.expected_day
        rows.append(
            {
                "scenario": sc.name,
                "expected": sc.expected_day,
                "got": result.day.status.value,
                "score": result.day.score,
                "ok": ok,
                "tp": s_tp,
                "fp": s_fp,
                "fn": s_fn,
                "frozen_samples": frozen,
                "seconds": round(time.perf_counter() - t0, 1),
            }
        )
        print(
            f"{'OK ' if ok else 'BAD'} {sc.name:<22} expected {sc.expected_day:<14} got {result.day.status.value:<14}"
            f" score {result.day.score!s:<5} tp {s_tp:2d} fp {s_fp:2d} fn {s_fn:2d} frozen {frozen:2d}",
            flush=True,
        )
        if args.verbose:
            for i, (s, t) in enumerate(zip(result.samples, sc.truth, strict=True)):
                a = s.activity
                c = s.counts
                print(
                    f"   {i:2d} {s.status.value:<7} truth {int(t)} W{c.workers if c else '-'} M{c.machinery if c else '-'}"
                    f" V{c.vehicles if c else '-'} mw {a.moving_workers if a else '-'} wm {a.working_machines if a else '-'}"
                    f" mv {a.moving_vehicles if a else '-'} lvl {a.level if a else '-'} {s.reason}"
                )
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    print(f"\nsamples: tp {tp} fp {fp} fn {fn} tn {tn}; precision {precision:.3f} recall {recall:.3f}")
    print(f"days right: {sum(r['ok'] for r in rows)} / {len(rows)}")
    if args.out:
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        summary = {"tp": tp, "fp": fp, "fn": fn, "tn": tn, "precision": precision, "recall": recall}
        Path(args.out).write_text(json.dumps({"scenarios": rows, "samples": summary}, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
