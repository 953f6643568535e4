"""GET /api/sites/{id}/timelapse: the day's snapshots as an MP4 to play or download, by role, cached."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import av
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from api import create_app
from monitor.export.timelapse import CACHE_DIR
from tests.api.units_world import client, seed, world_config
from tests.fixtures.clock import NOW, ticking

pytestmark = pytest.mark.calendar  # follows the pinned NOW: scripts/calendar-check runs it at the edges


def _frames(content: bytes) -> tuple[str, int]:
    with av.open(io.BytesIO(content)) as container:
        stream = container.streams.video[0]
        return stream.codec_context.name, sum(1 for _ in container.decode(stream))


def test_todays_time_lapse_downloads_as_an_mp4_named_for_the_site_and_day(
    sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    config = world_config()
    seed(sessions, config, tmp_path, NOW)
    today = NOW.astimezone(config.tz).date()
    viewer = client(sessions, config, tmp_path, "viewer")
    answer = viewer.get("/api/sites/site1/timelapse")
    assert answer.status_code == 200 and answer.headers["content-type"] == "video/mp4"
    assert answer.headers["content-disposition"] == f'attachment; filename="site1-{today}.mp4"'
    assert _frames(answer.content) == ("h264", 80)  # one picture, held for 10 s at 8 frames a second
    cached = list((tmp_path / CACHE_DIR / "site1").glob("*.mp4"))
    assert len(cached) == 1 and cached[0].stat().st_size == len(answer.content)
    made_at = cached[0].stat().st_mtime_ns
    again = viewer.get(f"/api/sites/site1/timelapse?day={today}")
    assert again.content == answer.content and cached[0].stat().st_mtime_ns == made_at  # from the cache


def test_no_snapshots_unknown_sites_and_future_days_are_clear_errors(
    sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    config = world_config()
    seed(sessions, config, tmp_path, NOW)
    today = NOW.astimezone(config.tz).date()
    operator = client(sessions, config, tmp_path, "operator")
    empty = operator.get(f"/api/sites/site1/timelapse?day={today - dt.timedelta(days=3)}")
    assert empty.status_code == 404
    assert empty.json()["detail"] == f"site 'site1' has no snapshots on {today - dt.timedelta(days=3)}"
    assert operator.get("/api/sites/nowhere/timelapse").json()["detail"] == "site 'nowhere' does not exist"
    future = operator.get(f"/api/sites/site1/timelapse?day={today + dt.timedelta(days=1)}")
    assert future.status_code == 422 and "has not happened yet" in future.text and "day" in future.text
    assert operator.get("/api/sites/site1/timelapse?day=2026-13-01").status_code == 422
    assert (
        TestClient(create_app(sessions, tmp_path, clock=ticking())).get("/api/sites/site1/timelapse").status_code == 401
    )


def test_a_responsible_unit_gets_only_its_own_sites_time_lapse(sessions: sessionmaker[Session], tmp_path: Path) -> None:
    config = world_config()
    seed(sessions, config, tmp_path, NOW)
    unit_a = client(sessions, config, tmp_path, "unit-a")
    assert unit_a.get("/api/sites/site1/timelapse").status_code == 200
    other = unit_a.get("/api/sites/site2/timelapse")
    assert other.status_code == 404 and other.json()["detail"] == "site 'site2' does not exist"
    assert not (tmp_path / CACHE_DIR / "site2").exists()  # nothing was made for it
