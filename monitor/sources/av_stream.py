"""Streams through PyAV: RTSP, RTMP, HLS (.m3u8) and HTTP-FLV (.flv); one connection per grab (snapshot mode).

RTSP negotiates its RTP transport as mature clients do: a server that refuses the one asked for
(461 Unsupported transport) is asked for the other, and the source says which worked (``transport``,
``note``) so that the next connection starts with it.

One deadline covers the grab: connect, the server's answers, and the wait for the first key frame. FFmpeg
is interrupted through PyAV's timeouts, each cut to the time left.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Any

import av
import numpy as np
import numpy.typing as npt

from monitor.config.camera import url_kind
from monitor.core.redact import mask_url
from monitor.core.values import CameraStatus, Cause
from monitor.sources.base import FrameSource, SourceError, SourceOpenError, SourceReadError
from monitor.sources.deadline import Deadline
from monitor.sources.errors import TransportRefused, classify_open_error, worth_a_look
from monitor.sources.hls_look import check_playlist
from monitor.sources.second_look import keep_for_look, look

log = logging.getLogger(__name__)
# PyAV keeps FFmpeg's logging off by default. Never turn its Python log callback on: FFmpeg's decoder
# threads would need the GIL to log and deadlock against a thread that holds it (seen here).

OTHER_TRANSPORT = {"tcp": "udp", "udp": "tcp"}
FAST_OPEN_KINDS = ("rtsp", "rtmp", "http-flv")


@dataclass
class StreamHistory:
    """What sitemon learnt about one camera's stream over earlier grabs (the provider keeps one per camera)."""

    transport: str | None = None
    """The RTSP transport its server took, when it refused the configured one."""
    played: bool = False
    """It has given a picture in this process: a 404 now means its publisher stopped, not a wrong path."""


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


PROBE_DECODER = {"skip_frame": "all", "threads": "1"}
"""The decoder FFmpeg's stream probe opens: it decoded the first key frame only to throw it away, and the grab
then decoded it again (measured here: 20 ms of a 1080p camera's 70 ms of CPU; bench/sweep_stages.py). The SDP
already says codec and size; a stream it does not describe is opened again with the full probe."""


def probe_options(url: str, fast_open: bool) -> list[dict[str, str]] | None:
    """Per-stream options for the probe's decoders: RTSP only, whose SDP lists the streams before the probe
    (PyAV refuses per-stream options for a format that shows none before it: FLV, HLS)."""
    if fast_open and url_kind(url) == "rtsp":
        return [PROBE_DECODER] * 4  # video, audio, data, metadata: more than a camera offers
    return None


def transport_note(configured: str, used: str) -> str:
    """What a camera's health says when it works on the transport it was not configured for."""
    if used == configured:
        return ""
    return f"RTSP over {used.upper()}: the server refuses {configured.upper()} (461 Unsupported transport)"


def open_container(
    url: str, transport: str, deadline: Deadline, timeouts: tuple[float, float], fast_open: bool, played: bool = False
) -> Any:
    """av.open within the grab's deadline; ``timeouts``: (open, read), each cut to the time left. Raises a
    classified SourceError.

    RTSP's open is its handshake: it keeps the open timeout. For RTMP, HTTP-FLV and HLS, FFmpeg's open
    includes the wait for the first key frame (nginx-rtmp sends a new player nothing before it) or for live
    segments: it may take all the time left but what a second look needs.
    """
    display = mask_url(url)
    keep = keep_for_look(deadline)
    open_timeout_s, read_timeout_s = timeouts
    open_s = deadline.bound(open_timeout_s if url_kind(url) == "rtsp" else None, keep=keep)
    started = time.monotonic()
    try:
        limits = (open_s, deadline.bound(read_timeout_s, keep=keep))
        options = stream_options(url, transport, fast_open)
        per_stream: Any = probe_options(url, fast_open)  # PyAV takes a dict per stream; its stub says str
        container = av.open(url, options=options, stream_options=per_stream, timeout=limits)
    except Exception as exc:  # PyAV raises OSError subclasses and its own FFmpegError tree
        elapsed = time.monotonic() - started
        seen = look(url, Deadline(min(keep, deadline.left()))) if worth_a_look(exc, elapsed, open_s) else None
        if seen is not None:
            log.debug("%s: FFmpeg said %s; asked again, the server was %s", display, type(exc).__name__, seen.value)
        shown = min(open_timeout_s, deadline.seconds) if url_kind(url) == "rtsp" else deadline.seconds
        raise classify_open_error(exc, url, display, elapsed, open_s, seen, played, shown) from None
    if url_kind(url) == "http-flv" and "flv" not in container.format.name:
        # FFmpeg reads what it is given (a JPEG, an MJPEG page); an HTTP-FLV URL that sends no FLV is a fault.
        sent = container.format.name
        container.close()
        raise SourceReadError(
            f"{display} did not send an FLV stream (it sent {sent})", CameraStatus.stream_error, Cause.invalid_data
        )
    return container


