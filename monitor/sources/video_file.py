"""A video file played as if it were a live camera (demo and tests)."""

from __future__ import annotations

import cv2
import numpy as np
import numpy.typing as npt

from monitor.core.clock import Clock
from monitor.sources.base import FrameSource, SourceOpenError, SourceReadError


class VideoFileSource(FrameSource):
    """Each grab returns the frame the file shows at the current time, looping: successive samples move."""

    def __init__(self, path: str, clock: Clock, offset_seconds: float = 0.0, loop_seconds: float | None = None) -> None:
        self._path = path
        self._clock = clock
        self._offset = offset_seconds
        self._loop_seconds = loop_seconds

    def grab(self) -> npt.NDArray[np.uint8]:
        cap = cv2.VideoCapture(self._path)
        try:
            if not cap.isOpened():
                raise SourceOpenError(f"cannot open video file {self._path}")
            fps = cap.get(cv2.CAP_PROP_FPS) or 25.0
            count = int(cap.get(cv2.CAP_PROP_FRAME_COUNT))
            if self._loop_seconds is not None:
                count = min(count, max(1, int(self._loop_seconds * fps)))
            if count > 1:
                seconds = self._clock().timestamp() + self._offset
                cap.set(cv2.CAP_PROP_POS_FRAMES, int(seconds * fps) % count)
            for _ in range(5):
                ok, frame = cap.read()
                if ok and frame is not None and frame.size:
                    return np.ascontiguousarray(frame)
            raise SourceReadError(f"no decodable frame in video file {self._path}")
        finally:
            cap.release()
