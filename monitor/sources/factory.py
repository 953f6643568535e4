"""Pick the frame source for a camera's URL."""

from __future__ import annotations

import zlib

from monitor.clock import Clock, utc_now
from monitor.config import CameraConfig, SamplingConfig
from monitor.sources.base import FrameSource
from monitor.sources.http_snapshot import HttpSnapshotSource
from monitor.sources.opencv_stream import StreamSnapshotSource
from monitor.sources.video_file import VideoFileSource


def open_source(camera: CameraConfig, sampling: SamplingConfig, clock: Clock = utc_now) -> FrameSource:
    url = camera.url.get_secret_value()
    if camera.is_file:
        # Cameras playing the same file start at different points, as different cameras would.
        offset = zlib.crc32(camera.id.encode()) % 3600
        return VideoFileSource(url, clock=clock, offset_seconds=float(offset))
    if url.lower().startswith(("http://", "https://")):
        return HttpSnapshotSource(url, timeout_s=sampling.open_timeout_seconds + sampling.read_timeout_seconds)
    return StreamSnapshotSource(url, sampling.open_timeout_seconds, sampling.read_timeout_seconds)
