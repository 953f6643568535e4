"""One JSON POST to a receiver (the scheduling system, the alert webhook) on httpx: a 2xx, or a PostError.

Redirects are not followed: a 3xx is a failed attempt with its reason. Following one would hand the bearer
token to whatever host the answer names, and would turn the POST into a GET without its body anyway.
A failure's reason is a status (``HTTP 503``) or the name of what went wrong underneath
(``ConnectionRefusedError``, ``TimeoutError``, ``RemoteProtocolError`` for a reply that is not HTTP): never
the exception's text, which may quote the URL and its secrets.
"""

from __future__ import annotations

import httpx

from monitor.core.redact import split_url


class PostError(Exception):
    """The receiver did not take the body. ``reason`` names what happened and never holds the URL."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def client(timeout: float) -> httpx.Client:
    """A client for one round of POSTs: no redirects, ``timeout`` for connecting, writing and reading."""
    return httpx.Client(follow_redirects=False, timeout=httpx.Timeout(timeout))


def reason_of(exc: BaseException) -> str:
    """The name of the failure underneath ``exc``: the deepest OSError in its chain (a refused connection, a
    timeout, an unknown host), else the exception's own class."""
    found: BaseException = exc
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, OSError):
            found = current
        current = current.__cause__ or current.__context__
    if isinstance(found, httpx.TimeoutException):
        return "TimeoutError"
    return type(found).__name__


def post(url: str, body: bytes, headers: dict[str, str], timeout: float, via: httpx.Client | None = None) -> None:
    """POST ``body``; ``user:password@`` in the URL becomes Basic auth unless a token is sent already."""
    parts = split_url(url)
    if parts is not None and parts.userinfo is not None:
        url, auth = parts.without_userinfo(), parts.basic_auth()
        if auth is not None and "Authorization" not in headers:
            headers = {**headers, "Authorization": auth}
    http = client(timeout) if via is None else via
    try:
        status = http.post(url, content=body, headers=headers, timeout=timeout).status_code
    except Exception as exc:  # refused, timed out, not HTTP, a bad URL...: one failed attempt
        raise PostError(reason_of(exc)) from None
    finally:
        if via is None:
            http.close()
    if 300 <= status < 400:
        raise PostError(f"HTTP {status} (redirect not followed)")
    if not 200 <= status < 300:
        raise PostError(f"HTTP {status}")


def failure(exc: PostError, display_url: str) -> str:
    """Why a POST failed, for the outbox row and the log (the URL masked by the caller)."""
    return f"{exc.reason} from {display_url}"
