"""`sitemon cameras probe` as a user runs it, against real local cameras: the GStreamer RTSP server,
a digest HTTP camera and an HLS platform; exit 0 ok, 1 fault, 2 bad arguments."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import cv2
import pytest

from tests.fixtures.digest_camera import digest_camera
from tests.fixtures.hostile_servers import BEHAVIOURS, hostile_server, trickle
from tests.fixtures.servers import SAMPLE_VIDEO, RtspServer, free_port, rtsp_server
from tests.fixtures.stream_servers import make_media, media_server
from tests.helpers import config_dict, write_config
from tests.monitor.fakes import textured

pytestmark = [pytest.mark.slow, pytest.mark.rtsp]
ROOT = Path(__file__).resolve().parents[2]
JPEG = cv2.imencode(".jpg", textured(90, 120))[1].tobytes()


def _probe(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    full_env = os.environ | {"PYTHONPATH": str(ROOT)} | (env or {})
    command = [sys.executable, "-m", "monitor.cli", "cameras", "probe", *args]
    return subprocess.run(command, capture_output=True, text=True, env=full_env, timeout=120)


@pytest.fixture(scope="module")
def rtsp() -> Iterator[RtspServer]:
    with rtsp_server({"/live": SAMPLE_VIDEO}, only="udp") as server:
        yield server


@pytest.fixture(scope="module")
def hls(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with media_server(make_media(tmp_path_factory.mktemp("media"))) as base:
        yield base + "/hls/index.m3u8"


def test_probe_a_url_prints_what_the_camera_sends_and_saves_it(rtsp: RtspServer, tmp_path: Path) -> None:
    result = _probe(rtsp.url("/live"), "--timeout", "5", "--snapshots", str(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    assert "status: online" in out and "codec: h264" in out and "resolution: 640x352" in out
    assert "first frame: " in out and "frame rate: " in out
    assert "transport: udp" in out and "note: RTSP over UDP: the server refuses TCP" in out
    image = cv2.imread(str(tmp_path / "probe.jpg"))
    assert image is not None and image.shape == (352, 640, 3)


def test_probe_a_digest_camera_with_a_wrong_password_is_a_fault(tmp_path: Path) -> None:
    with digest_camera("admin", "Right-Pass-1", JPEG) as base:
        url = base.replace("http://", "http://admin:${CAM_PW}@") + "/cgi-bin/snapshot.cgi"
        good = _probe(url, "--snapshots", str(tmp_path), env={"CAM_PW": "Right-Pass-1"})
        bad = _probe(url, "--snapshots", str(tmp_path / "bad"), env={"CAM_PW": "Wrong-Pass-2"})
    assert good.returncode == 0, good.stdout + good.stderr
    assert "codec: jpeg" in good.stdout and "resolution: 120x90" in good.stdout
    assert bad.returncode == 1
    assert "status: unauthorized" in bad.stdout and "fault: HTTP 401" in bad.stdout and "Digest" in bad.stdout
    assert "Wrong-Pass" not in bad.stdout + bad.stderr and "Right-Pass" not in good.stdout + good.stderr
    assert not (tmp_path / "bad").exists()


def test_probe_the_whole_config_prints_a_table_of_every_camera(rtsp: RtspServer, hls: str, tmp_path: Path) -> None:
    refused = f"rtmp://127.0.0.1:{free_port()}/live/cam"
    config = write_config(tmp_path / "c.yaml", config_dict([rtsp.url("/live"), hls, refused]))
    result = _probe("--config", str(config), "--timeout", "5", "--snapshots", str(tmp_path / "snaps"))
    assert result.returncode == 1, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split()[:4] == ["site", "camera", "status", "codec"]
    rows = {line.split()[0]: line for line in lines[1:4]}
    assert rows["site1"].split()[2:5] == ["online", "h264", "640x352"] and "RTSP over UDP" in rows["site1"]
    assert rows["site2"].split()[2:5] == ["online", "h264", "640x352"]
    assert rows["site3"].split()[2] == "offline" and "connection refused" in rows["site3"]
    assert "2 of 3 camera(s) answered" in lines[4]
    assert sorted(p.name for p in (tmp_path / "snaps").iterdir()) == ["site1_cam1.jpg", "site2_cam1.jpg"]


def test_probe_one_camera_of_the_config(hls: str, tmp_path: Path) -> None:
    config = write_config(tmp_path / "c.yaml", config_dict([str(SAMPLE_VIDEO), hls]))
    result = _probe("--config", str(config), "--site", "site2", "--camera", "cam1", "--snapshots", str(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "kind: hls" in result.stdout and "resolution: 640x352" in result.stdout
    assert (tmp_path / "site2_cam1.jpg").is_file()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["rtsp://cam/1", "--site", "site1"], "not both"),
        (["--camera", "cam1"], "--camera needs --site"),
        (["--site", "nowhere"], "no site 'nowhere'"),
        (["--site", "site1", "--camera", "nocam"], "no camera 'nocam' at site 'site1'"),
        (["ftp://cam/1"], "unsupported URL scheme"),
        (["rtsp://cam/1", "--timeout", "0"], "--timeout must be more than 0"),
    ],
)
def test_bad_arguments_exit_2(args: list[str], message: str, tmp_path: Path) -> None:
    config = write_config(tmp_path / "c.yaml", config_dict([str(SAMPLE_VIDEO)]))
    result = _probe(*args, "--config", str(config))
    assert result.returncode == 2
    assert message in result.stderr


def _timed(*args: str) -> tuple[subprocess.CompletedProcess[str], float]:
    started = time.monotonic()
    result = _probe(*args)
    return result, time.monotonic() - started


def test_probe_of_a_camera_that_trickles_its_headers_returns_within_its_timeout(tmp_path: Path) -> None:
    # The time a probe takes to start and stop, measured on a refused port, is not the camera's.
    _, startup = _timed(f"http://127.0.0.1:{free_port()}/snap.jpg", "--timeout", "5", "--snapshots", str(tmp_path))
    with hostile_server(trickle) as port:
        result, elapsed = _timed(f"http://127.0.0.1:{port}/snap.jpg", "--timeout", "5", "--snapshots", str(tmp_path))
    assert result.returncode == 1, result.stdout + result.stderr
    assert "status: offline" in result.stdout and "answered too slowly" in result.stdout
    assert elapsed - startup <= 5 + 1, (elapsed, startup)


HOSTILE = {  # (behaviour, URL path): the status each camera of the hostile set ends in
    ("silent", "rtsp:/live"): "offline",
    ("silent", "http:/snap.jpg"): "offline",
    ("silent", "http:/live/cam.flv"): "offline",
    ("silent", "http:/live/cam.m3u8"): "offline",
    ("silent", "rtmp:/live/cam"): "offline",
    ("trickle", "http:/snap.jpg"): "offline",
    ("trickle", "http:/live/cam.flv"): "offline",
    ("trickle", "http:/live/cam.m3u8"): "offline",
    ("garbage forever", "rtsp:/live"): "stream_error",
    ("garbage forever", "http:/snap.jpg"): "stream_error",
    ("garbage forever", "http:/live/cam.flv"): "stream_error",
    ("garbage once", "rtmp:/live/cam"): "stream_error",
    ("closes mid-frame", "http:/snap.jpg"): "offline",
    ("html login page", "http:/snap.jpg"): "stream_error",
    ("404", "http:/live/cam.flv"): "not_found",
    ("silent after 10 s", "http:/video.mjpg"): "online",
}


def test_probe_of_the_hostile_set_returns_within_its_timeout_for_every_camera(tmp_path: Path) -> None:
    _, startup = _timed(f"http://127.0.0.1:{free_port()}/snap.jpg", "--timeout", "5", "--snapshots", str(tmp_path))
    with contextlib.ExitStack() as stack:
        ports = {name: stack.enter_context(hostile_server(BEHAVIOURS[name])) for name, _ in HOSTILE}
        urls = [f"{where.split(':')[0]}://127.0.0.1:{ports[name]}{where.split(':')[1]}" for name, where in HOSTILE]
        urls.append(f"rtsp://127.0.0.1:{free_port()}/live")  # refused
        data = config_dict(urls)
        data["sampling"]["max_workers"] = len(urls)
        config = write_config(tmp_path / "hostile.yaml", data)
        result, elapsed = _timed("--config", str(config), "--timeout", "5", "--snapshots", str(tmp_path / "s"))
    assert result.returncode == 1, result.stdout + result.stderr
    rows = [line.split() for line in result.stdout.splitlines()[1 : len(urls) + 1]]
    assert [row[2] for row in rows] == [*HOSTILE.values(), "offline"], result.stdout
    assert elapsed - startup <= 5 + 1, (elapsed, startup)
