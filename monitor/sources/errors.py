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
    "hls": "is not a playable HLS playlist (a broken playlist, or segments it lists are missing)",
    "http-flv": "did not send an FLV stream (invalid data)",
    "rtmp": "did not speak RTMP (invalid data)",
}


def classify_open_error(
    exc: BaseException, url: str, display_url: str, elapsed_s: float, timeout_s: float
) -> SourceError:
    """The SourceError for a failed open. ``display_url`` is the masked URL used in every message."""
    if isinstance(exc, av.HTTPUnauthorizedError | av.HTTPForbiddenError):
        return SourceOpenError(
            f"unauthorized (401/403) at {display_url}: check the user name and password",
            CameraStatus.unauthorized,
            Cause.unauthorized,
        )
    if isinstance(exc, av.HTTPNotFoundError):
        return SourceOpenError(
            f"not found (404) at {display_url}: check the stream path", CameraStatus.not_found, Cause.not_found
        )
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
    if elapsed_s >= timeout_s * 0.9 or isinstance(exc, TimeoutError):
        hint = ": is anything publishing to this stream name?" if kind == "rtmp" else ""
        return SourceOpenError(
            f"no answer from {display_url} within {timeout_s:g} s (timeout){hint}", CameraStatus.offline, Cause.timeout
        )
    if isinstance(exc, ConnectionResetError | BrokenPipeError | ConnectionAbortedError):
        return SourceOpenError(f"connection reset by {display_url}", CameraStatus.offline, Cause.reset)
    if isinstance(exc, av.InvalidDataError):
        what = _INVALID_DATA.get(kind, "does not speak a stream protocol sitemon understands (invalid data)")
        return SourceReadError(f"{display_url} {what}", CameraStatus.stream_error, Cause.invalid_data)
    if isinstance(exc, OSError) and not host_resolves(url):
        return SourceOpenError(f"host of {display_url} cannot be resolved (DNS)", CameraStatus.offline, Cause.dns)
    if isinstance(exc, OSError):
        return SourceOpenError(f"cannot open {display_url}: {_short(exc)}", CameraStatus.offline, Cause.unreachable)
    return SourceReadError(
        f"cannot open {display_url}: {type(exc).__name__}", CameraStatus.stream_error, Cause.invalid_data
    )


def _short(exc: BaseException) -> str:
    # FFmpeg messages end with the (unmasked) URL in quotes; keep only the part before it.
    text = getattr(exc, "strerror", None) or str(exc)
    return str(text).split(": '", 1)[0]
