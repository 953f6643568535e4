"""Frame sources: one interface for RTSP, HTTP snapshots / MJPEG and video files."""

from monitor.sources.base import FrameSource, SourceError, SourceOpenError, SourceReadError
from monitor.sources.provider import SourceProvider

__all__ = ["FrameSource", "SourceError", "SourceOpenError", "SourceProvider", "SourceReadError"]
