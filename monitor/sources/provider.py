"""Which source serves a camera; persistent streams live here between sweeps."""

from __future__ import annotations

import threading
import zlib

from monitor.config import CameraConfig, SamplingConfig, SamplingMode
from monitor.core.clock import Clock
from monitor.core.values import CameraKey
from monitor.sources.av_stream import StreamHistory, StreamSnapshotSource
from monitor.sources.base import FrameSource
from monitor.sources.http_source import HttpSource
from monitor.sources.persistent import PersistentStreamSource
from monitor.sources.video_file import VideoFileSource


def decode_width(camera: CameraConfig, sampling: SamplingConfig) -> int | None:
    """How wide a stream's picture is decoded: at most the snapshot's width, what people look at and more than
    the detector (416 or 640 px) and the judgement (320 px) use. A tiled camera keeps every pixel: its tiles
    are detected at the detector's size each (None: as decoded)."""
    return sampling.snapshot_max_width if camera.tiling is None else None


class SourceProvider:
    """Thread-safe. ``acquire`` then ``release`` around every grab; ``close`` at shutdown."""

    def __init__(self, sampling: SamplingConfig, clock: Clock) -> None:
        self._sampling = sampling
        self._clock = clock
        self._persistent: dict[CameraKey, PersistentStreamSource] = {}
        self._history: dict[CameraKey, StreamHistory] = {}  # what earlier grabs learnt of each camera's stream
        self._lock = threading.Lock()

    def acquire(self, key: CameraKey, camera: CameraConfig) -> FrameSource:
        s = self._sampling
        url = camera.detection_url
        if camera.is_file:
            # Cameras playing the same file start at different points, as different cameras would.
            offset = zlib.crc32(str(key).encode()) % 3600
            return VideoFileSource(url, self._clock, float(offset), camera.file_loop_seconds)
        if camera.kind == "http":  # a snapshot or MJPEG; .m3u8 and .flv are streams
            return HttpSource(url, s.open_timeout_seconds, s.read_timeout_seconds)
        transport = (camera.transport or s.transport).value
        if (camera.mode or s.mode) is SamplingMode.persistent:
            with self._lock:
                source = self._persistent.get(key)
                if source is None or not source.alive:
                    source = PersistentStreamSource(
                        url,
                        s.open_timeout_seconds,
                        s.read_timeout_seconds,
                        transport,
                        keyframe_wait_s=s.keyframe_wait_seconds,
                    )
                    self._persistent[key] = source
                return source
        with self._lock:
            history = self._history.setdefault(key, StreamHistory())
        return StreamSnapshotSource(
            url, s.open_timeout_seconds, s.read_timeout_seconds, transport, history, max_width=decode_width(camera, s)
        )

    def release(self, source: FrameSource) -> None:
        if not isinstance(source, PersistentStreamSource):
            source.close()

    def close(self) -> None:
        with self._lock:
            sources, self._persistent = list(self._persistent.values()), {}
        for source in sources:
            source.stop()
        for source in sources:
            source.close()
