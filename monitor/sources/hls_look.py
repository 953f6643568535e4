"""A look at an HLS playlist before FFmpeg plays it: what a 404, a stale live playlist or a server that does
not speak HTTP means is read here from the playlist's own answer.

FFmpeg reports a segment that is gone as the same 404 as a playlist that never existed, and it plays a live
playlist whose publisher stopped as if it were live, handing out its last, old picture. A live playlist is
rewritten with every segment (at least once per target duration); one unchanged for several target durations
has lost its publisher.
"""

from __future__ import annotations

import email.utils
import re
from dataclasses import dataclass

import httpx

from monitor.core.values import CameraStatus, Cause
from monitor.sources.base import SourceError, SourceOpenError, SourceReadError
from monitor.sources.deadline import Deadline
from monitor.sources.errors import not_found
from monitor.sources.http_source import HttpSource, read_body

MAX_PLAYLIST_BYTES = 1024 * 1024
STALE_TARGET_DURATIONS = 3
STALE_MIN_S = 10.0
"""Last-Modified counts whole seconds, and a slow disk may lag a segment: never stale under 10 s."""
_TARGET = re.compile(r"#EXT-X-TARGETDURATION:\s*(\d+(?:\.\d+)?)")


@dataclass(frozen=True)
class Playlist:
    live: bool
    """A media playlist still being written: segments, no #EXT-X-ENDLIST, not a VOD."""
    target_s: float | None
    unchanged_s: float | None
    """Seconds since the server last changed it (its Date less its Last-Modified), when it says both."""

    @property
    def stale(self) -> bool:
        if not self.live or self.target_s is None or self.unchanged_s is None:
            return False
        return self.unchanged_s > max(STALE_TARGET_DURATIONS * self.target_s, STALE_MIN_S)


def check_playlist(url: str, deadline: Deadline, played: bool) -> None:
    """Raise the SourceError the playlist's own answer shows; return when FFmpeg should play it."""
    source = HttpSource(url, deadline.seconds, deadline.seconds)
    try:
        playlist = source.exchange(deadline, lambda answer, left: _read(answer, left, source.display_url))
    except SourceError as exc:
        if exc.cause is Cause.not_found:
            raise not_found(source.display_url, played) from None
        if exc.cause is Cause.unreachable:
            return  # e.g. a certificate httpx does not trust: FFmpeg, which does not check it, has its turn
        raise
    if playlist.stale:
        raise SourceOpenError(
            f"the live playlist at {source.display_url} has not changed for {playlist.unchanged_s:.0f} s "
            f"(segments of {playlist.target_s:g} s): its publisher has stopped",
            CameraStatus.offline,
            Cause.publisher_gone,
        )


def _read(response: httpx.Response, deadline: Deadline, display: str) -> Playlist:
    text = read_body(response.iter_bytes(), deadline, display, MAX_PLAYLIST_BYTES).decode("utf-8", "replace")
    if not text.lstrip("\ufeff \r\n").startswith("#EXTM3U"):
        raise SourceReadError(
            f"{display} is not an HLS playlist (it does not start with #EXTM3U)",
            CameraStatus.stream_error,
            Cause.invalid_data,
        )
    live = "#EXTINF" in text and "#EXT-X-ENDLIST" not in text and "#EXT-X-PLAYLIST-TYPE:VOD" not in text
    target = _TARGET.search(text)
    return Playlist(live, float(target.group(1)) if target else None, _unchanged_s(response))


def _unchanged_s(response: httpx.Response) -> float | None:
    date, modified = response.headers.get("Date"), response.headers.get("Last-Modified")
    if not date or not modified:
        return None
    try:
        return (email.utils.parsedate_to_datetime(date) - email.utils.parsedate_to_datetime(modified)).total_seconds()
    except (TypeError, ValueError):
        return None
