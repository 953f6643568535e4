"""Probe one camera URL: what it sends (codec, size, frame rate), how fast the first frame comes, or why not.

The same connection sitemon samples with (one deadline, RTSP transport negotiation, fault reasons). A probe
returns by its deadline (plus a second's grace) whatever the camera does: one that has not answered by then
is abandoned, its thread left to end on its own bounded I/O.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from monitor.config.camera import url_kind
from monitor.core.redact import mask_url, redact_text
from monitor.core.values import CameraStatus, Cause
from monitor.sources.av_stream import first_frame, open_negotiated, transport_note
from monitor.sources.base import SourceError, SourceReadError
from monitor.sources.deadline import Deadline, Overdue, within
from monitor.sources.hls_look import check_playlist
from monitor.sources.http_source import HttpSource, decode_picture

GRACE_S = 0.5
"""How long past its deadline a probe is waited for before it is abandoned."""


@dataclass(frozen=True)
class Probe:
    """What one probe found. ``reason`` and ``url`` are credential-free."""

    url: str
    kind: str
    status: CameraStatus
    reason: str = ""
    codec: str = ""
    width: int = 0
    height: int = 0
    fps: float | None = None
    first_frame_s: float | None = None
    transport: str = ""
    image: npt.NDArray[np.uint8] | None = None
    cause: Cause | None = None

    @property
    def ok(self) -> bool:
        return self.status is CameraStatus.online


def probe(
    url: str,
    transport: str = "tcp",
    open_timeout_s: float = 10.0,
    read_timeout_s: float = 10.0,
    deadline_s: float | None = None,
) -> Probe:
    """Connect, take the first frame, disconnect, all within ``deadline_s`` (default: open + read timeout).
    Never raises for a camera fault."""
    display, kind = mask_url(url), url_kind(url)
    seconds = deadline_s or open_timeout_s + read_timeout_s
    try:
        return within(lambda: _probe(url, transport, open_timeout_s, read_timeout_s, seconds), seconds + GRACE_S)
    except Overdue:
        reason = f"no answer from {display} within {seconds:g} s (timeout; the probe gave up on it)"
        return Probe(display, kind, CameraStatus.offline, reason, cause=Cause.deadline)


def _probe(url: str, transport: str, open_timeout_s: float, read_timeout_s: float, seconds: float) -> Probe:
    display, kind = mask_url(url), url_kind(url)
    deadline = Deadline(seconds)
    try:
        if kind == "http":
            body = HttpSource(url, open_timeout_s, read_timeout_s).fetch(deadline)
            image = decode_picture(body, display)
            codec, fps, used = "jpeg", None, ""
        else:
            image, codec, fps, used = _stream(url, transport, (open_timeout_s, read_timeout_s), deadline)
    except SourceError as exc:
        return Probe(display, kind, exc.status, redact_text(str(exc)), cause=exc.cause)
    used = used if kind == "rtsp" else ""
    note = transport_note(transport, used) if used else ""
    h, w = image.shape[:2]
    return Probe(display, kind, CameraStatus.online, note, codec, w, h, fps, deadline.elapsed(), used, image)


def _stream(
    url: str, transport: str, timeouts: tuple[float, float], deadline: Deadline
) -> tuple[npt.NDArray[np.uint8], str, float | None, str]:
    display = mask_url(url)
    if url_kind(url) == "hls":
        check_playlist(url, deadline, timeouts, played=False)
    for fast_open in (True, False):  # as StreamSnapshotSource: a sparse SDP needs FFmpeg's full probe
        container, used = open_negotiated(url, transport, deadline, timeouts, fast_open)
        try:
            if not container.streams.video:
                raise SourceReadError(f"{display} has no video stream", CameraStatus.stream_error, Cause.no_video)
            stream = container.streams.video[0]
            try:
                image = first_frame(container, display, deadline)
            except SourceReadError as exc:
                if exc.cause in (Cause.no_frame, Cause.invalid_data) and fast_open and not deadline.passed:
                    continue
                raise
            return image, str(stream.codec_context.name), _rate(stream), used
        finally:
            container.close()
    raise AssertionError("unreachable")  # pragma: no cover - the second pass returns or raises


MAX_FPS = 240.0  # above: a clock rate, not frames (VLC's RTP streams report 90000)


def _rate(stream: Any) -> float | None:
    for rate in (stream.average_rate, stream.guessed_rate, stream.codec_context.framerate):
        if rate and 0 < float(rate) <= MAX_FPS:
            return round(float(rate), 2)
    return None
