"""A keyed base map (天地图's tk=...): this server fetches the tiles from a real HTTP tile server, so the key
reaches no browser, no API answer, no page and no log; bad tiles, a dead source and the grid's bounds are
answered without it."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import quote

import cv2
import numpy as np
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from monitor.config import parse_config
from monitor.config.loader import ConfigError
from monitor.core.redact import scrub
from tests.api.test_map_api import _client, _config, _data

KEY = "tk-S3cr3t/+=?&Key"  # characters a URL and a log line might mangle
SENT = quote(KEY, safe="")  # the key as it stands in the tile source's URL


def _leaks(caplog: pytest.LogCaptureFixture) -> list[str]:
    """Log lines that show the key: sitemon's own as logged, and every line as the production handler writes it
    (monitor/core/logs.py: the redacting filter; httpx's request lines, which hold the URL, quietened there)."""
    out = []
    for record in caplog.records:
        ours = record.name.startswith(("api", "monitor"))
        line = record.getMessage() if ours else scrub(record.getMessage())
        out += [line for form in (KEY, SENT) if form in line]
    return out


PNG = bytes(cv2.imencode(".png", np.full((256, 256, 3), 200, np.uint8))[1].tobytes())


class TileServer:
    def __init__(self) -> None:
        self.paths: list[str] = []
        self.answer: tuple[int, str, bytes] = (200, "image/png", PNG)
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                server.paths.append(self.path)
                status, media_type, body = server.answer
                self.send_response(status)
                self.send_header("Content-Type", media_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *_: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()


@pytest.fixture
def tile_server() -> Iterator[TileServer]:
    server = TileServer()
    yield server
    server.httpd.shutdown()
    server.httpd.server_close()


@pytest.fixture
def keyed(
    sessions: sessionmaker[Session], tmp_path: Path, tile_server: TileServer, monkeypatch: pytest.MonkeyPatch
) -> TestClient:
    monkeypatch.setenv("SITEMON_TILE_KEY", KEY)
    url = f"http://127.0.0.1:{tile_server.port}/vec/{{z}}/{{x}}/{{y}}?s={{s}}&tk={{key}}"
    return _client(sessions, tmp_path, _config(tmp_path, tile_url=url, tile_key="${SITEMON_TILE_KEY}"))


def test_the_browser_reads_tiles_from_this_server_and_never_sees_the_key(
    keyed: TestClient, tile_server: TileServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    data = keyed.get("/api/map")
    assert data.status_code == 200
    assert data.json()["tiles"]["url"] == "/api/map/tiles/{z}/{x}/{y}"
    page = keyed.get("/map")
    for response in (data, page):
        assert KEY not in response.text and str(tile_server.port) not in response.text
        assert KEY not in str(response.headers) and str(tile_server.port) not in response.headers.get(
            "content-security-policy", ""
        )

    tile = keyed.get("/api/map/tiles/5/27/12")
    assert (tile.status_code, tile.headers["content-type"], tile.content) == (200, "image/png", PNG)
    assert KEY not in str(tile.headers)
    path = tile_server.paths[0]
    assert path == f"/vec/5/27/12?s=7&tk={SENT}"  # (27 + 12) % 8: the subdomain the page would pick
    assert keyed.get("/api/map/tiles/5/27/12").content == PNG and len(tile_server.paths) == 1  # cached
    assert _leaks(caplog) == []


def test_bad_tiles_a_dead_source_and_the_grid_bounds_are_answered_without_the_key(
    keyed: TestClient, tile_server: TileServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    for z, x, y in ((19, 0, 0), (3, 8, 0), (3, 0, -1)):  # beyond max_zoom 18, outside 2^z
        assert keyed.get(f"/api/map/tiles/{z}/{x}/{y}").status_code in (404, 422)
    tile_server.answer = (200, "text/html", b"<html>login</html>")
    not_a_picture = keyed.get("/api/map/tiles/4/1/1")
    tile_server.answer = (403, "image/png", b"")
    refused = keyed.get("/api/map/tiles/4/1/2")
    tile_server.answer = (200, "image/png", b"x" * (3 * 1024 * 1024))
    too_big = keyed.get("/api/map/tiles/4/1/3")
    tile_server.httpd.shutdown()
    tile_server.httpd.server_close()
    dead = keyed.get("/api/map/tiles/4/1/4")
    for response, words in (
        (not_a_picture, "not a picture"),
        (refused, "answered 403"),
        (too_big, "KiB"),
        (dead, "cannot be reached"),
    ):
        assert response.status_code == 502 and words in response.json()["detail"], response.text
        assert KEY not in response.text and SENT not in response.text
    assert _leaks(caplog) == []


def test_no_keyed_source_no_tile_route_and_the_key_goes_with_its_placeholder(
    sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    plain = _client(sessions, tmp_path, _config(tmp_path, tile_url="https://tiles.example.cn/{z}/{x}/{y}.png"))
    assert plain.get("/api/map").json()["tiles"]["url"] == "https://tiles.example.cn/{z}/{x}/{y}.png"
    assert plain.get("/api/map/tiles/1/0/0").status_code == 404
    for section, words in (
        ({"tile_url": "https://t.example.cn/{z}/{x}/{y}?tk=abc", "tile_key": "abc"}, "tile_key and a {key}"),
        ({"tile_url": "https://t.example.cn/{z}/{x}/{y}?tk={key}"}, "tile_key and a {key}"),
        ({"tile_url": "/tiles/{z}/{x}/{y}?tk={key}", "tile_key": "abc"}, "http(s)://"),
    ):
        with pytest.raises(ConfigError, match="map") as caught:
            parse_config(_data(tmp_path, **section), base_dir=tmp_path)
        assert words in str(caught.value)
