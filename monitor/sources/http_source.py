"""HTTP(S) cameras: a JPEG snapshot URL, or an MJPEG stream (multipart/x-mixed-replace), on httpx.

Credentials come from the URL's user info (``${VAR}`` expanded by the config). They are never sent in the
clear before the camera asks: the first request goes without them, and the camera's 401 challenge says
which scheme it takes, HTTP Digest (RFC 7616: Hikvision ISAPI, Dahua snapshot.cgi) or Basic.

One deadline covers the whole exchange (connect, headers, body): a camera that trickles its answer ends the
grab when the deadline passes, not when it stops sending. What a failure says follows what was seen:
nothing at all (timeout), bytes too slow for the deadline (timeout, with the count), bytes that are not HTTP
or not a picture (stream error), a picture that broke off (the connection closed mid-picture).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from typing import TypeVar

import cv2
import httpx
import numpy as np
import numpy.typing as npt

from monitor.core.redact import mask_url, split_url
from monitor.core.values import CameraStatus, Cause
from monitor.sources.base import FrameSource, SourceError, SourceOpenError, SourceReadError
from monitor.sources.deadline import Deadline
from monitor.sources.errors import host_resolves
from monitor.sources.http_auth import CameraAuth
from monitor.sources.http_transport import DeadlineTransport
from monitor.sources.jpeg import SOI, Body, body_kind, jpeg_length

T = TypeVar("T")
MAX_IMAGE_BYTES = 32 * 1024 * 1024
CHUNK = 64 * 1024
_STATUS_BY_CODE = {401: CameraStatus.unauthorized, 403: CameraStatus.unauthorized, 404: CameraStatus.not_found}


def split_credentials(url: str) -> tuple[str, tuple[str, str] | None]:
    """URL without user:password, and the (user, password) pair (read as redact reads them)."""
    parts = split_url(url)
    if parts is None or parts.userinfo is None:
        return url, None
    return parts.without_userinfo(), (parts.username or "", parts.password or "")


def first_jpeg(chunks: Iterator[bytes], deadline: Deadline, display_url: str) -> bytes:
    """The first complete JPEG in an MJPEG body (or in JPEGs sent one after another)."""
    buffer = bytearray()
    start = -1
    for chunk in chunks:
        buffer += chunk
        while True:
            if start < 0:
                start = buffer.find(SOI)
                if start < 0:
                    break
            try:
                length = jpeg_length(buffer, start)
            except ValueError:  # not a JPEG after all: look for the next start of image
                start = buffer.find(SOI, start + 2)
                continue
            if length is not None:
                return bytes(buffer[start : start + length])
            break
        if deadline.passed or len(buffer) >= MAX_IMAGE_BYTES:
            break
    raise SourceReadError(
        f"no complete JPEG in the MJPEG stream from {display_url}", CameraStatus.stream_error, Cause.invalid_data
    )


def read_body(chunks: Iterator[bytes], deadline: Deadline, display_url: str, limit: int = MAX_IMAGE_BYTES) -> bytes:
    body = bytearray()
    for chunk in chunks:
        body += chunk
        if len(body) > limit:
            raise SourceReadError(
                f"the answer from {display_url} is larger than {limit} bytes",
                CameraStatus.stream_error,
                Cause.too_large,
            )
        if deadline.passed:
            raise httpx.ReadTimeout("the grab's deadline passed")
    return bytes(body)


class HttpSource(FrameSource):
    def __init__(
        self, url: str, open_timeout_s: float = 10.0, read_timeout_s: float = 10.0, deadline_s: float | None = None
    ) -> None:
        """``deadline_s``: the whole grab, connect to last byte (default: open + read timeout)."""
        self._url, credentials = split_credentials(url)
        self._auth = CameraAuth(*credentials) if credentials else None
        self._open_timeout_s = open_timeout_s
        self._read_timeout_s = read_timeout_s
        self._deadline_s = deadline_s or open_timeout_s + read_timeout_s
        self.display_url = mask_url(url)

    def grab(self) -> npt.NDArray[np.uint8]:
        return decode_picture(self.fetch(), self.display_url)

    def fetch(self, deadline: Deadline | None = None) -> bytes:
        """The picture's bytes (a snapshot, or the first JPEG of an MJPEG stream); raises SourceError."""
        return self.exchange(deadline or Deadline(self._deadline_s), self._picture)

    def exchange(self, deadline: Deadline, read: Callable[[httpx.Response, Deadline], T]) -> T:
        """GET the URL (answering the camera's login challenge) and ``read`` the answer, all before ``deadline``;
        an answer of 400 or more, and every fault, is a classified SourceError."""
        transport = DeadlineTransport(deadline)
        timeout = httpx.Timeout(self._read_timeout_s, connect=self._open_timeout_s)
        display = self.display_url
        try:
            # Redirects are followed; httpx drops the Authorization header on a move to another origin.
            with (
                httpx.Client(transport=transport, timeout=timeout, follow_redirects=True, trust_env=False) as client,
                client.stream("GET", self._url, auth=self._auth, headers={"User-Agent": "sitemon"}) as response,
            ):
                if response.status_code >= 400:
                    raise self._refused(response.status_code)
                return read(response, deadline)
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
            raise self._too_slow(transport.received.bytes, deadline) from None
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

    def _picture(self, response: httpx.Response, deadline: Deadline) -> bytes:
        """The picture from an answer whose headers came: what its body is decides how much of it to read."""
        display = self.display_url
        chunks = response.iter_bytes(CHUNK)
        kind = Body.other
        try:
            head = next(chunks, b"")
            kind = body_kind(response.headers.get("Content-Type", ""), head)
            rest = itertools.chain([head], chunks)
            if kind is Body.mjpeg or (kind is Body.jpeg and "Content-Length" not in response.headers):
                return first_jpeg(rest, deadline, display)
            return read_body(rest, deadline, display)
        except httpx.TimeoutException:
            received = response.num_bytes_downloaded
            if kind is Body.other and received:
                raise SourceReadError(
                    f"{display} sent {received} bytes in {deadline.elapsed():.0f} s that are not a picture",
                    CameraStatus.stream_error,
                    Cause.invalid_data,
                ) from None
            raise SourceOpenError(
                f"no whole picture from {display} in {deadline.elapsed():.0f} s (timeout): {received} bytes of it came",
                CameraStatus.offline,
                Cause.timeout,
            ) from None
        except (httpx.RemoteProtocolError, httpx.ReadError) as exc:
            raise SourceOpenError(
                f"the picture from {display} broke off after {response.num_bytes_downloaded} bytes: "
                f"the camera closed the connection mid-picture ({type(exc).__name__})",
                CameraStatus.offline,
                Cause.reset,
            ) from None

    def _too_slow(self, received: int, deadline: Deadline) -> SourceError:
        if received:
            return SourceOpenError(
                f"{self.display_url} answered too slowly: {received} bytes in {deadline.elapsed():.0f} s "
                f"and no whole answer within {deadline.seconds:g} s (timeout)",
                CameraStatus.offline,
                Cause.timeout,
            )
        return SourceOpenError(
            f"no answer from {self.display_url} in {deadline.elapsed():.0f} s (timeout)",
            CameraStatus.offline,
            Cause.timeout,
        )

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
