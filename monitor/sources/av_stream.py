"""Streams through PyAV: RTSP, RTMP, HLS (.m3u8) and HTTP-FLV (.flv); one connection per grab (snapshot mode).

RTSP negotiates its RTP transport as mature clients do: a server that refuses the one asked for
(461 Unsupported transport) is asked for the other, and the source says which worked (``transport``,
``note``) so that the next connection starts with it.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

import av
import numpy as np
import numpy.typing as npt

from monitor.config.camera import url_kind
from monitor.core.redact import mask_url
from monitor.core.values import CameraStatus, Cause
from monitor.sources.base import FrameSource, SourceOpenError, SourceReadError
from monitor.sources.errors import TransportRefused, classify_open_error

log = logging.getLogger(__name__)
# PyAV keeps FFmpeg's logging off by default. Never turn its Python log callback on: FFmpeg's decoder
# threads would need the GIL to log and deadlock against a thread that holds it (seen here).

MAX_PACKETS_BEFORE_FRAME = 300
OTHER_TRANSPORT = {"tcp": "udp", "udp": "tcp"}
FAST_OPEN_KINDS = ("rtsp", "rtmp", "http-flv")


def stream_options(url: str, transport: str, fast_open: bool) -> dict[str, str]:
    options: dict[str, str] = {}
    kind = url_kind(url)
    if kind == "rtsp":
        options["rtsp_transport"] = transport
    if fast_open and kind in FAST_OPEN_KINDS:
        # RTSP's SDP, FLV's first video tag (RTMP, HTTP-FLV) already say codec and size: skip FFmpeg's probing
        # (measured here: RTSP 0.9 s -> 0.05 s; a live HTTP-FLV 8 s -> 0.02 s; RTMP 5-7 s -> the wait for the
        # next key frame). HLS keeps the full probe: its segments are already there, it opens in 0.02-0.13 s.
        options["probesize"] = "32"
        options["analyzeduration"] = "0"
    return options


def transport_note(configured: str, used: str) -> str:
    """What a camera's health says when it works on the transport it was not configured for."""
    if used == configured:
        return ""
    return f"RTSP over {used.upper()}: the server refuses {configured.upper()} (461 Unsupported transport)"


def open_container(url: str, transport: str, open_timeout_s: float, read_timeout_s: float, fast_open: bool) -> Any:
    """av.open with timeouts on connect and on every read; raises a classified SourceError."""
    display = mask_url(url)
    started = time.monotonic()
    try:
        return av.open(url, options=stream_options(url, transport, fast_open), timeout=(open_timeout_s, read_timeout_s))
    except Exception as exc:  # PyAV raises OSError subclasses and its own FFmpegError tree
        raise classify_open_error(exc, url, display, time.monotonic() - started, open_timeout_s) from None


def open_negotiated(
    url: str, transport: str, open_timeout_s: float, read_timeout_s: float, fast_open: bool
) -> tuple[Any, str]:
    """open_container, asking an RTSP server that refuses ``transport`` for the other; (container, transport)."""
    try:
        return open_container(url, transport, open_timeout_s, read_timeout_s, fast_open), transport
    except TransportRefused:
        other = OTHER_TRANSPORT[transport]
        log.info("%s refused RTP over %s (461); trying %s", mask_url(url), transport.upper(), other.upper())
    try:
        return open_container(url, other, open_timeout_s, read_timeout_s, fast_open), other
    except TransportRefused:
        raise SourceOpenError(
            f"the RTSP server at {mask_url(url)} refuses RTP over both TCP and UDP (461 Unsupported transport)",
            CameraStatus.stream_error,
            Cause.transport_refused,
        ) from None


def first_frame(container: Any, display_url: str, max_packets: int = MAX_PACKETS_BEFORE_FRAME) -> npt.NDArray[np.uint8]:
    """Demux until a frame decodes (the first packets may precede a key frame)."""
    if not container.streams.video:
        raise SourceReadError(f"{display_url} has no video stream", CameraStatus.stream_error, Cause.no_video)
    stream = container.streams.video[0]
    packets = 0
    try:
        for packet in container.demux(stream):
            packets += 1
            for frame in packet.decode():
                return np.ascontiguousarray(frame.to_ndarray(format="bgr24"))
            if packets >= max_packets:
                break
    except av.FFmpegError as exc:
        raise SourceReadError(
            f"stream error from {display_url}: {type(exc).__name__}", CameraStatus.stream_error, Cause.invalid_data
        ) from None
    except OSError as exc:
        raise SourceReadError(
            f"stream from {display_url} broke off: {type(exc).__name__}", CameraStatus.offline, Cause.reset
        ) from None
    raise SourceReadError(
        f"no decodable frame from {display_url} in {packets} packets (corrupt or unsupported stream)",
        CameraStatus.stream_error,
        Cause.no_frame,
    )


class StreamSnapshotSource(FrameSource):
    """Connect, take the first decodable frame, disconnect: right for intervals of minutes."""

    def __init__(
        self,
        url: str,
        open_timeout_s: float = 10.0,
        read_timeout_s: float = 10.0,
        transport: str = "tcp",
        configured: str | None = None,
        learned: Callable[[str], None] | None = None,
    ) -> None:
        """``transport``: the one to try first (what worked last time); ``configured``: the camera's own
        (default: ``transport``); ``learned``: told the transport that worked when it was the other one."""
        self._url = url
        self._open_timeout_s = open_timeout_s
        self._read_timeout_s = read_timeout_s
        self.transport = transport
        self._configured = configured or transport
        self._learned = learned
        self.display_url = mask_url(url)

    @property
    def note(self) -> str:
        return transport_note(self._configured, self.transport) if url_kind(self._url) == "rtsp" else ""

    def grab(self) -> npt.NDArray[np.uint8]:
        try:
            return self._grab(fast_open=True)
        except SourceReadError as exc:
            if exc.status is not CameraStatus.stream_error:
                raise
            # A stream whose SDP lacks the codec parameters needs FFmpeg's full probe.
            log.debug("%s: retrying with full stream probing", self.display_url)
            return self._grab(fast_open=False)

    def _grab(self, fast_open: bool) -> npt.NDArray[np.uint8]:
        tried = self.transport
        container, self.transport = open_negotiated(
            self._url, tried, self._open_timeout_s, self._read_timeout_s, fast_open
        )
        if self.transport != tried and self._learned is not None:
            self._learned(self.transport)
        try:
            return first_frame(container, self.display_url)
        finally:
            container.close()
