"""Every way a camera fails, against the real GStreamer RTSP server: the right status and reason,
within the timeout, and no thread left behind."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from monitor.core.values import CameraStatus, Cause
from monitor.sources import SourceError
from monitor.sources.av_stream import StreamSnapshotSource
from monitor.sources.persistent import PersistentStreamSource
from monitor.sources.video_file import VideoFileSource
from tests.fixtures import videos
from tests.fixtures.clock import fixed
from tests.fixtures.servers import SAMPLE_VIDEO, RtspServer, free_port, rtsp_server, wait_for

pytestmark = [pytest.mark.slow, pytest.mark.rtsp]
TIMEOUT = 2.0


@pytest.fixture(scope="module")
def media(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("media")
    return {
        "still": videos.still(d / "still.mp4"),
        "clock": videos.still(d / "clock.mp4", ticking_clock=True),
        "truncated": videos.truncated(d / "truncated.mp4"),
        "corrupt": videos.corrupt(d / "corrupt.mp4"),
    }


@pytest.fixture(scope="module")
def server(media: dict[str, Path]) -> Iterator[RtspServer]:
    with rtsp_server({"/live": SAMPLE_VIDEO, "/still": media["still"], "/clock": media["clock"]}) as s:
        yield s


@pytest.fixture(scope="module")
def auth_server() -> Iterator[RtspServer]:
    with rtsp_server({"/live": SAMPLE_VIDEO}, auth="viewer:s3cret-pw") as s:
        yield s


@pytest.fixture(scope="module")
def broken_server(media: dict[str, Path]) -> Iterator[RtspServer]:
    # Apart from the others: the server never finishes preparing these and stops answering.
    with rtsp_server({"/truncated": media["truncated"], "/corrupt": media["corrupt"]}) as s:
        yield s


@pytest.fixture(scope="module")
def stall_port() -> Iterator[int]:
    """Accepts TCP connections and never says a word."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)
    yield sock.getsockname()[1]
    sock.close()


