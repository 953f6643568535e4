"""Fakes for fast unit tests; the real parts are tested beside them."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from detectors import Detections, Detector
from monitor.clock import Clock
from monitor.config import CameraConfig, SamplingConfig
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


class FakeSource(FrameSource):
    def __init__(self, image: npt.NDArray[np.uint8] | None = None, error: SourceError | None = None) -> None:
        self.image = image if image is not None else np.full((100, 100, 3), 128, np.uint8)
        self.error = error
        self.closed = False

    def grab(self) -> npt.NDArray[np.uint8]:
        if self.error is not None:
            raise self.error
        return self.image

    def close(self) -> None:
        self.closed = True


def source_factory(by_camera: dict[str, FakeSource]):  # type: ignore[no-untyped-def]
    def make(camera: CameraConfig, sampling: SamplingConfig, clock: Clock) -> FrameSource:
        return by_camera[camera.id]

    return make
