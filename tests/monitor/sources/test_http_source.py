"""HTTP snapshot and MJPEG cameras against a real local HTTP server."""

from __future__ import annotations

import base64
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import cv2
import numpy as np
import pytest

from monitor.sources import SourceError
from monitor.sources.http_source import HttpSource
from monitor.types import CameraStatus
from tests.fixtures.servers import free_port
from tests.monitor.fakes import textured

PICTURE = textured(120, 160)
JPEG = cv2.imencode(".jpg", PICTURE)[1].tobytes()
AUTH = "Basic " + base64.b64encode(b"admin:pa:ss@1").decode()


class Camera(BaseHTTPRequestHandler):
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
        elif self.path == "/not-an-image":
            self._send(200, "text/html", b"<html>login page</html>")
        elif self.path == "/slow.jpg":
            time.sleep(3)
            self._send(200, "image/jpeg", JPEG)
        else:
            self._send(404, "text/plain", b"no")

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


@pytest.mark.parametrize("path", ["/snap.jpg?token=abc", "/video.mjpg"])
def test_snapshots_and_mjpeg_give_the_picture(http_camera: str, path: str) -> None:
    image = HttpSource(http_camera + path, 2, 2).grab()
    assert np.array_equal(image, cv2.imdecode(np.frombuffer(JPEG, np.uint8), cv2.IMREAD_COLOR))


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


def test_connection_refused_is_offline() -> None:
    with pytest.raises(SourceError, match="connection refused") as info:
        HttpSource(f"http://127.0.0.1:{free_port()}/snap.jpg", 1, 1).grab()
    assert info.value.status is CameraStatus.offline
