"""One JSON POST to a receiver (the scheduling system, the alert webhook): a 2xx or an exception."""

from __future__ import annotations

import urllib.error
import urllib.request

POST_ERRORS = (urllib.error.URLError, OSError, TimeoutError)


def post(url: str, body: bytes, headers: dict[str, str], timeout: float) -> None:
    request = urllib.request.Request(url, body, headers, method="POST")
    with urllib.request.urlopen(request, timeout=timeout) as response:
        if not 200 <= response.status < 300:
            raise OSError(f"HTTP {response.status}")


def failure(exc: BaseException, display_url: str) -> str:
    """Why a POST failed, for the outbox row and the log (the URL masked by the caller)."""
    reason = f"HTTP {exc.code}" if isinstance(exc, urllib.error.HTTPError) else type(exc).__name__
    return f"{reason} from {display_url}"