@pytest.fixture(scope="module")
def garbage_port() -> Iterator[int]:
    """Answers every connection with bytes that are not RTSP."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)
    sock.settimeout(0.2)
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = sock.accept()
            except TimeoutError:
                continue
            with conn:
                conn.settimeout(1)
                try:
                    conn.recv(4096)
                    conn.sendall(b"SSH-2.0-OpenSSH_9.2\r\n" + bytes(range(256)) * 8)
                except OSError:
                    pass

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield sock.getsockname()[1]
    stop.set()
    thread.join(2)
    sock.close()


Case = tuple[str, Callable[..., str], CameraStatus, str]
CASES: list[Case] = [
    ("server down", lambda **k: f"rtsp://127.0.0.1:{free_port()}/live", CameraStatus.offline, "connection refused"),
    ("unknown mount", lambda server, **k: server.url("/nope"), CameraStatus.not_found, "not found (404)"),
    ("stall", lambda stall_port, **k: f"rtsp://127.0.0.1:{stall_port}/live", CameraStatus.offline, "timeout"),
    (
        "garbage",
        lambda garbage_port, **k: f"rtsp://127.0.0.1:{garbage_port}/x",
        CameraStatus.stream_error,
        "invalid data",
    ),
    ("no credentials", lambda auth_server, **k: auth_server.url("/live"), CameraStatus.unauthorized, "401"),
    (
        "wrong password",
        lambda auth_server, **k: auth_server.url("/live").replace("rtsp://", "rtsp://viewer:WRONGpw@"),
        CameraStatus.unauthorized,
        "rtsp://viewer:***@",
    ),
    (
        "password not percent-encoded",
        lambda auth_server, **k: auth_server.url("/live").replace("rtsp://", "rtsp://viewer:WRONGpw/x#y@"),
        CameraStatus.unauthorized,
        "percent-encode them",
    ),
    ("unknown host", lambda **k: "rtsp://camera.invalid/live", CameraStatus.offline, "DNS"),
    (
        "truncated file served",
        lambda broken_server, **k: broken_server.url("/truncated"),
        CameraStatus.offline,
        "timeout",
    ),
]


CAUSES = {
    "server down": Cause.refused,
    "unknown mount": Cause.not_found,
    "stall": Cause.timeout,
    "garbage": Cause.invalid_data,
    "no credentials": Cause.unauthorized,
    "wrong password": Cause.unauthorized,
    "password not percent-encoded": Cause.password_encoding,
    "unknown host": Cause.dns,
    "truncated file served": Cause.timeout,
}
"""The machine-readable cause each fault carries beside its words."""


@pytest.mark.parametrize(("name", "url_of", "status", "reason"), CASES, ids=[c[0] for c in CASES])
def test_each_fault_ends_in_its_status_within_the_timeout(
    request: pytest.FixtureRequest, name: str, url_of: Callable[..., str], status: CameraStatus, reason: str
) -> None:
    needs = url_of.__code__.co_varnames[: url_of.__code__.co_argcount]
    url = url_of(**{n: request.getfixturevalue(n) for n in needs})
    threads = threading.active_count()
    started = time.monotonic()
    with pytest.raises(SourceError) as info:
        StreamSnapshotSource(url, TIMEOUT, TIMEOUT).grab()
    elapsed = time.monotonic() - started
    assert info.value.status is status, info.value
    assert info.value.cause is CAUSES[name], info.value
    assert reason in str(info.value)
    assert "WRONGpw" not in str(info.value)
    assert elapsed < 2 * TIMEOUT + 1
    assert wait_for(lambda: threading.active_count() <= threads, 5)


@pytest.mark.parametrize("kind", ["truncated", "corrupt"])
def test_a_broken_video_file_is_a_stream_error(media: dict[str, Path], kind: str) -> None:
    with pytest.raises(SourceError) as info:
        VideoFileSource(str(media[kind]), fixed()).grab()
    assert info.value.status is CameraStatus.stream_error
    assert "no decodable frame" in str(info.value)


def test_the_right_password_gets_a_frame(auth_server: RtspServer) -> None:
    url = auth_server.url("/live").replace("rtsp://", "rtsp://viewer:s3cret-pw@")
    assert StreamSnapshotSource(url, TIMEOUT, TIMEOUT).grab().shape == (352, 640, 3)


def test_a_persistent_stream_hands_out_the_newest_frame(server: RtspServer) -> None:
    source = PersistentStreamSource(server.url("/clock"), TIMEOUT, TIMEOUT)
    try:
        first = source.grab()
        time.sleep(1.2)
        later = source.grab()
    finally:
        source.close()
    x, y, w, h = videos.CLOCK_BOX
    assert (first[y : y + h, x : x + w] != later[y : y + h, x : x + w]).any()  # the clock moved on
    assert not source.alive


def test_the_server_killed_mid_stream_then_restarted(tmp_path: Path) -> None:
    port = free_port()
    threads = threading.active_count()
    with rtsp_server({"/live": SAMPLE_VIDEO}, port=port) as first:
        source = PersistentStreamSource(first.url("/live"), TIMEOUT, TIMEOUT, backoff_initial_s=0.2, backoff_max_s=0.5)
        assert source.grab().shape == (352, 640, 3)
    # The server is gone: within the read timeout the camera is offline, with a reason.
    started = time.monotonic()
    status = None
    while time.monotonic() - started < 3 * TIMEOUT:
        try:
            source.grab()
        except SourceError as exc:
            status, reason = exc.status, str(exc)
            break
        time.sleep(0.1)
    assert status is CameraStatus.offline, status
    assert "refused" in reason or "broke off" in reason or "ended" in reason or "no frame" in reason
    with rtsp_server({"/live": SAMPLE_VIDEO}, port=port):
        assert wait_for(lambda: _grabs(source), 10), "did not reconnect"
        assert source.reconnects >= 1
    source.close()
    assert wait_for(lambda: threading.active_count() <= threads, 5)


def _grabs(source: PersistentStreamSource) -> bool:
    try:
        source.grab()
    except SourceError:
        return False
    return True
