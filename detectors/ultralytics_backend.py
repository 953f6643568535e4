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
        with self._lock:
            try:
                results = self._predict(checked)
            except Exception as exc:
                raise DetectorError(f"detection failed on {self.model_path.name}: {exc}") from exc
        return [from_ultralytics(r, self._class_names) for r in results]

    def _predict(self, frames: list[npt.NDArray[np.uint8]]) -> list[Any]:
        return list(
            self._model.predict(
                frames, imgsz=self.image_size, conf=self.confidence, iou=self.iou, device=self.device, verbose=False
            )
        )
