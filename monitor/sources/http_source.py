"""HTTP(S) cameras: a JPEG snapshot URL, or an MJPEG stream (multipart/x-mixed-replace)."""

from __future__ import annotations

import http.client
import socket
import time
import urllib.error
import urllib.request
from typing import Any
from urllib.parse import urlsplit

import cv2
import numpy as np
import numpy.typing as npt

from monitor.core.redact import mask_url, split_url
from monitor.core.values import CameraStatus
from monitor.sources.base import FrameSource, SourceOpenError, SourceReadError
from monitor.sources.errors import host_resolves

MAX_IMAGE_BYTES = 32 * 1024 * 1024
CHUNK = 64 * 1024
_STATUS_BY_CODE = {401: CameraStatus.unauthorized, 403: CameraStatus.unauthorized, 404: CameraStatus.not_found}


def split_credentials(url: str) -> tuple[str, str | None]:
    """URL without user:password, and the Basic auth header value for them (read as redact reads them)."""
    parts = split_url(url)
    if parts is None or parts.userinfo is None:
        return url, None
    return parts.without_userinfo(), parts.basic_auth()


def origin(url: str) -> tuple[str, str, int | None] | None:
    parts = urlsplit(url)
    try:
        port = parts.port or {"http": 80, "https": 443}.get(parts.scheme.lower())
    except ValueError:
        return None
    return parts.scheme.lower(), (parts.hostname or "").lower(), port


class SameOriginAuth(urllib.request.HTTPRedirectHandler):
    """Follow a camera's redirect, but send its password only to the origin it was configured for."""

    def redirect_request(
        self, req: urllib.request.Request, fp: Any, code: int, msg: str, headers: Any, newurl: str
    ) -> urllib.request.Request | None:
        new = super().redirect_request(req, fp, code, msg, headers, newurl)
        if new is not None and (origin(new.full_url) is None or origin(new.full_url) != origin(req.full_url)):
            new.remove_header("Authorization")
        return new


_OPENER = urllib.request.build_opener(SameOriginAuth)


def first_jpeg(read: Any, deadline: float, display_url: str) -> bytes:
    """The first complete JPEG (SOI..EOI) in a multipart MJPEG body."""
    buffer = b""
    while time.monotonic() < deadline and len(buffer) < MAX_IMAGE_BYTES:
        chunk = read(CHUNK)
        if not chunk:
            break
        buffer += chunk
        start = buffer.find(b"\xff\xd8")
        if start >= 0:
            end = buffer.find(b"\xff\xd9", start + 2)
            if end >= 0:
                return bytes(buffer[start : end + 2])
    raise SourceReadError(f"no complete JPEG in the MJPEG stream from {display_url}", CameraStatus.stream_error)


class HttpSource(FrameSource):
    def __init__(self, url: str, open_timeout_s: float = 10.0, read_timeout_s: float = 10.0) -> None:
        self._raw_url = url
        self._url, self._auth = split_credentials(url)
        self._open_timeout_s = open_timeout_s
        self._read_timeout_s = read_timeout_s
        self.display_url = mask_url(url)

    def grab(self) -> npt.NDArray[np.uint8]:
        request = urllib.request.Request(self._url, headers={"User-Agent": "sitemon"})
        if self._auth:
            request.add_header("Authorization", self._auth)
        deadline = time.monotonic() + self._open_timeout_s + self._read_timeout_s
        try:
            with _OPENER.open(request, timeout=self._open_timeout_s) as response:
                content_type = response.headers.get("Content-Type", "")
                if content_type.startswith("multipart/"):
                    body = first_jpeg(response.read1, deadline, self.display_url)
                else:
                    body = response.read(MAX_IMAGE_BYTES + 1)
        except urllib.error.HTTPError as exc:
            status = _STATUS_BY_CODE.get(exc.code, CameraStatus.stream_error)
            raise SourceOpenError(f"HTTP {exc.code} from {self.display_url}", status) from None
        except TimeoutError:
            raise SourceOpenError(f"no answer from {self.display_url} (timeout)", CameraStatus.offline) from None
        except urllib.error.URLError as exc:
            reason = exc.reason
            if isinstance(reason, ConnectionRefusedError):
                raise SourceOpenError(f"connection refused by {self.display_url}") from None
            if isinstance(reason, TimeoutError | socket.timeout):
                raise SourceOpenError(f"no answer from {self.display_url} (timeout)") from None
            if not host_resolves(self._url):
                raise SourceOpenError(f"host of {self.display_url} cannot be resolved (DNS)") from None
            raise SourceOpenError(f"cannot reach {self.display_url}: {type(reason).__name__}") from None
        except OSError as exc:
            raise SourceOpenError(f"connection to {self.display_url} failed: {type(exc).__name__}") from None
        except (http.client.HTTPException, ValueError) as exc:
            raise SourceOpenError(
                f"{self.display_url} did not answer in HTTP: {type(exc).__name__}", CameraStatus.stream_error
            ) from None
        if len(body) > MAX_IMAGE_BYTES:
            raise SourceReadError(f"image from {self.display_url} is larger than {MAX_IMAGE_BYTES} bytes")
        image = cv2.imdecode(np.frombuffer(body, np.uint8), cv2.IMREAD_COLOR)
        if image is None:
            raise SourceReadError(
                f"response from {self.display_url} is not a decodable image", CameraStatus.stream_error
            )
        return np.ascontiguousarray(image)
