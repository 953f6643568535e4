"""A look at an HLS playlist before FFmpeg plays it: what a 404, a stale live playlist or a server that does
not speak HTTP means is read here from the playlist's own answer.

FFmpeg reports a segment that is gone as the same 404 as a playlist that never existed, and it plays a live
playlist whose publisher stopped as if it were live, handing out its last, old picture. A live playlist is
rewritten with every segment (at least once per target duration); one unchanged for several target durations
has lost its publisher.
"""

from __future__ import annotations

import email.utils
import itertools
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


def check_playlist(url: str, deadline: Deadline, timeouts: tuple[float, float], played: bool) -> None:
    """Raise the SourceError the playlist's own answer shows; return when FFmpeg should play it. ``timeouts``:
    the camera's (open, read), within ``deadline``; ``played``: the stream gave a picture here before."""
    source = HttpSource(url, *timeouts)
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
    chunks = response.iter_bytes()
    head = next(chunks, b"")
    if not head.lstrip(b"\xef\xbb\xbf \r\n").startswith(b"#EXTM3U"):  # told at once: an endless stream is no list
        raise SourceReadError(
            f"{display} is not an HLS playlist (it does not start with #EXTM3U)",
            CameraStatus.stream_error,
            Cause.invalid_data,
        )
    body = read_body(itertools.chain([head], chunks), deadline, display, MAX_PLAYLIST_BYTES)
    text = body.decode("utf-8", "replace")
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
