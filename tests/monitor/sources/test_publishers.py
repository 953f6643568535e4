"""What a stream's publisher does, against the real servers: key frames further apart than a timeout, a
publisher that stopped, a wrong RTMP application (nginx-rtmp, nginx's HLS), a camera joined mid-GOP
(GStreamer) and VLC's RTSP server kept open. Each says what happened, not a neighbouring fault."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from monitor.core.values import CameraStatus, Cause
from monitor.sources import SourceError
from monitor.sources.av_stream import StreamHistory, StreamSnapshotSource
from monitor.sources.persistent import PersistentStreamSource
from tests.fixtures import videos
from tests.fixtures.servers import SAMPLE_VIDEO, rtsp_server, vlc_rtsp_server
from tests.fixtures.stream_servers import Nginx, nginx_rtmp, publishing, rtmp_available

pytestmark = [pytest.mark.slow]
SHAPE = (352, 640, 3)


@pytest.fixture(scope="module")
def media(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("gops")
    gop8 = videos.keyframes_every(d / "gop8.flv", 8)
    return {
        "gop1": videos.keyframes_every(d / "gop1.flv", 1),
        "gop8": gop8,
        "gop40": videos.keyframes_every(d / "gop40.flv", 40),
        "late": videos.late_keyframe(d / "late.mp4", videos.keyframes_every(d / "gop10.mp4", 10), 3),
    }


@pytest.fixture(scope="module")
def nginx(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Nginx]:
    if not rtmp_available():
        pytest.skip("nginx with the RTMP module (libnginx-mod-rtmp) is not installed")
    with nginx_rtmp(tmp_path_factory.mktemp("nginx"), hls=True) as server:
        yield server


def _fault(grab: object) -> SourceError:
    with pytest.raises(SourceError) as info:
        grab()  # type: ignore[operator]
    return info.value


def test_an_rtmp_stream_with_8_s_key_frames_gives_its_picture_within_the_deadline(
    nginx: Nginx, media: dict[str, Path]
) -> None:
    # Open and read timeouts of 5 s: the deadline (10 s) covers the wait for the next key frame, every time.
    with publishing(nginx.rtmp + "/live/gop8", media["gop8"]):
        for _ in range(3):
            started = time.monotonic()
            assert StreamSnapshotSource(nginx.rtmp + "/live/gop8", 5, 5).grab().shape == SHAPE
            assert time.monotonic() - started < 10 + 1
            time.sleep(1.3)


def test_an_rtmp_stream_whose_key_frames_come_slower_than_the_deadline_says_so(
    nginx: Nginx, media: dict[str, Path]
) -> None:
    with publishing(nginx.rtmp + "/live/gop40", media["gop40"]):  # its first key frame went out at once
        started = time.monotonic()
        fault = _fault(StreamSnapshotSource(nginx.rtmp + "/live/gop40", 2, 2).grab)
        elapsed = time.monotonic() - started
    assert (fault.status, fault.cause) == (CameraStatus.stream_error, Cause.no_keyframe), fault
    assert "key frame interval longer than 4 s" in str(fault)
    assert "is anything publishing" not in str(fault)
    assert elapsed < 4 + 1


def test_an_rtmp_stream_nobody_publishes_asks_whether_anything_does(nginx: Nginx) -> None:
    fault = _fault(StreamSnapshotSource(nginx.rtmp + "/live/nobody", 2, 2).grab)
    assert (fault.status, fault.cause) == (CameraStatus.offline, Cause.publisher_gone), fault
    assert "is anything publishing to this stream name?" in str(fault)


def test_an_rtmp_application_the_server_does_not_have_is_not_found(nginx: Nginx) -> None:
    fault = _fault(StreamSnapshotSource(nginx.rtmp + "/wrongapp/cam", 2, 2).grab)
    assert (fault.status, fault.cause) == (CameraStatus.not_found, Cause.not_found), fault
    assert "no such application" in str(fault) and "Input/output error" not in str(fault)


def test_a_persistent_rtmp_stream_with_slow_key_frames_says_so(nginx: Nginx, media: dict[str, Path]) -> None:
    with publishing(nginx.rtmp + "/live/gop40p", media["gop40"]):
        source = PersistentStreamSource(nginx.rtmp + "/live/gop40p", 2, 2, keyframe_wait_s=2)
        try:
            fault = _fault(source.grab)
        finally:
            source.close()
    assert (fault.status, fault.cause) == (CameraStatus.stream_error, Cause.no_keyframe), fault
    assert "key frame interval longer than" in str(fault)


def test_nginx_hls_after_its_publisher_stopped_is_a_publisher_gone_not_a_wrong_path(
    nginx: Nginx, media: dict[str, Path]
) -> None:
    url = nginx.http + "/hls/site7.m3u8"
    history = StreamHistory()
    with publishing(nginx.rtmp + "/live/site7", media["gop1"], settle_s=4):
        assert StreamSnapshotSource(url, 3, 3, history=history).grab().shape == SHAPE
    # nginx leaves the live playlist as it was (no #EXT-X-ENDLIST): after three target durations it is stale.
    time.sleep(11)
    stale = _fault(StreamSnapshotSource(url, 3, 3, history=history).grab)
    assert (stale.status, stale.cause) == (CameraStatus.offline, Cause.publisher_gone), stale
    assert "has not changed for" in str(stale)
    # nginx's clean-up then deletes the playlist and its segments: a 404 where the stream played before.
    for file in (nginx.folder / "hls").glob("site7*"):
        file.unlink()
    gone = _fault(StreamSnapshotSource(url, 3, 3, history=history).grab)
    assert (gone.status, gone.cause) == (CameraStatus.offline, Cause.publisher_gone), gone
    never = _fault(StreamSnapshotSource(url, 3, 3).grab)  # a path that never played here
    assert (never.status, never.cause) == (CameraStatus.not_found, Cause.not_found), never
    assert "check the stream path" in str(never)


def test_a_camera_joined_mid_gop_is_not_offline_but_slow_key_frames(media: dict[str, Path]) -> None:
    with rtsp_server({"/late": media["late"]}) as server:  # P-frames first, the first key frame 7 s in
        started = time.monotonic()
        snapshot = _fault(StreamSnapshotSource(server.url("/late"), 2, 2).grab)
        elapsed = time.monotonic() - started
        source = PersistentStreamSource(server.url("/late"), 2, 2, keyframe_wait_s=3)
        try:
            persistent = _fault(source.grab)
        finally:
            source.close()
    assert (snapshot.status, snapshot.cause) == (CameraStatus.stream_error, Cause.no_keyframe), snapshot
    assert elapsed < 4 + 1
    assert (persistent.status, persistent.cause) == (CameraStatus.stream_error, Cause.no_keyframe), persistent
    assert "key frame interval longer than 3 s" in str(persistent)


def test_a_persistent_stream_from_vlc_is_connected_on_its_first_key_frame() -> None:
    with vlc_rtsp_server(SAMPLE_VIDEO) as url:
        for _ in range(2):
            source = PersistentStreamSource(url, 5, 5)
            try:
                assert source.grab().shape == SHAPE  # the first grab waits for the first key frame
                time.sleep(1)
                assert source.grab().shape == SHAPE
            finally:
                source.close()
