"""The map (项目一张图): the county boundaries a deployer supplies and an optional base-map tile source."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Any

from pydantic import Field, ValidationInfo, field_validator, model_validator

from monitor.config.base import ConfigModel
from monitor.config.env import EnvSecret
from monitor.core.geo import BoundaryError, read_boundaries

MAX_BOUNDARY_BYTES = 20 * 1024 * 1024


class TileCrs(StrEnum):
    """The coordinates a tile source draws in."""

    wgs84 = "wgs84"  # 天地图 (CGCS2000), OpenStreetMap, most commission tile servers
    gcj02 = "gcj02"  # 高德, 腾讯: pins and boundaries are converted before they are drawn


def load_boundaries(path: Path) -> Any:
    """The boundary file's JSON, within its cap (BoundaryError naming what is wrong)."""
    try:
        if path.stat().st_size > MAX_BOUNDARY_BYTES:
            raise BoundaryError(f"{path} is over {MAX_BOUNDARY_BYTES // (1024 * 1024)} MiB")
        return json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise BoundaryError(f"cannot read {path}: {exc.strerror or exc}") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BoundaryError(f"{path} is not JSON (UTF-8): {exc}") from None


class MapConfig(ConfigModel):
    """What the map page draws besides the sites' pins (see docs/map.md). Without a tile source it draws the
    county boundaries alone, offline."""

    boundaries: str | None = Field(
        default=None,
        description="GeoJSON FeatureCollection of the counties (Polygon / MultiPolygon, properties.name = the "
        "sites' district), WGS-84; relative to the config file",
    )
    tile_url: str | None = Field(
        default=None,
        max_length=500,
        description="Optional base map: an http(s) XYZ tile URL with {z}, {x}, {y} (the commission's tile "
        "server, or 天地图 with tk={key}); none: boundaries alone",
    )
    tile_key: EnvSecret | None = Field(
        default=None,
        description="The tile source's key (e.g. ${TIANDITU_KEY}), put where tile_url says {key}: tiles are "
        "then fetched by this server (/api/map/tiles/...), so the key never reaches a browser",
    )
    tile_crs: TileCrs = Field(default=TileCrs.wgs84, description="wgs84 (天地图, most) or gcj02 (高德, 腾讯)")
    tile_attribution: str = Field(default="", max_length=200, description="The tile source's credit line")
    max_zoom: int = Field(default=18, ge=1, le=22, description="The deepest zoom the tiles offer")

    @field_validator("boundaries", mode="before")
    @classmethod
    def _boundaries_read(cls, value: Any, info: ValidationInfo) -> Any:
        if value is None:
            return None
        if not isinstance(value, str) or not value.strip():
            raise ValueError("must be the path of a GeoJSON file")
        path = Path(value.strip()).expanduser()
        base_dir = (info.context or {}).get("base_dir")
        if not path.is_absolute() and base_dir is not None:
            path = (base_dir / path).resolve()
        try:
            read_boundaries(load_boundaries(path))
        except BoundaryError as exc:
            raise ValueError(str(exc)) from None
        return str(path)

    @model_validator(mode="after")
    def _tile_url_shape(self) -> MapConfig:
        url = self.tile_url
        if url is not None:
            if not url.startswith(("http://", "https://", "/")):
                raise ValueError("tile_url: an http(s):// URL (or a path on this server)")
            if not all(part in url for part in ("{z}", "{x}", "{y}")):
                raise ValueError("tile_url: must hold {z}, {x} and {y}")
        if (self.tile_key is not None) != ("{key}" in (url or "")):
            raise ValueError("tile_key and a {key} in tile_url go together (the key is never written in tile_url)")
        if self.tile_key is not None and not (url or "").startswith(("http://", "https://")):
            raise ValueError("tile_key: tile_url must be an http(s):// URL for this server to fetch")
        return self

    @property
    def tiles_proxied(self) -> bool:
        """Whether this server fetches the tiles (a key the browser must not see)."""
        return self.tile_key is not None
