"""A stream kept open in a reader thread that hands out the newest frame, never a buffered one.

The reader only demuxes: it keeps the packets since the last key frame. A grab decodes that group,
so the frame returned is the newest one the camera sent, and decoding costs nothing between grabs.

A stream counts as connected once its first key frame has decoded, not on its first packet: packets before
it give no picture. The wait for that key frame is bounded (``keyframe_wait_s``); a camera whose key frames
come further apart says so.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

import av
import numpy as np
import numpy.typing as npt

from monitor.core.backoff import STREAM_RECONNECT, Backoff
from monitor.core.redact import mask_url
from monitor.core.values import CameraStatus, Cause
from monitor.sources.av_stream import open_negotiated, transport_note
from monitor.sources.base import FrameSource, SourceError, SourceOpenError, SourceReadError
from monitor.sources.deadline import Deadline

log = logging.getLogger(__name__)

MAX_GOP_PACKETS = 1_000  # a camera that never sends a key frame must not grow memory forever
KEYFRAME_WAIT_S = 10.0


class PersistentStreamSource(FrameSource):
    def __init__(
        self,
        url: str,
        open_timeout_s: float = 10.0,
        read_timeout_s: float = 10.0,
        transport: str = "tcp",
        backoff_initial_s: float = STREAM_RECONNECT.base_s,
        backoff_max_s: float = STREAM_RECONNECT.cap_s,
        keyframe_wait_s: float = KEYFRAME_WAIT_S,
    ) -> None:
        self._url = url
        self._open_timeout_s = open_timeout_s
        self._read_timeout_s = read_timeout_s
        self._keyframe_wait_s = keyframe_wait_s
        self.transport = transport  # the one that worked last (RTSP asks for the other on a 461)
        self._configured = transport
        self._backoff = Backoff(base_s=backoff_initial_s, cap_s=backoff_max_s)  # a bad pair fails here
        self.display_url = mask_url(url)
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._gop: list[Any] = []
        self._codec: tuple[str, bytes | None] | None = None
        self._last_packet_at = 0.0
        self._last_error: SourceError | None = None
        self._live = False  # the current connection has given a decoded key frame
        self._waiting = 0  # packets of the current connection before its first decoded key frame
        self._played = False  # some connection gave a picture: a 404 now means the publisher stopped
        self._connected = threading.Event()  # set on the first decoded key frame, or on a failure
        self.reconnects = 0
        self._thread = threading.Thread(target=self._run, name=f"stream {self.display_url}", daemon=True)
        self._thread.start()

    # reader thread -------------------------------------------------------------------------------
    def _run(self) -> None:
        policy = self._backoff
        failures = 0
        while not self._stop.is_set():
            failures += 1
            try:
                self._read_until_failure()
                failures = 1  # it worked for a while: start over gently
            except SourceError as exc:
                with self._lock:
                    self._last_error, self._live = exc, False
                log.info("%s: %s; reconnecting in %.0f s", self.display_url, exc, policy.seconds(failures))
            self._connected.set()  # wake a first grab waiting for the first attempt
            if self._stop.wait(policy.seconds(failures)):
                break
            self.reconnects += 1

    def _read_until_failure(self) -> None:
        connecting = Deadline(self._open_timeout_s + self._keyframe_wait_s)  # connect, then the first key frame
        container, self.transport = open_negotiated(
            self._url, self.transport, connecting, (self._open_timeout_s, self._read_timeout_s), True, self._played
        )
        try:
            if not container.streams.video:
                raise SourceReadError(
                    f"{self.display_url} has no video stream", CameraStatus.stream_error, Cause.no_video
                )
            stream = container.streams.video[0]
            ctx = stream.codec_context
            codec = (ctx.name, bytes(ctx.extradata) if ctx.extradata else None)
            with self._lock:
                self._codec, self._gop, self._live, self._waiting = codec, [], False, 0
            # From here on the first key frame has keyframe_wait_s (for RTMP the open already waited for it).
            keyframe = Deadline(self._keyframe_wait_s)
            for packet in container.demux(stream):
                if self._stop.is_set():
                    return
                if packet.size == 0:
                    continue
                if not self._live and not self._first_keyframe(packet, codec, keyframe):
                    continue
                with self._lock:
                    if packet.is_keyframe or len(self._gop) >= MAX_GOP_PACKETS:
                        self._gop = [packet]
                    elif self._gop:
                        self._gop.append(packet)
                    self._last_packet_at = time.monotonic()
                    self._last_error, self._live, self._played = None, True, True
                self._connected.set()
            raise SourceOpenError(f"stream from {self.display_url} ended", CameraStatus.offline, Cause.stream_ended)
        except av.FFmpegError as exc:
            raise SourceReadError(
                f"stream from {self.display_url} broke off: {type(exc).__name__}", CameraStatus.offline, Cause.reset
            ) from None
        except OSError as exc:
            raise SourceOpenError(
                f"stream from {self.display_url} broke off: {type(exc).__name__}", CameraStatus.offline, Cause.reset
            ) from None
        finally:
            container.close()

    def _first_keyframe(self, packet: Any, codec: tuple[str, bytes | None], keyframe: Deadline) -> bool:
        """Whether ``packet`` is the key frame that makes the connection live (it decodes to a picture)."""
        if packet.is_keyframe:
            try:
                _decode_last([packet], codec, self.display_url)
            except SourceError:
                log.debug("%s: a key frame that does not decode on its own; waiting for the next", self.display_url)
            else:
                return True
        with self._lock:
            self._waiting += 1
            waiting = self._waiting
        if keyframe.passed:
            raise no_keyframe(self.display_url, waiting, self._keyframe_wait_s)
        return False

    # callers -------------------------------------------------------------------------------------
    @property
    def note(self) -> str:
        return transport_note(self._configured, self.transport) if self._url.lower().startswith("rtsp") else ""

    def grab(self) -> npt.NDArray[np.uint8]:
        wait_s = self._open_timeout_s + self._keyframe_wait_s
        self._connected.wait(wait_s)
        with self._lock:
            gop, codec, live, waiting = list(self._gop), self._codec, self._live, self._waiting
            age = time.monotonic() - self._last_packet_at
            error = self._last_error
        if not live:
            if error is not None:
                raise error
            if waiting:
                raise no_keyframe(self.display_url, waiting, self._keyframe_wait_s)
            raise SourceOpenError(
                f"no answer from {self.display_url} within {wait_s:g} s (timeout)", CameraStatus.offline, Cause.timeout
            )
        if not gop or codec is None or age > self._read_timeout_s:
            if error is not None:
                raise error
            raise SourceReadError(
                f"no frame from {self.display_url} for {age:.0f} s", CameraStatus.offline, Cause.stream_ended
            )
        return _decode_last(gop, codec, self.display_url)

    def stop(self) -> None:
        """Ask the reader to stop without waiting for it."""
        self._stop.set()

    def close(self) -> None:
        self._stop.set()
        self._thread.join(self._open_timeout_s + self._keyframe_wait_s + self._read_timeout_s + 1)

    @property
    def alive(self) -> bool:
        return self._thread.is_alive()


def no_keyframe(display_url: str, packets: int, waited_s: float) -> SourceReadError:
    return SourceReadError(
        f"no key frame from {display_url} in {waited_s:g} s ({packets} packets came): "
        f"key frame interval longer than {waited_s:g} s",
        CameraStatus.stream_error,
        Cause.no_keyframe,
    )


def _decode_last(packets: list[Any], codec: tuple[str, bytes | None], display_url: str) -> npt.NDArray[np.uint8]:
    name, extradata = codec
    ctx: Any = av.CodecContext.create(name, "r")
    if extradata:
        ctx.extradata = extradata
    last = None
    try:
        for packet in packets:
            for frame in ctx.decode(packet):
                last = frame
        for frame in ctx.decode(None):
            last = frame
    except av.FFmpegError as exc:
        if last is None:
            raise SourceReadError(
                f"cannot decode the stream from {display_url}: {type(exc).__name__}",
                CameraStatus.stream_error,
                Cause.invalid_data,
            ) from None
    if last is None:
        raise SourceReadError(f"no decodable frame from {display_url}", CameraStatus.stream_error, Cause.no_frame)
    return np.ascontiguousarray(last.to_ndarray(format="bgr24"))
