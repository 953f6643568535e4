"""The Detector interface and the Detections value it returns."""

from __future__ import annotations

import abc
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt


class DetectorError(Exception):
    """Detection failed or cannot start."""


class ModelLoadError(DetectorError):
    """The model file is missing, unreadable, or does not fit the configuration."""


class FrameError(DetectorError, ValueError):
    """A frame is not an HxWx3 uint8 BGR image."""


def check_frame(frame: object) -> npt.NDArray[np.uint8]:
    """Reject anything but an HxWx3 uint8 image before it reaches a backend."""
    if not isinstance(frame, np.ndarray):
        raise FrameError(f"frame must be a numpy array, got {type(frame).__name__}")
    if frame.dtype != np.uint8:
        raise FrameError(f"frame dtype must be uint8, got {frame.dtype}")
    if frame.ndim != 3 or frame.shape[2] != 3 or frame.shape[0] < 8 or frame.shape[1] < 8:
        raise FrameError(f"frame must have shape (H, W, 3) with H, W >= 8, got {frame.shape}")
    return frame


@dataclass(frozen=True, eq=False)
class Detections:
    """Boxes found in one frame, in pixel coordinates of that frame."""

    xyxy: npt.NDArray[np.float32]
    confidence: npt.NDArray[np.float32]
    class_id: npt.NDArray[np.int32]
    class_names: Sequence[str] = field(default_factory=tuple)
    """Name of every class the model knows, indexed by class id."""

    def __post_init__(self) -> None:
        n = len(self.xyxy)
        if self.xyxy.shape != (n, 4):
            raise ValueError(f"xyxy must have shape (N, 4), got {self.xyxy.shape}")
        if self.confidence.shape != (n,) or self.class_id.shape != (n,):
            raise ValueError("confidence and class_id must have one entry per box")
        if n and self.class_names and int(self.class_id.max()) >= len(self.class_names):
            raise ValueError("class_id out of range of class_names")

    def __len__(self) -> int:
        return len(self.xyxy)

    @classmethod
    def empty(cls, class_names: Sequence[str] = ()) -> Detections:
        return cls(np.zeros((0, 4), np.float32), np.zeros(0, np.float32), np.zeros(0, np.int32), tuple(class_names))

    def names(self) -> list[str]:
        return [self.class_names[i] for i in self.class_id.tolist()]

    def centers(self) -> npt.NDArray[np.float32]:
        return np.stack([(self.xyxy[:, 0] + self.xyxy[:, 2]) / 2, (self.xyxy[:, 1] + self.xyxy[:, 3]) / 2], 1)

    def select(self, keep: npt.NDArray[np.bool_]) -> Detections:
        return Detections(self.xyxy[keep], self.confidence[keep], self.class_id[keep], self.class_names)


class Detector(abc.ABC):
    """Finds objects in frames. Implementations are safe to call from several threads."""

    @property
    @abc.abstractmethod
    def class_names(self) -> Sequence[str]:
        """Every class the model knows, indexed by class id."""

    @abc.abstractmethod
    def detect_batch(self, frames: Sequence[npt.NDArray[np.uint8]]) -> list[Detections]:
        """Detect objects in each frame (BGR, HxWx3 uint8); one Detections per frame."""

    def detect(self, frame: npt.NDArray[np.uint8]) -> Detections:
        return self.detect_batch([frame])[0]
