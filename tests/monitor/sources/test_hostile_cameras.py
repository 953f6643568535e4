"""Hostile cameras of our own against every kind of source: each fault ends in the status and cause of what
the server did, within the grab's deadline plus a second, and leaves no thread behind."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator

import pytest

from monitor.core.values import CameraStatus, Cause
from monitor.sources import SourceError
from monitor.sources.av_stream import StreamSnapshotSource
from monitor.sources.base import FrameSource
from monitor.sources.http_source import HttpSource
from tests.fixtures.hostile_servers import BEHAVIOURS, hostile_server
from tests.fixtures.servers import free_port, wait_for

pytestmark = [pytest.mark.slow]
OPEN_S = READ_S = 1.5
DEADLINE_S = OPEN_S + READ_S
PATHS = {
    "http": "/snap.jpg",
    "rtsp": "/live",
    "http-flv": "/live/cam.flv",
    "hls": "/live/cam.m3u8",
    "rtmp": "/live/cam",
}
ONLINE = (CameraStatus.online, None)
TIMEOUT = (CameraStatus.offline, Cause.timeout)
INVALID = (CameraStatus.stream_error, Cause.invalid_data)

EXPECTED: dict[tuple[str, str], tuple[CameraStatus, Cause | None]] = {
    ("http", "silent"): TIMEOUT,
    ("http", "trickle"): TIMEOUT,
    ("http", "garbage forever"): INVALID,
    ("http", "garbage once"): INVALID,
    ("http", "closes mid-frame"): (CameraStatus.offline, Cause.reset),
    ("http", "html login page"): INVALID,
    ("http", "404"): (CameraStatus.not_found, Cause.not_found),
    ("http", "silent after 10 s"): ONLINE,
    ("rtsp", "silent"): TIMEOUT,
    ("rtsp", "trickle"): INVALID,  # it trickles HTTP: not RTSP
    ("rtsp", "garbage forever"): INVALID,
    ("rtsp", "garbage once"): INVALID,
    ("http-flv", "silent"): TIMEOUT,
    ("http-flv", "trickle"): TIMEOUT,
    ("http-flv", "garbage forever"): INVALID,
    ("http-flv", "garbage once"): INVALID,
    ("http-flv", "html login page"): INVALID,
    ("http-flv", "404"): (CameraStatus.not_found, Cause.not_found),
    ("http-flv", "silent after 10 s"): INVALID,  # an MJPEG page where an FLV stream was expected
    ("hls", "silent"): TIMEOUT,
    ("hls", "trickle"): TIMEOUT,
    ("hls", "garbage forever"): INVALID,
    ("hls", "garbage once"): INVALID,
    ("hls", "html login page"): INVALID,
    ("hls", "404"): (CameraStatus.not_found, Cause.not_found),
    ("hls", "silent after 10 s"): INVALID,
    ("rtmp", "silent"): TIMEOUT,
    ("rtmp", "garbage forever"): INVALID,
    ("rtmp", "garbage once"): INVALID,
    ("rtmp", "html login page"): INVALID,
}


def _source(kind: str, port: int) -> FrameSource:
    scheme = {"rtsp": "rtsp", "rtmp": "rtmp"}.get(kind, "http")
    url = f"{scheme}://viewer:Hostile-Pw-3@127.0.0.1:{port}{PATHS[kind]}"
    if kind == "http":
        return HttpSource(url, OPEN_S, READ_S)
    return StreamSnapshotSource(url, OPEN_S, READ_S)


def _ours() -> int:
    """Threads of this process but the hostile servers' own."""
    return sum(1 for t in threading.enumerate() if not t.name.startswith("hostile"))


@pytest.fixture(scope="module")
def servers() -> Iterator[dict[str, int]]:
    with contextlib.ExitStack() as stack:
        yield {name: stack.enter_context(hostile_server(b)) for name, b in BEHAVIOURS.items()}


@pytest.mark.parametrize(("kind", "behaviour"), list(EXPECTED), ids=[f"{k}-{b}" for k, b in EXPECTED])
def test_each_hostile_camera_ends_in_what_it_did_within_the_deadline(
    servers: dict[str, int], kind: str, behaviour: str
) -> None:
    status, cause = EXPECTED[kind, behaviour]
    threads = _ours()
    started = time.monotonic()
    try:
        image = _source(kind, servers[behaviour]).grab()
        got: tuple[CameraStatus, Cause | None] = (CameraStatus.online, None)
        reason = ""
        assert image.size
    except SourceError as exc:
        got, reason = (exc.status, exc.cause), str(exc)
    elapsed = time.monotonic() - started
    assert got == (status, cause), reason
    assert "Hostile-Pw-3" not in reason
    assert elapsed < DEADLINE_S + 1, f"{elapsed:.1f} s: {reason}"
    assert wait_for(lambda: _ours() <= threads, 5), threading.enumerate()


@pytest.mark.parametrize("kind", ["http", "rtsp", "rtmp", "hls", "http-flv"])
def test_a_refused_port_is_offline_at_once(kind: str) -> None:
    with pytest.raises(SourceError) as info:
        _source(kind, free_port()).grab()
    assert (info.value.status, info.value.cause) == (CameraStatus.offline, Cause.refused), info.value
