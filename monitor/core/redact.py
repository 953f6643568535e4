"""Keep credentials and tokens out of everything a person can read.

Two layers, both failing closed:

- by structure: in a URL the user info, every query value, every ``;name=value`` path parameter and the
  fragment become ``***``. A password is often not percent-encoded (``p@ss/w#rd?x``), so the user info ends
  at the *last* ``@`` that a host name follows, not at the first ``/``, ``?`` or ``#``;
- by value: every secret sitemon knows of (each ``${VAR}`` expansion, each password, token and long query
  value of a configured URL) is replaced wherever it appears, raw or percent-encoded, so a library message
  that mangles a URL still leaks nothing.
"""

from __future__ import annotations

import base64
import logging
import re
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from urllib.parse import quote, quote_plus, unquote

MASK = "***"
HIDDEN = "[hidden]"
"""What a viewer reads where a URL was: not even its host or path."""
MIN_SECRET_LENGTH = 4
"""Shorter values are too common to replace in free text; inside a URL the structure still masks them."""
MIN_QUERY_SECRET_LENGTH = 8
"""Query values are masked in every URL; only long ones (tokens, not ``channel=1``) are scrubbed from text."""
MIN_TOKEN_LENGTH = 16
"""User info without a password is a token only when it is this long (``https://TOKEN@host``)."""

_SCHEME = re.compile(r"[a-zA-Z][a-zA-Z0-9+.-]*://")
_HOST_PORT = re.compile(r"(?:\[[0-9A-Fa-f:.]+\]|[\w.-]+)(?::\d*)?")
_URL_END = re.compile(r"[\s'\"<>]")
_PERCENT = re.compile(r"%([0-9A-Fa-f]{2})")


@dataclass(frozen=True)
class UrlParts:
    """A URL cut where sitemon reads it, even when its password breaks RFC 3986."""

    scheme: str
    userinfo: str | None
    host: str
    path: str
    query: str | None
    fragment: str | None

    @property
    def username(self) -> str | None:
        return None if self.userinfo is None else unquote(self.userinfo.partition(":")[0])

    @property
    def password(self) -> str | None:
        if self.userinfo is None or ":" not in self.userinfo:
            return None
        return unquote(self.userinfo.partition(":")[2])

    def basic_auth(self) -> str | None:
        """The ``Authorization`` header value for the user info, if there is one."""
        if self.userinfo is None:
            return None
        pair = f"{self.username or ''}:{self.password or ''}"
        return "Basic " + base64.b64encode(pair.encode()).decode()

    def without_userinfo(self) -> str:
        query = "" if self.query is None else f"?{self.query}"
        fragment = "" if self.fragment is None else f"#{self.fragment}"
        return f"{self.scheme}://{self.host}{self.path}{query}{fragment}"


def _authority_end(rest: str, start: int) -> int:
    ends = [i for i in (rest.find(c, start) for c in "/?#") if i >= 0]
    return min(ends, default=len(rest))


def _userinfo_end(rest: str) -> int:
    """Index of the ``@`` closing the user info: the last one a host[:port] follows (else the last one)."""
    last = rest.rfind("@")
    at = last
    while at >= 0:
        if _HOST_PORT.fullmatch(rest[at + 1 : _authority_end(rest, at + 1)]):
            return at
        at = rest.rfind("@", 0, at)
    return last


def split_url(url: str) -> UrlParts | None:
    """``scheme://[userinfo@]host[:port][/path][?query][#fragment]``; None for a path without a scheme.

    An ``@`` in a path or query is read as the end of the user info: write it as ``%40`` there.
    """
    match = _SCHEME.match(url)
    if match is None:
        return None
    rest = url[match.end() :]
    userinfo = None
    at = _userinfo_end(rest)
    if at >= 0:
        userinfo, rest = rest[:at], rest[at + 1 :]
    end = _authority_end(rest, 0)
    host, tail = rest[:end], rest[end:]
    tail, hash_, fragment = tail.partition("#")
    path, question, query = tail.partition("?")
    return UrlParts(
        url[: match.end() - 3], userinfo, host, path, query if question else None, fragment if hash_ else None
    )


def needs_encoding(url: str) -> bool:
    """True when the user info holds ``/ ? #`` as they are: sitemon reads it, FFmpeg cannot (FFmpeg, like
    sitemon, takes the last ``@`` before the path, so an ``@`` is fine)."""
    parts = split_url(url)
    return parts is not None and parts.userinfo is not None and any(c in parts.userinfo for c in "/?#")


def _mask_params(text: str, separator: str) -> str:
    """Every ``name=value`` keeps its name; a bare item may be a token itself, so it goes entirely."""
    items = []
    for item in text.split(separator):
        name, equals, _ = item.partition("=")
        items.append(f"{name}={MASK}" if equals else (MASK if item else ""))
    return separator.join(items)


def _mask_segment(segment: str) -> str:
    name, semicolon, params = segment.partition(";")
    return f"{name};{_mask_params(params, ';')}" if semicolon else name


