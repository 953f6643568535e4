"""One JSON POST to a receiver (the scheduling system, the alert webhook): a 2xx, or a PostError.

Redirects are not followed: a 3xx is a failed attempt with its reason. Following one would hand the bearer
token to whatever host the answer names, and would turn the POST into a GET without its body anyway.
"""

from __future__ import annotations

import urllib.error
import urllib.request
from typing import Any

from monitor.core.redact import split_url


class PostError(Exception):
    """The receiver did not take the body. ``reason`` names what happened and never holds the URL."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # urllib then raises HTTPError with the 3xx code


_OPENER = urllib.request.build_opener(_NoRedirect)


def post(url: str, body: bytes, headers: dict[str, str], timeout: float) -> None:
    """POST ``body``; ``user:password@`` in the URL becomes Basic auth unless a token is sent already."""
    parts = split_url(url)
    if parts is not None and parts.userinfo is not None:
        url, auth = parts.without_userinfo(), parts.basic_auth()
        if auth is not None and "Authorization" not in headers:
            headers = {**headers, "Authorization": auth}
    request = urllib.request.Request(url, body, headers, method="POST")
    try:
        with _OPENER.open(request, timeout=timeout) as response:
            status = response.status
    except urllib.error.HTTPError as exc:
        moved = " (redirect not followed)" if 300 <= exc.code < 400 else ""
        raise PostError(f"HTTP {exc.code}{moved}") from None
    except urllib.error.URLError as exc:
        reason = exc.reason if isinstance(exc.reason, BaseException) else exc
        raise PostError(type(reason).__name__) from None
    except Exception as exc:  # a reply that is not HTTP (BadStatusLine), a bad URL...: one failed attempt
        raise PostError(type(exc).__name__) from None
    if not 200 <= status < 300:
        raise PostError(f"HTTP {status}")


def failure(exc: PostError, display_url: str) -> str:
    """Why a POST failed, for the outbox row and the log (the URL masked by the caller)."""
    return f"{exc.reason} from {display_url}"
