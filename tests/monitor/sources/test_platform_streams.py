"""Platform streams (GB/T 28181 media servers, cloud video): HLS and HTTP-FLV from a real local HTTP
server, RTMP from nginx's RTMP module, with ffmpeg cutting the sample footage; faults included."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from monitor.config import CameraConfig, SamplingConfig
from monitor.core.values import CameraKey, CameraStatus
from monitor.sources import SourceError
from monitor.sources.av_stream import StreamSnapshotSource
from monitor.sources.http_source import HttpSource
from monitor.sources.persistent import PersistentStreamSource
from monitor.sources.provider import SourceProvider
from tests.fixtures.clock import fixed
from tests.fixtures.servers import free_port
from tests.fixtures.stream_servers import live_hls, make_media, media_server, rtmp_available, rtmp_server

pytestmark = [pytest.mark.slow]
TIMEOUT = 2.0
SHAPE = (352, 640, 3)
TOKEN = "tok-4f1c9a7e5d2b"


@pytest.fixture(scope="module")
def media(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_media(tmp_path_factory.mktemp("platform"))


@pytest.fixture(scope="module")
def web(media: Path) -> Iterator[str]:
    with media_server(media) as base:
        yield base


@pytest.fixture(scope="module")
def stall_port() -> Iterator[int]:
    """Accepts TCP connections and never says a word."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)
    yield sock.getsockname()[1]
    sock.close()


@pytest.mark.parametrize("path", ["/hls/index.m3u8", f"/hls/index.m3u8?token={TOKEN}", "/cam.flv", "/live/cam.flv"])
def test_hls_and_http_flv_give_the_picture(web: str, path: str) -> None:
    started = time.monotonic()
    assert StreamSnapshotSource(web + path, TIMEOUT, TIMEOUT).grab().shape == SHAPE
    assert time.monotonic() - started < 2 * TIMEOUT  # a live FLV that never ends still answers at once


@pytest.mark.parametrize(
    ("path", "status", "reason"),
    [
        ("/nope.m3u8", CameraStatus.not_found, "not found (404)"),
        ("/broken.m3u8", CameraStatus.stream_error, "not a playable HLS playlist"),
        ("/gone/index.m3u8", CameraStatus.stream_error, "not a playable HLS playlist"),
        ("/live/nope.flv", CameraStatus.not_found, "not found (404)"),
        ("/hls/index0.ts.flv", CameraStatus.not_found, "not found (404)"),
    ],
)
def test_platform_faults(web: str, path: str, status: CameraStatus, reason: str) -> None:
    url = web.replace("http://", "http://viewer:Pw-Secret-77@") + path + f"?token={TOKEN}"
    started = time.monotonic()
    with pytest.raises(SourceError) as info:
        StreamSnapshotSource(url, TIMEOUT, TIMEOUT).grab()
    assert info.value.status is status
    assert reason in str(info.value)
    assert "Pw-Secret-77" not in str(info.value) and TOKEN not in str(info.value)
    assert time.monotonic() - started < 2 * TIMEOUT


def test_a_platform_that_never_answers_times_out(stall_port: int) -> None:
    started = time.monotonic()
    with pytest.raises(SourceError, match="timeout") as info:
        StreamSnapshotSource(f"http://127.0.0.1:{stall_port}/live/cam.flv", TIMEOUT, TIMEOUT).grab()
    assert info.value.status is CameraStatus.offline
    assert time.monotonic() - started < 2 * TIMEOUT + 1


@pytest.mark.parametrize("scheme_path", ["http://127.0.0.1:{port}/hls/index.m3u8", "rtmp://127.0.0.1:{port}/live/cam"])
def test_a_refused_port_is_offline(scheme_path: str) -> None:
    with pytest.raises(SourceError, match="connection refused") as info:
        StreamSnapshotSource(scheme_path.format(port=free_port()), TIMEOUT, TIMEOUT).grab()
    assert info.value.status is CameraStatus.offline


@pytest.mark.parametrize(
    ("url", "kind"),
    [
        ("https://platform/live/34020000001320000001.flv?token=x", StreamSnapshotSource),
        ("http://platform/hls/cam/index.m3u8", StreamSnapshotSource),
        ("rtmp://platform/live/cam", StreamSnapshotSource),
        ("http://cam/ISAPI/Streaming/channels/101/picture", HttpSource),
    ],
)
def test_the_provider_reads_platform_urls_as_streams(url: str, kind: type) -> None:
    camera = CameraConfig.model_validate({"id": "c", "url": url})
    source = SourceProvider(SamplingConfig(), fixed()).acquire(CameraKey("s", "c"), camera)
    assert type(source) is kind


@pytest.fixture(scope="module")
def rtmp(media: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if not rtmp_available():
        pytest.skip("nginx with the RTMP module (libnginx-mod-rtmp) is not installed")
    with rtmp_server(tmp_path_factory.mktemp("nginx"), {"cam": media / "cam.flv"}) as base:
        yield base


def test_rtmp_gives_the_picture(rtmp: str) -> None:
    assert StreamSnapshotSource(rtmp + "/live/cam", 5, 5).grab().shape == SHAPE


def test_rtmp_kept_open_hands_out_frames(rtmp: str) -> None:
    source = PersistentStreamSource(rtmp + "/live/cam", 5, 5)
    try:
        assert source.grab().shape == SHAPE
    finally:
        source.close()


def test_an_rtmp_stream_nobody_publishes_is_offline_with_a_hint(rtmp: str) -> None:
    started = time.monotonic()
    with pytest.raises(SourceError, match="is anything publishing") as info:
        StreamSnapshotSource(rtmp + "/live/nobody", TIMEOUT, TIMEOUT).grab()
    assert info.value.status is CameraStatus.offline
    assert time.monotonic() - started < 2 * TIMEOUT + 1


def test_a_live_hls_playlist_gives_the_picture(tmp_path: Path) -> None:
    with live_hls(tmp_path / "live") as playlist, media_server(tmp_path) as base:
        assert "#EXT-X-ENDLIST" not in playlist.read_text()  # a live window, reloaded by the client
        started = time.monotonic()
        image = StreamSnapshotSource(base + "/live/index.m3u8", 5, 5).grab()
    assert image.shape == SHAPE
    assert time.monotonic() - started < 5