def mask_url(url: str) -> str:
    """``url`` with its password, every query value, path parameter and fragment replaced by ``***``.

    The user name stays (operators need to know which account a camera uses), unless the user info has
    no ``:`` (then it may be a token and goes entirely). A file path is returned with known secrets scrubbed.
    """
    parts = split_url(url)
    if parts is None:
        return scrub(url)
    userinfo = ""
    if parts.userinfo is not None:
        user, colon, _ = parts.userinfo.partition(":")
        userinfo = f"{user}:{MASK}@" if colon else f"{MASK}@"
    path = "/".join(_mask_segment(segment) for segment in parts.path.split("/"))
    query = "" if parts.query is None else "?" + _mask_params(parts.query, "&")
    fragment = "" if parts.fragment is None else f"#{MASK}"
    masked = f"{parts.scheme}://{userinfo}{parts.host}{path}{query}{fragment}"
    return scrub(re.sub(r"\s", lambda m: quote(m[0]), masked))


def _url_spans(text: str) -> Iterable[tuple[int, int]]:
    """Where each URL in free text starts and ends. A URL whose password holds a space or a quote runs to
    the last ``@`` before the next URL on its line: better too much masked than a password shown."""
    starts = [m.start() for m in _SCHEME.finditer(text)]
    for index, start in enumerate(starts):
        limit = starts[index + 1] if index + 1 < len(starts) else len(text)
        newline = text.find("\n", start, limit)
        limit = newline if newline >= 0 else limit
        body = text.index("://", start) + 3
        at = _userinfo_end(text[body:limit])
        host_from = body + at + 1 if at >= 0 else body
        end = _URL_END.search(text, host_from, limit)
        yield start, end.start() if end else limit


def redact_text(text: str) -> str:
    """``text`` with known secrets scrubbed and every URL in it masked (see :func:`mask_url`)."""
    return _map_urls(scrub(text), mask_url) if text else text


def strip_urls(text: str) -> str:
    """``text`` for a viewer: known secrets scrubbed and every URL replaced by ``[hidden]``."""
    return _map_urls(scrub(text), lambda _: HIDDEN) if text else text


def _map_urls(text: str, replace: Callable[[str], str]) -> str:
    out: list[str] = []
    position = 0
    for start, end in _url_spans(text):
        if start < position:
            continue
        out += [text[position:start], replace(text[start:end])]
        position = end
    out.append(text[position:])
    return "".join(out)


# Known secret values ------------------------------------------------------------------------------------
_lock = threading.Lock()
_secrets: set[str] = set()
_pattern: re.Pattern[str] | None = None


def _forms(value: str) -> set[str]:
    """The value as written, decoded, and percent-encoded the ways URL libraries encode it."""
    forms = {value, unquote(value)}
    forms |= {quote(v, safe=safe) for v in tuple(forms) for safe in ("", "/", ":@")} | {quote_plus(value)}
    return forms


def _regex(form: str) -> str:
    # %2f and %2F are the same byte: match percent escapes in either case.
    return _PERCENT.sub(lambda m: f"%(?i:{m[1]})", re.escape(form))


def add_secret(value: str | None, min_length: int = MIN_SECRET_LENGTH) -> None:
    """Scrub ``value`` (and its encoded forms) from every text redacted from now on."""
    global _pattern
    if not value or len(value) < min_length:
        return
    with _lock:
        new = {f for f in _forms(value) if len(f) >= min_length} - _secrets
        if not new:
            return
        _secrets.update(new)
        ordered = sorted(_secrets, key=len, reverse=True)  # the longest first: no half-replaced secret
        _pattern = re.compile("|".join(_regex(f) for f in ordered))


def add_url_secrets(url: str) -> None:
    """Know the secrets a URL carries: its user info, password, long query values and path parameters."""
    parts = split_url(url)
    if parts is None:
        return
    if parts.userinfo is not None:
        add_secret(parts.userinfo.partition(":")[2])  # as written; its decoded forms come with it
        if parts.password is None:
            add_secret(parts.userinfo, MIN_TOKEN_LENGTH)  # a token as the user name
        user = parts.username or ""
        add_secret(base64.b64encode(f"{user}:{parts.password or ''}".encode()).decode())
    params = [p for segment in parts.path.split("/") for p in segment.split(";")[1:]]
    for item in (parts.query or "").split("&") + params:
        add_secret(item.partition("=")[2] or item, MIN_QUERY_SECRET_LENGTH)
    add_secret(parts.fragment, MIN_QUERY_SECRET_LENGTH)


def forget_secrets() -> None:
    """Tests only: start over with no known secret."""
    global _pattern
    with _lock:
        _secrets.clear()
        _pattern = None


def scrub(text: str) -> str:
    """``text`` with every known secret replaced by ``***``."""
    pattern = _pattern
    return pattern.sub(MASK, text) if pattern is not None else text


class RedactingFilter(logging.Filter):
    """A logging filter that masks credentials in the final message, whatever logged it."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact_text(message)
        if cleaned != message:
            record.msg = cleaned
            record.args = None
        if record.exc_info and record.exc_info[1] is not None:
            exc_text = logging.Formatter().formatException(record.exc_info)
            record.exc_text = redact_text(exc_text)
        return True
