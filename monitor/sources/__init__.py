"""Frame sources: one interface for RTSP, HTTP snapshots and video files."""

from monitor.sources.base import FrameSource, SourceError, SourceOpenError, SourceReadError
from monitor.sources.factory import open_source

__all__ = ["FrameSource", "SourceError", "SourceOpenError", "SourceReadError", "open_source"]
