"""HTTP(S) cameras: a JPEG snapshot URL, or an MJPEG stream (multipart/x-mixed-replace), on httpx.

Credentials come from the URL's user info (``${VAR}`` expanded by the config). They are never sent in the
clear before the camera asks: the first request goes without them, and the camera's 401 challenge says
which scheme it takes, HTTP Digest (RFC 7616: Hikvision ISAPI, Dahua snapshot.cgi) or Basic.
"""

from __future__ import annotations

import time
from collections.abc import Generator, Iterator

import cv2
import httpx
import numpy as np
import numpy.typing as npt

from monitor.core.redact import mask_url, split_url
from monitor.core.values import CameraStatus, Cause
from monitor.sources.base import FrameSource, SourceOpenError, SourceReadError
from monitor.sources.errors import host_resolves

MAX_IMAGE_BYTES = 32 * 1024 * 1024
CHUNK = 64 * 1024
_STATUS_BY_CODE = {401: CameraStatus.unauthorized, 403: CameraStatus.unauthorized, 404: CameraStatus.not_found}


def split_credentials(url: str) -> tuple[str, tuple[str, str] | None]:
    """URL without user:password, and the (user, password) pair (read as redact reads them)."""
    parts = split_url(url)
    if parts is None or parts.userinfo is None:
        return url, None
    return parts.without_userinfo(), (parts.username or "", parts.password or "")


class CameraAuth(httpx.Auth):
    """Answer the camera's challenge: Digest when it asks for Digest, else Basic. Never sent unasked."""

    def __init__(self, username: str, password: str) -> None:
        self._basic = httpx.BasicAuth(username, password)
        self._digest = httpx.DigestAuth(username, password)
        self.scheme = ""
        """The scheme the camera asked for ("Digest" / "Basic"), once it asked."""

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        response = yield request
        if response.status_code != 401:
            return
        challenges = [c.lower() for c in response.headers.get_list("www-authenticate")]
        if any(c.startswith("digest ") for c in challenges):
            self.scheme = "Digest"
            flow = self._digest.auth_flow(request)
            next(flow)  # the unauthenticated request, already answered: hand the flow its 401
            authenticated = flow.send(response)
        else:
            self.scheme = "Basic"
            authenticated = next(self._basic.auth_flow(request))
        yield authenticated


def first_jpeg(chunks: Iterator[bytes], deadline: float, display_url: str) -> bytes:
    """The first complete JPEG (SOI..EOI) in a multipart MJPEG body."""
    buffer = b""
    for chunk in chunks:
        buffer += chunk
        start = buffer.find(b"\xff\xd8")
        if start >= 0:
            end = buffer.find(b"\xff\xd9", start + 2)
            if end >= 0:
                return bytes(buffer[start : end + 2])
        if time.monotonic() >= deadline or len(buffer) >= MAX_IMAGE_BYTES:
            break
    raise SourceReadError(
        f"no complete JPEG in the MJPEG stream from {display_url}", CameraStatus.stream_error, Cause.invalid_data
    )


def read_body(chunks: Iterator[bytes], deadline: float, display_url: str) -> bytes:
    body = b""
    for chunk in chunks:
        body += chunk
        if len(body) > MAX_IMAGE_BYTES:
            raise SourceReadError(
                f"image from {display_url} is larger than {MAX_IMAGE_BYTES} bytes",
                CameraStatus.stream_error,
                Cause.too_large,
            )
        if time.monotonic() >= deadline:
            raise SourceOpenError(
                f"no whole picture from {display_url} in time (timeout)", CameraStatus.offline, Cause.timeout
            )
    return body


class HttpSource(FrameSource):
    def __init__(self, url: str, open_timeout_s: float = 10.0, read_timeout_s: float = 10.0) -> None:
        self._url, credentials = split_credentials(url)
        self._auth = CameraAuth(*credentials) if credentials else None
        self._open_timeout_s = open_timeout_s
        self._read_timeout_s = read_timeout_s
        self.display_url = mask_url(url)

    def grab(self) -> npt.NDArray[np.uint8]:
        return decode_picture(self.fetch(), self.display_url)

    def fetch(self) -> bytes:
        """The picture's bytes (a snapshot, or the first JPEG of an MJPEG stream); raises SourceError."""
        timeout = httpx.Timeout(self._read_timeout_s, connect=self._open_timeout_s)
        deadline = time.monotonic() + self._open_timeout_s + self._read_timeout_s
        display = self.display_url
        try:
            # Redirects are followed; httpx drops the Authorization header on a move to another origin.
            with (
                httpx.Client(timeout=timeout, follow_redirects=True, trust_env=False) as client,
                client.stream("GET", self._url, auth=self._auth, headers={"User-Agent": "sitemon"}) as response,
            ):
                if response.status_code >= 400:
                    raise self._refused(response.status_code)
                chunks = response.iter_bytes(CHUNK)
                if response.headers.get("Content-Type", "").startswith("multipart/"):
                    return first_jpeg(chunks, deadline, display)
                return read_body(chunks, deadline, display)
        except httpx.ConnectError as exc:
            if isinstance(exc.__cause__, ConnectionRefusedError) or "refused" in str(exc).lower():
                raise SourceOpenError(f"connection refused by {display}", CameraStatus.offline, Cause.refused) from None
            if not host_resolves(self._url):
                raise SourceOpenError(
                    f"host of {display} cannot be resolved (DNS)", CameraStatus.offline, Cause.dns
                ) from None
            raise SourceOpenError(
                f"cannot reach {display}: {type(exc).__name__}", CameraStatus.offline, Cause.unreachable
            ) from None
        except httpx.TimeoutException:
            raise SourceOpenError(f"no answer from {display} (timeout)", CameraStatus.offline, Cause.timeout) from None
        except (httpx.RemoteProtocolError, httpx.DecodingError, httpx.TooManyRedirects) as exc:
            raise SourceOpenError(
                f"{display} did not answer in HTTP: {type(exc).__name__}", CameraStatus.stream_error, Cause.invalid_data
            ) from None
        except httpx.HTTPError as exc:
            raise SourceOpenError(
                f"connection to {display} failed: {type(exc).__name__}", CameraStatus.offline, Cause.unreachable
            ) from None
        except (httpx.InvalidURL, ValueError):
            raise SourceOpenError(
                f"{display} is not a URL sitemon can read: check its host and port",
                CameraStatus.stream_error,
                Cause.bad_url,
            ) from None

    def _refused(self, code: int) -> SourceOpenError:
        status = _STATUS_BY_CODE.get(code, CameraStatus.stream_error)
        if code == 401 and self._auth is not None:
            scheme = self._auth.scheme or "no"
            why = f"user name or password refused ({scheme} auth): check the camera's credentials"
        elif code == 401:
            why = "the camera wants a user name and password (give them in the URL, e.g. ${CAM_PASSWORD})"
        else:
            why = ""
        cause = {CameraStatus.unauthorized: Cause.unauthorized, CameraStatus.not_found: Cause.not_found}.get(
            status, Cause.server_error
        )
        return SourceOpenError(f"HTTP {code} from {self.display_url}" + (f": {why}" if why else ""), status, cause)


def decode_picture(body: bytes, display_url: str) -> npt.NDArray[np.uint8]:
    image = cv2.imdecode(np.frombuffer(body, np.uint8), cv2.IMREAD_COLOR)
    if image is None:
        raise SourceReadError(
            f"response from {display_url} is not a decodable image", CameraStatus.stream_error, Cause.invalid_data
        )
    return np.ascontiguousarray(image)
