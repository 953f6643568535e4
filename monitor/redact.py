"""Keep camera credentials and tokens out of everything a person can read."""

from __future__ import annotations

import logging
import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

MASK = "***"
_SECRET_QUERY_KEYS = frozenset({"password", "pass", "pwd", "passwd", "token", "key", "apikey", "secret", "auth"})
# user:password@ inside any URL-looking text, e.g. an OpenCV or FFmpeg message.
_USERINFO = re.compile(r"(?P<scheme>[a-zA-Z][a-zA-Z0-9+.-]*://)(?P<user>[^:/@\s]*):(?P<pw>[^@/\s]+)@")
_QUERY_SECRET = re.compile(
    r"(?P<k>[?&](?:" + "|".join(sorted(_SECRET_QUERY_KEYS)) + r"))=(?P<v>[^&\s]+)", re.IGNORECASE
)


def mask_url(url: str) -> str:
    """Return ``url`` with its password and secret query values replaced by ``***``.

    The user name stays: operators need it to tell which account a camera uses.
    """
    try:
        parts = urlsplit(url)
    except ValueError:
        return redact_text(url)
    if not parts.scheme or not parts.netloc:
        return redact_text(url)
    netloc = parts.netloc
    if parts.password is not None:
        host = netloc.rsplit("@", 1)[1]
        netloc = f"{parts.username or ''}:{MASK}@{host}"
    query = parts.query
    if query:
        pairs = [(k, MASK if k.lower() in _SECRET_QUERY_KEYS else v) for k, v in parse_qsl(query, True)]
        query = urlencode(pairs, safe="*")
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


def redact_text(text: str) -> str:
    """Mask every ``scheme://user:password@`` and ``?token=...`` found anywhere in ``text``."""
    text = _USERINFO.sub(lambda m: f"{m['scheme']}{m['user']}:{MASK}@", text)
    return _QUERY_SECRET.sub(lambda m: f"{m['k']}={MASK}", text)


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
