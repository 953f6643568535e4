"""HTTP(S) snapshot URLs: one JPEG per request."""

from __future__ import annotations

import base64
import urllib.error
import urllib.request
from urllib.parse import unquote, urlsplit, urlunsplit

import cv2
import numpy as np
import numpy.typing as npt

from monitor.redact import mask_url
from monitor.sources.base import FrameSource, SourceOpenError, SourceReadError
from monitor.types import CameraStatus

MAX_SNAPSHOT_BYTES = 32 * 1024 * 1024


def split_credentials(url: str) -> tuple[str, str | None]:
    """URL without user:password, and the Basic auth header value for them."""
    parts = urlsplit(url)
    if parts.username is None:
        return url, None
    host = parts.netloc.rsplit("@", 1)[1]
    token = base64.b64encode(f"{unquote(parts.username)}:{unquote(parts.password or '')}".encode()).decode()
    return urlunsplit((parts.scheme, host, parts.path, parts.query, parts.fragment)), f"Basic {token}"


class HttpSnapshotSource(FrameSource):
    def __init__(self, url: str, timeout_s: float = 10.0) -> None:
        self._url, self._auth = split_credentials(url)
        self._timeout_s = timeout_s
        self.display_url = mask_url(url)

    def grab(self) -> npt.NDArray[np.uint8]:
        request = urllib.request.Request(self._url, headers={"User-Agent": "sitemon"})
        if self._auth:
            request.add_header("Authorization", self._auth)
        try:
            with urllib.request.urlopen(request, timeout=self._timeout_s) as response:
                body = response.read(MAX_SNAPSHOT_BYTES + 1)
        except urllib.error.HTTPError as exc:
            status = {
                401: CameraStatus.unauthorized,
                403: CameraStatus.unauthorized,
                404: CameraStatus.not_found,
            }
            raise SourceOpenError(
                f"HTTP {exc.code} from {self.display_url}", status.get(exc.code, CameraStatus.offline)
            ) from None
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise SourceOpenError(f"cannot reach {self.display_url}: {reason}") from None
        if len(body) > MAX_SNAPSHOT_BYTES:
            raise SourceReadError(f"snapshot from {self.display_url} is larger than {MAX_SNAPSHOT_BYTES} bytes")
        image = cv2.imdecode(np.frombuffer(body, np.uint8), cv2.IMREAD_COLOR)
        if image is None:
            raise SourceReadError(f"response from {self.display_url} is not a decodable image")
        return np.ascontiguousarray(image)
