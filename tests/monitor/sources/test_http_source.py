"""HTTP snapshot and MJPEG cameras against a real local HTTP server."""

from __future__ import annotations

import base64
import socketserver
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import cv2
import numpy as np
import pytest

from monitor.core.values import CameraStatus
from monitor.sources import SourceError
from monitor.sources.http_source import HttpSource
from monitor.sources.jpeg import jpeg_length
from tests.fixtures.servers import free_port
from tests.fixtures.stream_servers import ffmpeg_mjpeg
from tests.monitor.fakes import textured

PICTURE = textured(120, 160)
JPEG = cv2.imencode(".jpg", PICTURE)[1].tobytes()
_THUMB = cv2.imencode(".jpg", textured(16, 16))[1].tobytes()
_APP1 = b"\xff\xe1" + (len(_THUMB) + 8).to_bytes(2, "big") + b"Exif\x00\x00" + _THUMB
WITH_THUMBNAIL = JPEG[:2] + _APP1 + JPEG[2:]  # as cameras write them: an EXIF thumbnail, its own SOI..EOI inside
AUTH = "Basic " + base64.b64encode(b"admin:pa:ss@1").decode()


class Camera(BaseHTTPRequestHandler):
    elsewhere: ClassVar[str] = ""  # another origin the camera redirects /away.jpg to

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        if self.path.startswith("/snap.jpg"):
            self._send(200, "image/jpeg", JPEG)
        elif self.path == "/secure.jpg":
            if self.headers.get("Authorization") != AUTH:
                self.send_response(401)
                self.send_header("WWW-Authenticate", 'Basic realm="cam"')
                self.end_headers()
                return
            self._send(200, "image/jpeg", JPEG)
        elif self.path == "/video.mjpg":
            self.send_response(200)
            self.send_header("Content-Type", "multipart/x-mixed-replace; boundary=frame")
            self.end_headers()
            try:
                for _ in range(50):  # an endless stream, as far as the client knows
                    part = b"--frame\r\nContent-Type: image/jpeg\r\n\r\n" + JPEG + b"\r\n"
                    self.wfile.write(part)
                    time.sleep(0.05)
            except OSError:
                pass
        elif self.path in ("/raw.mjpg", "/thumb.mjpg"):
            self._endless(self.path)
        elif self.path == "/moved.jpg":
            self._redirect("/secure.jpg")
        elif self.path == "/away.jpg":
            self._redirect(Camera.elsewhere)
        elif self.path == "/not-an-image":
            self._send(200, "text/html", b"<html>login page</html>")
        elif self.path == "/slow.jpg":
            time.sleep(3)
            self._send(200, "image/jpeg", JPEG)
        else:
            self._send(404, "text/plain", b"no")

    def _endless(self, path: str) -> None:
        """JPEGs one after another, no length: raw (application/octet-stream), or multipart with thumbnails."""
        self.send_response(200)
        if path == "/raw.mjpg":
            self.send_header("Content-Type", "application/octet-stream")
            self.end_headers()
            parts = [JPEG] * 50
        else:
            self.send_header("Content-Type", "multipart/x-mixed-replace;boundary=cam")
            self.end_headers()
            parts = [b"--cam\r\nContent-Type: image/jpeg\r\n\r\n" + WITH_THUMBNAIL + b"\r\n"] * 50
        try:
            for part in parts:
                self.wfile.write(part)
                time.sleep(0.05)
        except OSError:
            pass

    def _redirect(self, location: str) -> None:
        self.send_response(302)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _send(self, code: int, ctype: str, body: bytes) -> None:
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture(scope="module")
def http_camera() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Camera)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize("path", ["/snap.jpg?token=abc", "/video.mjpg", "/raw.mjpg", "/thumb.mjpg"])
def test_snapshots_and_mjpeg_give_the_picture(http_camera: str, path: str) -> None:
    started = time.monotonic()
    image = HttpSource(http_camera + path, 2, 2).grab()
    assert np.array_equal(image, cv2.imdecode(np.frombuffer(JPEG, np.uint8), cv2.IMREAD_COLOR))
    assert time.monotonic() - started < 2  # the first picture, not the end of an endless stream


def test_ffmpegs_own_mjpeg_server_is_told_by_its_body() -> None:
    # ffmpeg -f mpjpeg -listen 1 sends application/octet-stream: the boundary line says it is MJPEG.
    with ffmpeg_mjpeg() as url:
        started = time.monotonic()
        image = HttpSource(url, 3, 3).grab()
    assert image.shape == (352, 640, 3)
    assert time.monotonic() - started < 3


