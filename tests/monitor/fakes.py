"""Fakes for fast unit tests; the real parts are tested beside them."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from detectors import Detections, Detector
from monitor.config import CameraConfig
from monitor.core.values import CameraKey
from monitor.sources import FrameSource, SourceError

NAMES = ("person", "truck", "dog")


class FakeDetector(Detector):
    """Returns the same boxes for every frame."""

    def __init__(self, boxes: Sequence[tuple[float, float, float, float, int]] = ()) -> None:
        self.boxes = list(boxes)
        self.calls = 0

    @property
    def class_names(self) -> Sequence[str]:
        return NAMES

    def detect_batch(self, frames: Sequence[npt.NDArray[np.uint8]]) -> list[Detections]:
        self.calls += len(frames)
        n = len(self.boxes)
        xyxy = np.array([b[:4] for b in self.boxes], np.float32).reshape(n, 4)
        cls = np.array([b[4] for b in self.boxes], np.int32)
        return [Detections(xyxy, np.full(n, 0.9, np.float32), cls, NAMES) for _ in frames]


def textured(h: int = 100, w: int = 100, seed: int = 0) -> npt.NDArray[np.uint8]:
    """A picture with detail (a blank one is a camera fault)."""
    return np.random.default_rng(seed).integers(60, 200, (h, w, 3), dtype=np.uint8)


class FakeSource(FrameSource):
    def __init__(self, image: npt.NDArray[np.uint8] | None = None, error: SourceError | None = None) -> None:
        self.image = image if image is not None else textured()
        self.error = error
        self.closed = False

    def grab(self) -> npt.NDArray[np.uint8]:
        if self.error is not None:
            raise self.error
        return self.image

    def close(self) -> None:
        self.closed = True


class FakeSources:
    """A source per camera id; counts releases."""

    def __init__(self, by_camera: dict[str, FakeSource]) -> None:
        self.by_camera = by_camera
        self.released = 0

    def acquire(self, key: CameraKey, camera: CameraConfig) -> FrameSource:
        return self.by_camera[camera.id]

    def release(self, source: FrameSource) -> None:
        self.released += 1
        source.close()
