"""The project's default detection path against Ultralytics' PyTorch .pt predict of the same model.

Same frames (the val split of the shared dataset), same image size, measured in this run:
ms per frame at batch 1 and at other batch sizes, and AP50 of both on the val split.

    .venv/bin/python bench/detector_speed.py --pt models/sitemon-construction-yolov8n.pt \
        --fast models/sitemon-construction-yolov8n_openvino_model --imgsz 416
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from common import SHARED, save

from detectors.evaluate import dataset_split, evaluate, read_image
from detectors.ultralytics_backend import UltralyticsDetector

CATEGORIES = {"Person": "worker", "machinery": "machinery", "vehicle": "vehicle"}


def ms_per_frame(detector: UltralyticsDetector, frames: list, batch: int, rounds: int = 2) -> float:
    detector.detect_batch(frames[:batch])  # warm
    start, n = time.perf_counter(), 0
    for _ in range(rounds):
        for i in range(0, len(frames) - batch + 1, batch):
            detector.detect_batch(frames[i : i + batch])
            n += batch
    return (time.perf_counter() - start) / n * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pt", required=True)
    parser.add_argument("--fast", required=True, help="the default path: an *_openvino_model folder")
    parser.add_argument("--imgsz", type=int, default=416)
    parser.add_argument("--frames", type=int, default=48)
    args = parser.parse_args()
    data = SHARED / "datasets/construction-site-safety/data.yaml"
    images, _ = dataset_split(data, "val")
    frames = [read_image(p) for p in images[: args.frames]]

    out: dict[str, dict] = {}
    for name, path in (("pt", args.pt), ("default", args.fast)):
        detector = UltralyticsDetector(Path(path), image_size=args.imgsz)
        speeds = {b: round(ms_per_frame(detector, frames, b), 1) for b in (1, 4, 8, 16)}
        low = UltralyticsDetector(Path(path), image_size=args.imgsz, confidence=0.001)
        report = evaluate(low, data, CATEGORIES)
        out[name] = {
            "path": str(path),
            "ms_per_frame": speeds,
            "best_batch": min(speeds, key=lambda b: speeds[b]),
            "ap50": {s.name: round(s.ap50, 3) for s in report.categories},
            "ap50_all_classes": round(sum(s.ap50 for s in report.classes) / len(report.classes), 3),
        }
        print(name, out[name], flush=True)
    ratio = out["pt"]["ms_per_frame"][1] / out["default"]["ms_per_frame"][1]
    gaps = {k: round(abs(out["pt"]["ap50"][k] - out["default"]["ap50"][k]), 3) for k in out["pt"]["ap50"]}
    result = {"imgsz": args.imgsz, "frames": len(frames), **out, "speedup_batch1": round(ratio, 2), "ap50_gap": gaps}
    path = save("detector_speed", result)
    print(f"default path {ratio:.2f}x faster than .pt at batch 1; AP50 gaps {gaps}; written to {path}")


if __name__ == "__main__":
    main()