@pytest.mark.parametrize("cut", [0, 1, 2, 100, len(WITH_THUMBNAIL) - 1])
def test_a_jpeg_ends_at_its_own_eoi_not_its_thumbnails(cut: int) -> None:
    assert jpeg_length(WITH_THUMBNAIL + b"--next") == len(WITH_THUMBNAIL)
    assert jpeg_length(b"junk" + WITH_THUMBNAIL, 4) == len(WITH_THUMBNAIL)
    if cut >= 2:
        assert jpeg_length(WITH_THUMBNAIL[:cut]) is None  # not complete yet
    else:
        with pytest.raises(ValueError, match="no start of image"):
            jpeg_length(WITH_THUMBNAIL[:cut] + b"xx")


def test_basic_auth_from_the_url_with_escaped_characters(http_camera: str) -> None:
    url = http_camera.replace("http://", "http://admin:pa%3Ass%401@") + "/secure.jpg"
    assert HttpSource(url, 2, 2).grab().shape == PICTURE.shape


@pytest.mark.parametrize(
    ("path", "status", "reason"),
    [
        ("/secure.jpg", CameraStatus.unauthorized, "HTTP 401"),
        ("/missing.jpg", CameraStatus.not_found, "HTTP 404"),
        ("/not-an-image", CameraStatus.stream_error, "not a decodable image"),
        ("/slow.jpg", CameraStatus.offline, "timeout"),
    ],
)
def test_http_faults(http_camera: str, path: str, status: CameraStatus, reason: str) -> None:
    url = http_camera.replace("http://", "http://admin:WRONGpw@") + path
    started = time.monotonic()
    with pytest.raises(SourceError) as info:
        HttpSource(url, 1, 1).grab()
    assert info.value.status is status
    assert reason in str(info.value)
    assert "WRONGpw" not in str(info.value)
    assert time.monotonic() - started < 2.5


def test_an_unencoded_password_with_at_and_colon_still_logs_in(http_camera: str) -> None:
    url = http_camera.replace("http://", "http://admin:pa:ss@1@") + "/secure.jpg"
    assert HttpSource(url, 2, 2).grab().shape == PICTURE.shape


class Trap(BaseHTTPRequestHandler):
    auth: ClassVar[list[str | None]] = []

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        Trap.auth.append(self.headers.get("Authorization"))
        self.send_response(200)
        self.send_header("Content-Type", "image/jpeg")
        self.send_header("Content-Length", str(len(JPEG)))
        self.end_headers()
        self.wfile.write(JPEG)


def test_a_redirect_keeps_the_password_on_its_origin(http_camera: str) -> None:
    trap = ThreadingHTTPServer(("127.0.0.1", 0), Trap)
    threading.Thread(target=trap.serve_forever, daemon=True).start()
    Camera.elsewhere, Trap.auth = f"http://127.0.0.1:{trap.server_address[1]}/landed.jpg", []
    credentials = http_camera.replace("http://", "http://admin:pa%3Ass%401@")
    try:
        assert HttpSource(credentials + "/moved.jpg", 2, 2).grab().shape == PICTURE.shape  # same origin: sent
        assert HttpSource(credentials + "/away.jpg", 2, 2).grab().shape == PICTURE.shape  # followed, without it
    finally:
        trap.shutdown()
        trap.server_close()
    assert Trap.auth == [None]


class NotHttp(socketserver.StreamRequestHandler):
    def handle(self) -> None:
        self.rfile.readline()
        self.wfile.write(b"SSH-2.0-OpenSSH_9.2\r\n\r\n")


def test_a_camera_that_does_not_speak_http_is_a_stream_error() -> None:
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), NotHttp)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        with pytest.raises(SourceError, match="did not answer in HTTP") as info:
            HttpSource(f"http://admin:Slash/Pw-1@127.0.0.1:{server.server_address[1]}/snap.jpg", 1, 1).grab()
    finally:
        server.shutdown()
        server.server_close()
    assert info.value.status is CameraStatus.stream_error and "Slash" not in str(info.value)


def test_connection_refused_is_offline() -> None:
    with pytest.raises(SourceError, match="connection refused") as info:
        HttpSource(f"http://127.0.0.1:{free_port()}/snap.jpg", 1, 1).grab()
    assert info.value.status is CameraStatus.offline
