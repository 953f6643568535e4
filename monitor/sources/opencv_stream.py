"""RTSP (and other FFmpeg-readable streams) through OpenCV, one connection per grab."""

from __future__ import annotations

import logging
import os

import cv2
import numpy as np
import numpy.typing as npt

from monitor.redact import mask_url
from monitor.sources.base import FrameSource, SourceOpenError, SourceReadError

log = logging.getLogger(__name__)

# FFmpeg reads this at every open; TCP avoids the smeared frames that UDP loss gives on city networks.
os.environ.setdefault("OPENCV_FFMPEG_CAPTURE_OPTIONS", "rtsp_transport;tcp")


def open_capture(url: str, open_timeout_s: float, read_timeout_s: float) -> cv2.VideoCapture:
    params = [
        cv2.CAP_PROP_OPEN_TIMEOUT_MSEC,
        int(open_timeout_s * 1000),
        cv2.CAP_PROP_READ_TIMEOUT_MSEC,
        int(read_timeout_s * 1000),
    ]
    return cv2.VideoCapture(url, cv2.CAP_FFMPEG, params)


def first_decodable_frame(cap: cv2.VideoCapture, attempts: int) -> npt.NDArray[np.uint8] | None:
    """Read until a frame decodes: the first packets after connecting may precede a key frame."""
    for _ in range(attempts):
        ok, frame = cap.read()
        if ok and frame is not None and frame.size:
            return np.ascontiguousarray(frame)
    return None


class StreamSnapshotSource(FrameSource):
    """Connect, take the first decodable frame, disconnect: right for intervals of minutes."""

    def __init__(self, url: str, open_timeout_s: float = 10.0, read_timeout_s: float = 10.0) -> None:
        self._url = url
        self._open_timeout_s = open_timeout_s
        self._read_timeout_s = read_timeout_s
        self.display_url = mask_url(url)

    def grab(self) -> npt.NDArray[np.uint8]:
        cap = open_capture(self._url, self._open_timeout_s, self._read_timeout_s)
        try:
            if not cap.isOpened():
                raise SourceOpenError(f"cannot open stream {self.display_url}")
            frame = first_decodable_frame(cap, attempts=50)
            if frame is None:
                raise SourceReadError(f"no decodable frame from {self.display_url}")
            return frame
        finally:
            cap.release()
