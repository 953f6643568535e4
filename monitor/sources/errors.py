"""Turn what FFmpeg/PyAV raised into a camera status and a reason an operator can act on."""

from __future__ import annotations

import errno
import socket
from urllib.parse import urlsplit

import av

from monitor.config.camera import url_kind
from monitor.core.redact import needs_encoding, split_url
from monitor.core.values import CameraStatus, Cause
from monitor.sources.base import SourceError, SourceOpenError, SourceReadError
from monitor.sources.second_look import Seen


def host_resolves(url: str) -> bool:
    parts = split_url(url)  # the host after the last "@", as sitemon reads it, whatever the password holds
    host = urlsplit(parts.without_userinfo() if parts is not None else url).hostname
    if not host:
        return False
    try:
        socket.getaddrinfo(host, None)
    except (socket.gaierror, UnicodeError):
        return False
    return True


class TransportRefused(SourceOpenError):
    """The RTSP server refused the RTP transport asked for (461 Unsupported transport): try the other."""

    status = CameraStatus.stream_error

    def __init__(self, message: str) -> None:
        super().__init__(message, CameraStatus.stream_error, Cause.transport_refused)


_INVALID_DATA = {
    "rtsp": "sends bytes that are not RTSP (invalid data)",
    "hls": "is not a playable HLS playlist (a broken playlist, or segments it lists are missing)",
    "http-flv": "did not send an FLV stream (invalid data)",
    "rtmp": "did not speak RTMP (invalid data)",
}
_NOT_PROTOCOL = {
    "rtsp": "sends bytes that are not RTSP (invalid data)",
    "rtmp": "did not speak RTMP (invalid data)",
    "hls": "sends bytes that are not HTTP (invalid data)",
    "http-flv": "sends bytes that are not HTTP (invalid data)",
}
_PROTOCOL = {"rtsp": "RTSP", "rtmp": "RTMP", "hls": "HTTP", "http-flv": "HTTP"}


def timed_out(exc: BaseException, elapsed_s: float, timeout_s: float) -> bool:
    """FFmpeg gave up waiting (PyAV's interrupt: ExitError), or the wait used its time."""
    return isinstance(exc, av.ExitError | TimeoutError) or elapsed_s >= timeout_s * 0.9


def worth_a_look(exc: BaseException, elapsed_s: float, timeout_s: float) -> bool:
    """Whether what FFmpeg said hides what the server sent: a timeout, an Input/output error (RTMP's answer
    to an unknown application, FFmpeg's to bytes that end before they make sense) or an end of file."""
    if isinstance(exc, av.InvalidDataError) and not timed_out(exc, elapsed_s, timeout_s):
        return False  # it says what came: bytes that make no sense (interrupted, FFmpeg may say this too)
    io_error = isinstance(exc, OSError) and exc.errno == errno.EIO
    return timed_out(exc, elapsed_s, timeout_s) or io_error or isinstance(exc, EOFError)


def classify_open_error(
    exc: BaseException,
    url: str,
    display_url: str,
    elapsed_s: float,
    timeout_s: float,
    seen: Seen | None = None,
    played: bool = False,
    budget_s: float | None = None,
) -> SourceError:
    """The SourceError for a failed open. ``display_url`` is the masked URL used in every message; ``timeout_s``
    the open's own limit, ``budget_s`` the grab's (named in messages; default ``timeout_s``); ``seen`` what a
    second look at the server found; ``played``: this stream has given a picture here before."""
    shown = budget_s or timeout_s
    if isinstance(exc, av.HTTPUnauthorizedError | av.HTTPForbiddenError):
        return SourceOpenError(
            f"unauthorized (401/403) at {display_url}: check the user name and password",
            CameraStatus.unauthorized,
            Cause.unauthorized,
        )
    if isinstance(exc, av.HTTPNotFoundError):
        return not_found(display_url, played)
    if isinstance(exc, av.HTTPError):
        return SourceOpenError(
            f"server error at {display_url}: {_short(exc)}", CameraStatus.stream_error, Cause.server_error
        )
    if needs_encoding(url):
        return SourceOpenError(
            f"cannot open {display_url}: FFmpeg cannot read a password holding / ? or # as they are "
            "(percent-encode them: %2F %3F %23)",
            CameraStatus.unauthorized,
            Cause.password_encoding,
        )
    kind = url_kind(url)
    if kind == "rtsp" and isinstance(exc, OSError) and exc.errno == errno.EPROTONOSUPPORT:
        return TransportRefused(f"the RTSP server at {display_url} refused the transport (461 Unsupported transport)")
    if isinstance(exc, ConnectionRefusedError):
        return SourceOpenError(f"connection refused by {display_url}", CameraStatus.offline, Cause.refused)
    waited = timed_out(exc, elapsed_s, timeout_s)
    if isinstance(exc, av.InvalidDataError) and not waited:  # bytes came, and made no sense
        return _invalid_data(kind, display_url)
    if seen is not None and (by_sight := _by_sight(seen, kind, display_url, shown, waited)) is not None:
        return by_sight
    if waited:
        return SourceOpenError(
            f"no answer from {display_url} within {shown:g} s (timeout)", CameraStatus.offline, Cause.timeout
        )
    if isinstance(exc, ConnectionResetError | BrokenPipeError | ConnectionAbortedError):
        return SourceOpenError(f"connection reset by {display_url}", CameraStatus.offline, Cause.reset)
    if isinstance(exc, av.InvalidDataError):
        return _invalid_data(kind, display_url)
    if isinstance(exc, OSError) and not host_resolves(url):
        return SourceOpenError(f"host of {display_url} cannot be resolved (DNS)", CameraStatus.offline, Cause.dns)
    if isinstance(exc, OSError):
        return SourceOpenError(f"cannot open {display_url}: {_short(exc)}", CameraStatus.offline, Cause.unreachable)
    return SourceReadError(
        f"cannot open {display_url}: {type(exc).__name__}", CameraStatus.stream_error, Cause.invalid_data
    )


