"""Places on the map (pure): WGS-84 coordinates, their GCJ-02 form for Chinese web tiles, and the county
boundaries a deployer supplies as GeoJSON, validated.

Sites and boundaries are kept in WGS-84 (GPS, 天地图's CGCS2000 within centimetres). Chinese commercial web
maps (高德, 腾讯) draw their tiles in GCJ-02, offset by some hundred metres: a pin drawn over such tiles is
converted first (``to_gcj02``), with the published formulas, and only inside China, where the offset applies.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

_A = 6378245.0  # the Krasovsky ellipsoid's semi-major axis, as GCJ-02 uses it
_EE = 0.00669342162296594323  # and its eccentricity squared

MAX_FEATURES = 500
MAX_POINTS = 200_000
"""A county map of a city holds tens of features and some thousands of points: more is not a boundary file."""


class BoundaryError(ValueError):
    """The boundary file is not GeoJSON county polygons as sitemon reads them."""


def in_china(lon: float, lat: float) -> bool:
    """Roughly mainland China's box: where GCJ-02 differs from WGS-84."""
    return 72.004 <= lon <= 137.8347 and 0.8293 <= lat <= 55.8271


def _lat(x: float, y: float) -> float:
    r = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x))
    r += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    r += (20.0 * math.sin(y * math.pi) + 40.0 * math.sin(y / 3.0 * math.pi)) * 2.0 / 3.0
    r += (160.0 * math.sin(y / 12.0 * math.pi) + 320 * math.sin(y * math.pi / 30.0)) * 2.0 / 3.0
    return r


def _lon(x: float, y: float) -> float:
    r = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x))
    r += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    r += (20.0 * math.sin(x * math.pi) + 40.0 * math.sin(x / 3.0 * math.pi)) * 2.0 / 3.0
    r += (150.0 * math.sin(x / 12.0 * math.pi) + 300.0 * math.sin(x / 30.0 * math.pi)) * 2.0 / 3.0
    return r


def to_gcj02(lon: float, lat: float) -> tuple[float, float]:
    """A WGS-84 point as GCJ-02 tiles place it (unchanged outside China)."""
    if not in_china(lon, lat):
        return lon, lat
    d_lat, d_lon = _lat(lon - 105.0, lat - 35.0), _lon(lon - 105.0, lat - 35.0)
    rad = lat / 180.0 * math.pi
    magic = 1 - _EE * math.sin(rad) ** 2
    sqrt_magic = math.sqrt(magic)
    d_lat = (d_lat * 180.0) / ((_A * (1 - _EE)) / (magic * sqrt_magic) * math.pi)
    d_lon = (d_lon * 180.0) / (_A / sqrt_magic * math.cos(rad) * math.pi)
    return lon + d_lon, lat + d_lat


def point_problem(lon: float | None, lat: float | None) -> str | None:
    """Why (lon, lat) is not a WGS-84 place, or None: both or neither, each in range, not (0, 0)."""
    if lon is None and lat is None:
        return None
    if lon is None or lat is None:
        return "longitude and latitude go together"
    if not -180 <= lon <= 180:
        return f"longitude {lon} is outside -180..180"
    if not -90 <= lat <= 90:
        return f"latitude {lat} is outside -90..90 (longitude and latitude swapped?)"
    if lon == 0 and lat == 0:
        return "0, 0 is a coordinate left empty, not a site"
    return None


@dataclass(frozen=True)
class County:
    name: str
    geometry: dict[str, Any]
    """A GeoJSON Polygon or MultiPolygon in WGS-84."""


def _rings(geometry: dict[str, Any]) -> Iterator[list[Any]]:
    kind, coords = geometry.get("type"), geometry.get("coordinates")
    if kind not in ("Polygon", "MultiPolygon") or not isinstance(coords, list) or not coords:
        raise BoundaryError(f"a county is a Polygon or MultiPolygon with coordinates, not {kind!r}")
    polygons = coords if kind == "MultiPolygon" else [coords]
    for polygon in polygons:
        if not isinstance(polygon, list) or not polygon:
            raise BoundaryError("a polygon is a list of rings")
        for ring in polygon:
            if not isinstance(ring, list) or len(ring) < 4:
                raise BoundaryError("a ring has at least 4 positions (the first repeated last)")
            yield ring


def read_boundaries(data: Any) -> tuple[County, ...]:
    """The counties of a GeoJSON FeatureCollection: each feature a Polygon or MultiPolygon with its county's
    name in ``properties.name`` (as the sites' ``district`` writes it), WGS-84 positions in range."""
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        raise BoundaryError('the file must be a GeoJSON FeatureCollection ({"type": "FeatureCollection", ...})')
    features = data.get("features")
    if not isinstance(features, list) or not features:
        raise BoundaryError("the FeatureCollection holds no features")
    if len(features) > MAX_FEATURES:
        raise BoundaryError(f"{len(features)} features: more than {MAX_FEATURES}")
    out, points, names = [], 0, set()
    for index, feature in enumerate(features):
        where = f"features[{index}]"
        if not isinstance(feature, dict) or not isinstance(feature.get("geometry"), dict):
            raise BoundaryError(f"{where}: a Feature with a geometry")
        name = (feature.get("properties") or {}).get("name")
        if not isinstance(name, str) or not name.strip() or len(name) > 100:
            raise BoundaryError(f"{where}: properties.name must name the county (1-100 characters)")
        if name in names:
            raise BoundaryError(f"{where}: county {name!r} twice (one feature per county; a MultiPolygon for parts)")
        names.add(name)
        try:
            for ring in _rings(feature["geometry"]):
                for position in ring:
                    ok = isinstance(position, list) and len(position) >= 2
                    ok = ok and all(isinstance(v, int | float) and not isinstance(v, bool) for v in position[:2])
                    problem = point_problem(position[0], position[1]) if ok else "a position is [longitude, latitude]"
                    if problem:
                        raise BoundaryError(problem)
                points += len(ring)
        except BoundaryError as exc:
            raise BoundaryError(f"{where} ({name}): {exc}") from None
        if points > MAX_POINTS:
            raise BoundaryError(f"more than {MAX_POINTS} positions")
        out.append(
            County(name, {"type": feature["geometry"]["type"], "coordinates": feature["geometry"]["coordinates"]})
        )
    return tuple(out)


def convert_geometry(geometry: dict[str, Any], gcj02: bool) -> dict[str, Any]:
    """The geometry as the tiles place it: unchanged for WGS-84 tiles (or none), each position to GCJ-02 else."""
    if not gcj02:
        return geometry

    def walk(value: Any) -> Any:
        if isinstance(value, list) and value and isinstance(value[0], int | float):
            return list(to_gcj02(value[0], value[1]))
        return [walk(v) for v in value]

    return {"type": geometry["type"], "coordinates": walk(geometry["coordinates"])}