def open_negotiated(
    url: str, transport: str, deadline: Deadline, timeouts: tuple[float, float], fast_open: bool, played: bool = False
) -> tuple[Any, str]:
    """open_container, asking an RTSP server that refuses ``transport`` for the other; (container, transport)."""
    try:
        return open_container(url, transport, deadline, timeouts, fast_open, played), transport
    except TransportRefused:
        other = OTHER_TRANSPORT[transport]
        log.info("%s refused RTP over %s (461); trying %s", mask_url(url), transport.upper(), other.upper())
    try:
        return open_container(url, other, deadline, timeouts, fast_open, played), other
    except TransportRefused:
        raise SourceOpenError(
            f"the RTSP server at {mask_url(url)} refuses RTP over both TCP and UDP (461 Unsupported transport)",
            CameraStatus.stream_error,
            Cause.transport_refused,
        ) from None


class FirstFrameError(SourceReadError):
    """The stream opened, but gave no picture: raised by first_frame (never by an open)."""


def to_bgr(frame: Any, max_width: int | None = None) -> npt.NDArray[np.uint8]:
    """A decoded frame as a BGR picture, at most ``max_width`` wide. Scaled in the colour conversion itself
    (area filter), which costs no more than converting at full size, where scaling afterwards cost a 1080p
    camera 14 ms (OpenCV's area filter from 1920 to 1280; bench/sweep_stages.py)."""
    if max_width is None or frame.width <= max_width:
        return np.ascontiguousarray(frame.to_ndarray(format="bgr24"))
    height = max(2, round(frame.height * max_width / frame.width / 2) * 2)
    scaled = frame.to_ndarray(width=max_width, height=height, format="bgr24", interpolation="AREA")
    return np.ascontiguousarray(scaled)


def first_frame(
    container: Any, display_url: str, deadline: Deadline, max_width: int | None = None
) -> npt.NDArray[np.uint8]:
    """Demux until a frame decodes (the first packets may precede a key frame), until the deadline; a fault
    says what came: nothing, packets without a key frame, or key frames that do not decode. The picture is
    at most ``max_width`` wide (None: as decoded)."""
    if not container.streams.video:
        raise FirstFrameError(f"{display_url} has no video stream", CameraStatus.stream_error, Cause.no_video)
    stream = container.streams.video[0]
    packets = keyframes = 0
    try:
        for packet in container.demux(stream):
            if packet.size:
                packets += 1
                keyframes += bool(packet.is_keyframe)
            for frame in packet.decode():
                return to_bgr(frame, max_width)
            if deadline.passed:
                break
    except av.ExitError:
        pass  # PyAV's read timeout: what came until then says what went wrong
    except av.FFmpegError as exc:
        raise FirstFrameError(
            f"stream error from {display_url}: {type(exc).__name__}", CameraStatus.stream_error, Cause.invalid_data
        ) from None
    except OSError as exc:
        raise FirstFrameError(
            f"stream from {display_url} broke off: {type(exc).__name__}", CameraStatus.offline, Cause.reset
        ) from None
    raise no_picture(display_url, packets, keyframes, deadline)


def no_picture(display_url: str, packets: int, keyframes: int, deadline: Deadline) -> SourceError:
    waited = deadline.elapsed()
    if packets == 0:
        return FirstFrameError(
            f"{display_url} opened, then sent nothing in {waited:.0f} s (timeout)",
            CameraStatus.offline,
            Cause.timeout,
        )
    if keyframes == 0:
        return FirstFrameError(
            f"no key frame from {display_url} in {waited:.0f} s ({packets} packets came): "
            f"key frame interval longer than {waited:.0f} s",
            CameraStatus.stream_error,
            Cause.no_keyframe,
        )
    return FirstFrameError(
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
        history: StreamHistory | None = None,
        deadline_s: float | None = None,
        max_width: int | None = None,
    ) -> None:
        """``transport``: the camera's own; ``history``: what earlier grabs learnt (the transport that worked,
        whether it played), updated by this one; ``deadline_s``: the whole grab (default: open + read);
        ``max_width``: wider pictures are scaled down to it as they are decoded (None: as decoded)."""
        self._max_width = max_width
        self._url = url
        self._timeouts = (open_timeout_s, read_timeout_s)
        self._deadline_s = deadline_s or open_timeout_s + read_timeout_s
        self._configured = transport
        self.history = history or StreamHistory()
        self.transport = self.history.transport or transport
        self.display_url = mask_url(url)

    @property
    def note(self) -> str:
        return transport_note(self._configured, self.transport) if url_kind(self._url) == "rtsp" else ""

    def grab(self) -> npt.NDArray[np.uint8]:
        deadline = Deadline(self._deadline_s)
        if url_kind(self._url) == "hls":
            check_playlist(self._url, deadline, self._timeouts, self.history.played)
        try:
            image = self._grab(deadline, fast_open=True)
        except FirstFrameError as exc:
            if exc.cause not in (Cause.no_frame, Cause.invalid_data) or deadline.passed:
                raise
            # A stream whose SDP lacks the codec parameters needs FFmpeg's full probe.
            log.debug("%s: retrying with full stream probing", self.display_url)
            image = self._grab(deadline, fast_open=False)
        self.history.played = True
        return image

    def _grab(self, deadline: Deadline, fast_open: bool) -> npt.NDArray[np.uint8]:
        container, self.transport = open_negotiated(
            self._url, self.transport, deadline, self._timeouts, fast_open, self.history.played
        )
        self.history.transport = self.transport if self.transport != self._configured else None
        try:
            return first_frame(container, self.display_url, deadline, self._max_width)
        finally:
            container.close()
