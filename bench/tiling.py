"""Small, far objects: the whole picture at 416 and at 640 px against tiled detection, measured in one run.

For each choice: AP50 per category and per object size (COCO small / medium / large) on the val split,
workers found on the 36 samples of the real CCTV day (640x352; samples 12-21 are the small, far ones), and
milliseconds of detection per camera (CCTV frames, in batches of 8 as the sampler sends them).

    .venv/bin/python bench/tiling.py --model416 models/sitemon-construction-yolov8n_openvino_model \\
        --model640 runs/export/sitemon-640_openvino_model
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from common import SHARED, save

from detectors import Detector
from detectors.evaluate import evaluate
from detectors.tiling import TiledDetector, Tiling
from detectors.ultralytics_backend import UltralyticsDetector
from tests.fixtures.scenarios import SAMPLES, cctv

CATEGORIES = {"Person": "worker", "machinery": "machinery", "vehicle": "vehicle"}
CONFIDENCE = 0.15  # camera_config.yaml's


def ms_per_camera(detector: Detector, frames: list, batch: int = 8) -> float:
    detector.detect_batch(frames[:batch])  # warm
    start = time.perf_counter()
    for i in range(0, len(frames), batch):
        detector.detect_batch(frames[i : i + batch])
    return (time.perf_counter() - start) / len(frames) * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--model416", required=True, help="the model exported at 416 px")
    parser.add_argument("--model640", required=True, help="the same weights exported at 640 px (or the .pt)")
    parser.add_argument("--name", default="tiling")
    args = parser.parse_args()
    data = SHARED / "datasets/construction-site-safety/data.yaml"
    frames = [cctv(i) for i in range(SAMPLES)]
    # (name, model, size, tiles on the 640x352 CCTV, tiles on the square val images: the same tile scale)
    choices = [
        ("416", args.model416, 416, None, None),
        ("640", args.model640, 640, None, None),
        ("416 tiled 2x1", args.model416, 416, Tiling(2, 1), Tiling(2, 2)),
    ]
    out: dict[str, dict] = {}
    for name, model, size, wide, square in choices:
        plain = UltralyticsDetector(Path(model), image_size=size, confidence=CONFIDENCE)
        low = UltralyticsDetector(Path(model), image_size=size, confidence=0.001)
        live: Detector = TiledDetector(plain, wide) if wide else plain
        val: Detector = TiledDetector(low, square) if square else low
        person = plain.class_names.index("Person")
        workers = [int((d.class_id == person).sum()) for d in live.detect_batch(frames)]
        report = evaluate(val, data, CATEGORIES)
        out[name] = {
            "model": str(model),
            "image_size": size,
            "ms_per_camera": round(ms_per_camera(live, frames), 1),
            "cctv_workers": sum(workers),
            "cctv_workers_samples_12_21": sum(workers[12:22]),
            "cctv_samples_12_21_with_a_worker": sum(1 for w in workers[12:22] if w),
            "ap50": {s.name: round(s.ap50, 3) for s in report.categories},
            "ap50_by_size": {s.name: [round(s.ap50, 3), s.instances] for s in report.sizes},
        }
        print(name, out[name], flush=True)
    path = save(args.name, out)
    print(f"written to {path}")


if __name__ == "__main__":
    main()