def not_found(display_url: str, played: bool) -> SourceError:
    """A 404: a path that never existed, or, where the stream played before, a publisher that stopped (media
    servers drop a stream's path, nginx its HLS playlist, once nobody publishes to it)."""
    if played:
        return SourceOpenError(
            f"not found (404) at {display_url}, where the stream played before: its publisher has stopped",
            CameraStatus.offline,
            Cause.publisher_gone,
        )
    return SourceOpenError(
        f"not found (404) at {display_url}: check the stream path", CameraStatus.not_found, Cause.not_found
    )


def _invalid_data(kind: str, display_url: str) -> SourceError:
    what = _INVALID_DATA.get(kind, "does not speak a stream protocol sitemon understands (invalid data)")
    return SourceReadError(f"{display_url} {what}", CameraStatus.stream_error, Cause.invalid_data)


def _by_sight(seen: Seen, kind: str, display_url: str, timeout_s: float, waited: bool) -> SourceError | None:
    """What the second look found, when it says more than FFmpeg did (``waited``: FFmpeg gave up waiting,
    rather than ending on what it was sent)."""
    if seen is Seen.not_protocol:
        what = _NOT_PROTOCOL.get(kind, "sends bytes that are not its protocol (invalid data)")
        return SourceReadError(f"{display_url} {what}", CameraStatus.stream_error, Cause.invalid_data)
    if seen is Seen.rtmp_rejected:
        return SourceOpenError(
            f"the RTMP server at {display_url} closed the connection at connect: it has no such application "
            "(check the first part of the path)",
            CameraStatus.not_found,
            Cause.not_found,
        )
    if seen in (Seen.rtmp_idle, Seen.rtmp_not_found):
        return SourceOpenError(
            f"nothing is published at {display_url}: is anything publishing to this stream name?",
            CameraStatus.offline,
            Cause.publisher_gone,
        )
    if seen is Seen.rtmp_live:
        return SourceReadError(
            f"{display_url} is published, but no key frame came within {timeout_s:g} s: "
            f"key frame interval longer than {timeout_s:g} s",
            CameraStatus.stream_error,
            Cause.no_keyframe,
        )
    if seen is Seen.speaks and not waited:  # it answers in its protocol, and what it sent was no stream
        return _invalid_data(kind, display_url)
    if seen is Seen.speaks:
        return SourceOpenError(
            f"{display_url} answers {_PROTOCOL.get(kind, 'its protocol')} but sent no picture within "
            f"{timeout_s:g} s (timeout)",
            CameraStatus.offline,
            Cause.timeout,
        )
    if seen is Seen.refused:
        return SourceOpenError(f"connection refused by {display_url}", CameraStatus.offline, Cause.refused)
    return None


def _short(exc: BaseException) -> str:
    # FFmpeg messages end with the (unmasked) URL in quotes; keep only the part before it.
    text = getattr(exc, "strerror", None) or str(exc)
    return str(text).split(": '", 1)[0]
