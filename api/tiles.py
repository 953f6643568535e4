"""Base-map tiles fetched by this server when their source needs a key (``map.tile_key``): the browser asks
``/api/map/tiles/{z}/{x}/{y}`` and never sees the key. Bounded: one timeout per tile, a size cap, images
only, and a small in-memory cache shared by every open map."""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from dataclasses import dataclass
from urllib.parse import quote

import httpx

from monitor.config.map import MapConfig
from monitor.core.redact import add_secret

log = logging.getLogger(__name__)

TIMEOUT_S = 5.0
MAX_TILE_BYTES = 2 * 1024 * 1024
CACHE_BYTES = 64 * 1024 * 1024
SUBDOMAINS = "01234567"  # 天地图's t0-t7; the page asks the same of a tile URL it reads itself


class TileError(Exception):
    """The tile source did not give a picture (the message names why, never the URL or its key)."""


@dataclass(frozen=True)
class Tile:
    content: bytes
    media_type: str


class TileFetcher:
    """One tile source behind this server: fetch, check, cache."""

    def __init__(self, config: MapConfig, transport: httpx.BaseTransport | None = None) -> None:
        assert config.tile_url is not None and config.tile_key is not None
        self._template = config.tile_url
        # the key as it stands in the URL: percent-encoded, and a secret in that form too
        self._key = quote(config.tile_key.get_secret_value(), safe="")
        add_secret(self._key)
        self.max_zoom = config.max_zoom
        self._client = httpx.Client(timeout=TIMEOUT_S, follow_redirects=False, transport=transport)
        self._cache: OrderedDict[tuple[int, int, int], Tile] = OrderedDict()
        self._cached_bytes = 0
        self._lock = threading.Lock()

    def close(self) -> None:
        self._client.close()

    def in_range(self, z: int, x: int, y: int) -> bool:
        return 0 <= z <= self.max_zoom and 0 <= x < 2**z and 0 <= y < 2**z

    def _url(self, z: int, x: int, y: int) -> str:
        s = SUBDOMAINS[(x + y) % len(SUBDOMAINS)]
        return (
            self._template.replace("{s}", s)
            .replace("{z}", str(z))
            .replace("{x}", str(x))
            .replace("{y}", str(y))
            .replace("{key}", self._key)
        )

    def tile(self, z: int, x: int, y: int) -> Tile:
        """The tile at z/x/y (``in_range`` first); TileError when the source gives no picture."""
        with self._lock:
            hit = self._cache.get((z, x, y))
            if hit is not None:
                self._cache.move_to_end((z, x, y))
                return hit
        tile = self._fetch(z, x, y)
        with self._lock:
            if (z, x, y) not in self._cache:
                self._cache[(z, x, y)] = tile
                self._cached_bytes += len(tile.content)
            while self._cached_bytes > CACHE_BYTES and self._cache:
                _, old = self._cache.popitem(last=False)
                self._cached_bytes -= len(old.content)
        return tile

    def _fetch(self, z: int, x: int, y: int) -> Tile:
        try:
            with self._client.stream("GET", self._url(z, x, y)) as response:
                if response.status_code != 200:
                    raise TileError(f"the tile source answered {response.status_code}")
                media_type = response.headers.get("content-type", "").split(";")[0].strip().lower()
                if not media_type.startswith("image/"):
                    raise TileError(f"the tile source sent {media_type or 'no type'}, not a picture")
                body = bytearray()
                for chunk in response.iter_bytes():
                    body += chunk
                    if len(body) > MAX_TILE_BYTES:
                        raise TileError(f"the tile is over {MAX_TILE_BYTES // 1024} KiB")
        except httpx.HTTPError as exc:
            # httpx's message may hold the URL and so the key: name the kind of failure only
            raise TileError(f"the tile source cannot be reached ({type(exc).__name__})") from None
        return Tile(bytes(body), media_type)
