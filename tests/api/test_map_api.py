"""项目一张图's data: sites placed by their coordinates with today's state, the supplied county boundaries with
their fill figures, a unit's own sites only, GCJ-02 where the tiles need it; coordinates and boundaries
validated."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from api import create_app
from monitor.assignments.units import bind
from monitor.config import AppConfig, parse_config
from monitor.config.loader import ConfigError
from monitor.core.geo import BoundaryError, read_boundaries, to_gcj02
from monitor.store import models
from monitor.store.repo import sync_config
from tests.fixtures.clock import NOW
from tests.helpers import config_dict, logged_in

pytestmark = pytest.mark.calendar  # follows the pinned NOW: scripts/calendar-check runs it at the edges
SQUARE = [[[117.0, 31.7], [117.2, 31.7], [117.2, 31.9], [117.0, 31.9], [117.0, 31.7]]]
EAST = [[[117.2, 31.7], [117.4, 31.7], [117.4, 31.9], [117.2, 31.9], [117.2, 31.7]]]
COUNTIES: dict[str, Any] = {
    "type": "FeatureCollection",
    "features": [
        {"type": "Feature", "properties": {"name": "城东区"}, "geometry": {"type": "Polygon", "coordinates": SQUARE}},
        {"type": "Feature", "properties": {"name": "高新区"}, "geometry": {"type": "Polygon", "coordinates": EAST}},
    ],
}


def _data(tmp_path: Path, **map_section: Any) -> dict[str, Any]:
    (tmp_path / "counties.geojson").write_text(json.dumps(COUNTIES, ensure_ascii=False), encoding="utf-8")
    data = config_dict([f"rtsp://127.0.0.1:8554/{n}" for n in "abc"])
    data["sites"][0].update(longitude=117.1, latitude=31.8, responsible_unit="水务集团")
    data["sites"][1].update(longitude=117.3, latitude=31.8, responsible_unit="高新区管委会")
    data["map"] = {"boundaries": "counties.geojson", **map_section}
    return data


def _config(tmp_path: Path, **map_section: Any) -> AppConfig:
    return parse_config(_data(tmp_path, **map_section), base_dir=tmp_path)


def _client(sessions: sessionmaker[Session], tmp_path: Path, config: AppConfig, role: str = "viewer") -> TestClient:
    with sessions() as s:
        sync_config(s, config, clock=lambda: NOW)
        day = NOW.astimezone(config.tz).date()
        s.add(models.DailyScore(site_id="site1", day=day, score=80.0, status="active", components={}, computed_at=NOW))
        s.add(models.DailyScore(site_id="site2", day=day, score=20.0, status="idle", components={}, computed_at=NOW))
        s.commit()
    return logged_in(TestClient(create_app(sessions, tmp_path, config=config, clock=lambda: NOW)), sessions, role)


def test_the_map_places_each_site_over_its_county_offline(sessions: sessionmaker[Session], tmp_path: Path) -> None:
    client = _client(sessions, tmp_path, _config(tmp_path))
    body = client.get("/api/map").json()
    assert body["tiles"] is None  # no tile source: the boundaries alone
    assert [f["properties"]["name"] for f in body["boundaries"]["features"]] == ["城东区", "高新区"]
    assert body["boundaries"]["features"][0]["geometry"]["coordinates"] == SQUARE
    sites = {s["site_id"]: s for s in body["sites"]}
    assert (sites["site1"]["longitude"], sites["site1"]["latitude"], sites["site1"]["status"]) == (
        117.1,
        31.8,
        "active",
    )
    assert sites["site2"]["status"] == "idle" and sites["site2"]["score"] == 20.0
    assert body["unplaced"] == ["测试工地3"]  # no coordinates: named, not drawn
    counties = {c["name"]: c for c in body["counties"]}
    assert counties["城东区"]["sites"] == 2 and counties["城东区"]["average_score"] == 80.0  # site3 not scored
    assert counties["高新区"]["average_score"] == 20.0
    # the page itself is served, and no foreign image is allowed on it
    page = client.get("/map")
    assert page.status_code == 200 and "vendor/leaflet/leaflet.js" in page.text
    assert "img-src 'self' data: blob:;" in page.headers["content-security-policy"]
    assert client.get("/vendor/leaflet/LICENSE").text.startswith("BSD 2-Clause License")


def test_a_unit_sees_its_own_sites_and_counties_only(sessions: sessionmaker[Session], tmp_path: Path) -> None:
    client = _client(sessions, tmp_path, _config(tmp_path), "unit")
    with sessions() as s:
        bind(s, "unit-user", "高新区管委会")
        s.commit()
    body = client.get("/api/map").json()
    assert [s["site_id"] for s in body["sites"]] == ["site2"] and body["unplaced"] == []
    assert [f["properties"]["name"] for f in body["boundaries"]["features"]] == ["高新区"]
    assert [c["name"] for c in body["counties"]] == ["高新区"]


def test_gcj02_tiles_get_converted_positions_and_their_origin_in_the_policy(
    sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    tiles = "https://webrd0{s}.example.cn/tiles/{z}/{x}/{y}.png"
    client = _client(sessions, tmp_path, _config(tmp_path, tile_url=tiles, tile_crs="gcj02"))
    body = client.get("/api/map").json()
    assert body["tiles"]["url"] == tiles and body["tiles"]["crs"] == "gcj02"
    site1 = next(s for s in body["sites"] if s["site_id"] == "site1")
    lon, lat = to_gcj02(117.1, 31.8)
    assert (site1["longitude"], site1["latitude"]) == (round(lon, 6), round(lat, 6))
    assert body["boundaries"]["features"][0]["geometry"]["coordinates"][0][0] == list(to_gcj02(117.0, 31.7))
    assert "img-src 'self' https://*.example.cn" in client.get("/map").headers["content-security-policy"]


def test_gcj02_offset_matches_the_published_one() -> None:
    # Tiananmen: WGS-84 116.391248, 39.907501 sits at about 116.397491, 39.908897 on GCJ-02 tiles
    lon, lat = to_gcj02(116.391248, 39.907501)
    assert abs(lon - 116.397491) < 2e-5 and abs(lat - 39.908897) < 2e-5
    assert to_gcj02(2.35, 48.85) == (2.35, 48.85)  # outside China: unchanged


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["sites"][0].pop("latitude"), "longitude and latitude go together"),
        (lambda d: d["sites"][0].update(latitude=117.1, longitude=31.8), "swapped"),
        (lambda d: d["map"].update(tile_url="https://t0.example.cn/tiles.png"), "{z}, {x} and {y}"),
        (lambda d: d["map"].update(boundaries="missing.geojson"), "cannot read"),
    ],
)
def test_bad_places_stop_the_config_naming_the_field(tmp_path: Path, change: Any, message: str) -> None:
    data = _data(tmp_path)
    change(data)
    with pytest.raises(ConfigError) as err:
        parse_config(data, base_dir=tmp_path)
    assert message in str(err.value)


@pytest.mark.parametrize(
    ("broken", "message"),
    [
        (lambda d: d.update(type="Feature"), "FeatureCollection"),
        (lambda d: d["features"][1]["properties"].update(name="城东区"), "twice"),
        (lambda d: d["features"][0].update(properties={}), "properties.name"),
        (lambda d: d["features"][0]["geometry"].update(type="LineString"), "Polygon or MultiPolygon"),
        (lambda d: d["features"][0]["geometry"]["coordinates"][0].__setitem__(1, [31.7, 117.2]), "swapped"),
        (lambda d: d["features"][0]["geometry"]["coordinates"][0].__setitem__(1, ["x", 1]), "[longitude, latitude]"),
    ],
)
def test_boundary_files_are_validated(broken: Any, message: str) -> None:
    data = copy.deepcopy(COUNTIES)
    broken(data)
    with pytest.raises(BoundaryError, match=message.replace("[", r"\[").replace("]", r"\]")):
        read_boundaries(data)
