"""Export a trained .pt to OpenVINO (the fastest CPU format measured here) and check it agrees."""

from __future__ import annotations

import logging
import shutil
import tempfile
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from detectors.base import Detector, ModelLoadError
from detectors.evaluate import iou_matrix
from detectors.ultralytics_env import yolo_class

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Agreement:
    frames: int
    reference_boxes: int
    matched: int
    max_confidence_gap: float

    @property
    def match_rate(self) -> float:
        return self.matched / self.reference_boxes if self.reference_boxes else 1.0


def export_openvino(weights: Path, image_size: int, target: Path | None = None, int8_data: Path | None = None) -> Path:
    """Write ``<name>_openvino_model/`` beside the weights (or at ``target``); returns its path."""
    if not weights.is_file():
        raise ModelLoadError(f"weights not found: {weights}")
    YOLO = yolo_class()
    # Tracing the model warns about its shape checks (TracerWarning) on every export: expected, and nothing the
    # user can act on. Ultralytics silences them only where its exporter module is first imported.
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=r"(?s).*might cause the trace to be incorrect")
        return _export(YOLO, weights, image_size, target, int8_data)


def _export(YOLO: Any, weights: Path, image_size: int, target: Path | None, int8_data: Path | None) -> Path:
    # Dynamic input shapes: a batch of one picture size is letterboxed to its stride-aligned rectangle (a 16:9
    # camera at 416 px: 416 x 256) instead of the full square, 0.6x the pixels and the model's work; the
    # detections of the square are kept (docs/benchmarks.md, "rectangular inference").
    options: dict[str, object] = {"format": "openvino", "imgsz": image_size, "dynamic": True}
    if int8_data is not None:
        options |= {"int8": True, "data": str(int8_data)}
    beside = weights.parent / f"{weights.stem}_openvino_model"
    if target is None or target.resolve() == beside.resolve():
        return Path(YOLO(str(weights), task="detect").export(**options))
    # Ultralytics writes beside the weights: export a copy in a scratch folder, so that another size's
    # export already beside them (the shipped model) is left alone.
    with tempfile.TemporaryDirectory() as scratch:
        copy = Path(scratch) / weights.name
        shutil.copyfile(weights, copy)
        out = Path(YOLO(str(copy), task="detect").export(**options))
        if target.exists():
            shutil.rmtree(target)
        shutil.move(str(out), target)
    return target


def agreement(
    reference: Detector, candidate: Detector, frames: Sequence[npt.NDArray[np.uint8]], min_confidence: float = 0.25
) -> Agreement:
    """How many of the reference's confident boxes the candidate finds too (same class, IoU >= 0.5)."""
    total = matched = 0
    gap = 0.0
    for ref, cand in zip(reference.detect_batch(frames), candidate.detect_batch(frames), strict=True):
        keep = ref.confidence >= min_confidence
        total += int(keep.sum())
        if not keep.any() or len(cand) == 0:
            continue
        ious = iou_matrix(ref.xyxy[keep], cand.xyxy)
        same_class = ref.class_id[keep][:, None] == cand.class_id[None, :]
        ious = np.where(same_class, ious, 0.0)
        best = ious.argmax(axis=1)
        hit = ious[np.arange(len(best)), best] >= 0.5
        matched += int(hit.sum())
        if hit.any():
            gap = max(gap, float(np.abs(ref.confidence[keep][hit] - cand.confidence[best[hit]]).max()))
    return Agreement(len(frames), total, matched, gap)
