"""Ultralytics YOLO behind the Detector interface (.pt, .onnx and *_openvino_model/)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from detectors.base import Detections, Detector, DetectorError, ModelLoadError, check_frame
from detectors.ultralytics_env import yolo_class

log = logging.getLogger(__name__)


def from_ultralytics(result: Any, class_names: Sequence[str]) -> Detections:
    """The one place where an Ultralytics ``Results`` becomes our ``Detections``."""
    boxes = result.boxes
    if boxes is None or len(boxes) == 0:
        return Detections.empty(class_names)
    return Detections(
        xyxy=boxes.xyxy.cpu().numpy().astype(np.float32).reshape(-1, 4),
        confidence=boxes.conf.cpu().numpy().astype(np.float32).reshape(-1),
        class_id=boxes.cls.cpu().numpy().astype(np.int32).reshape(-1),
        class_names=class_names,
    )


def same_shapes(frames: Sequence[npt.NDArray[np.uint8]]) -> list[list[int]]:
    """The frames' indices grouped by picture size, in order of first appearance. Ultralytics letterboxes a
    batch of one size to the smallest stride-aligned rectangle (16:9 at 416 px: 416 x 256) when the model
    takes dynamic shapes, but a batch of mixed sizes to the full square (416 x 416): 1.6x the pixels. A sweep
    mixes 640x352 and 1080p cameras, and a tiled camera its tiles and its whole picture."""
    groups: dict[tuple[int, ...], list[int]] = {}
    for i, frame in enumerate(frames):
        groups.setdefault(frame.shape, []).append(i)
    return list(groups.values())


class UltralyticsDetector(Detector):
    """A YOLO model loaded once per process; calls are serialised by a lock (the backends are not re-entrant)."""

    def __init__(
        self,
        model_path: str | Path,
        image_size: int = 640,
        confidence: float = 0.25,
        iou: float = 0.45,
        device: str = "cpu",
    ) -> None:
        path = Path(model_path)
        if not path.exists():
            raise ModelLoadError(f"model not found: {path}; set detector.model to a .pt, .onnx or *_openvino_model")
        self.model_path = path
        self.image_size = image_size
        self.confidence = confidence
        self.iou = iou
        self.device = device
        self._lock = threading.Lock()
        try:
            self._model = yolo_class()(str(path), task="detect")
            # Predict once before asking for the class names: Ultralytics then keeps one predictor
            # (one compiled model) instead of building a second one for the first real frame.
            self._predict([np.zeros((image_size, image_size, 3), np.uint8)])
            names = self._model.names
        except Exception as exc:  # Ultralytics raises many kinds for a bad file
            raise ModelLoadError(f"cannot load model {path}: {type(exc).__name__}: {exc}") from exc
        self._class_names: tuple[str, ...] = tuple(names[i] for i in range(len(names)))

    @property
    def class_names(self) -> Sequence[str]:
        return self._class_names

    def warm_up(self) -> None:
        """Compile and run the model once so the first real frame is not slow."""
        self.detect(np.zeros((self.image_size, self.image_size, 3), np.uint8))

    def detect_batch(self, frames: Sequence[npt.NDArray[np.uint8]]) -> list[Detections]:
        if not frames:
            return []
        checked = [check_frame(f) for f in frames]
        out: list[Detections | None] = [None] * len(checked)
        with self._lock:
            for indices in same_shapes(checked):
                try:
                    results = self._predict([checked[i] for i in indices])
                except Exception as exc:
                    raise DetectorError(f"detection failed on {self.model_path.name}: {exc}") from exc
                for i, result in zip(indices, results, strict=True):
                    out[i] = from_ultralytics(result, self._class_names)
        return [d for d in out if d is not None]

    def _predict(self, frames: list[npt.NDArray[np.uint8]]) -> list[Any]:
        return list(
            self._model.predict(
                frames, imgsz=self.image_size, conf=self.confidence, iou=self.iou, device=self.device, verbose=False
            )
        )
