"""周期对比: one camera's evidence snapshot of two days by the documented rule, the scores, the structure change
map between them; a unit's user is refused."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import cv2
import numpy as np
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from api import create_app
from monitor.config import AppConfig, parse_config
from monitor.core.values import CameraKey, CameraStatus, Counts, Sample
from monitor.store import models
from monitor.store.repo import camera_pks, encode_png, record_samples, sync_config
from tests.fixtures.clock import NOW
from tests.helpers import config_dict, logged_in

pytestmark = pytest.mark.calendar  # follows the pinned NOW: scripts/calendar-check runs it at the edges
ZONE = [[0.1, 0.1], [0.9, 0.1], [0.9, 0.9], [0.1, 0.9]]


def _config() -> AppConfig:
    data = config_dict(["rtsp://127.0.0.1:8554/a"])
    data["sites"][0]["cameras"][0]["zones"] = {"structure": ZONE}
    return parse_config(data)


def _reference(blocks: int) -> np.ndarray:
    grey = np.full((180, 320), 120, np.uint8)
    for k in range(blocks):
        cv2.rectangle(grey, (20 + 70 * k, 60), (70 + 70 * k, 150), 30, -1)
    return grey


def _world(sessions: sessionmaker[Session], config: AppConfig) -> tuple[dt.date, dt.date]:
    tz = config.tz
    after = NOW.astimezone(tz).date()
    before = after - dt.timedelta(weeks=4)
    with sessions() as s:
        sync_config(s, config, clock=lambda: NOW)
        pk = camera_pks(s)[CameraKey("site1", "cam1")]
        items = []
        for day in (before, after):
            for hour in (8, 11, 15):
                slot = dt.datetime.combine(day, dt.time(hour), tz).astimezone(dt.UTC)
                sample = Sample(
                    CameraKey("site1", "cam1"),
                    slot,
                    slot,
                    CameraStatus.online,
                    counts=Counts(workers=1),
                    snapshot_path=f"site1/{day}/{hour}.jpg",
                )
                items.append((pk, sample))
        record_samples(s, items)
        # the earlier day's clearest picture of the structure zone is its 15:00 sample; the later day's (12:00)
        # has no snapshot, so its snapshot nearest 10:00 serves
        for day, blocks, hour in ((before, 1, 15), (after, 3, 12)):
            slot = dt.datetime.combine(day, dt.time(hour), tz).astimezone(dt.UTC)
            s.add(
                models.StructureRef(
                    camera_pk=pk, day=day, slot_at=slot, quality=0.9, image_png=encode_png(_reference(blocks))
                )
            )
        s.add(models.DailyScore(site_id="site1", day=before, score=40.0, status="low_activity", computed_at=NOW))
        s.add(models.DailyScore(site_id="site1", day=after, score=85.0, status="active", computed_at=NOW))
        s.commit()
    return before, after


def _client(sessions: sessionmaker[Session], tmp_path: Path, config: AppConfig, role: str) -> TestClient:
    return logged_in(TestClient(create_app(sessions, tmp_path, config=config, clock=lambda: NOW)), sessions, role)


def test_two_days_side_by_side_by_the_rule_with_the_change_map(sessions: sessionmaker[Session], tmp_path: Path) -> None:
    config = _config()
    before, after = _world(sessions, config)
    viewer = _client(sessions, tmp_path, config, "viewer")
    body = viewer.get("/api/sites/site1/compare").json()  # default: today and four weeks before
    assert (body["before"]["day"], body["after"]["day"]) == (str(before), str(after))
    assert body["before"]["rule"] == "clearest" and "15:00" in _local(body["before"]["captured_at"], config)
    assert body["after"]["rule"] == "fixed_hour" and "11:00" in _local(body["after"]["captured_at"], config)
    assert (body["before"]["score"], body["after"]["status"]) == (40.0, "active")
    assert body["change"]["share"] > 0.01
    png = viewer.get(body["change"]["url"])
    assert png.status_code == 200 and png.headers["content-type"] == "image/png"
    picture = cv2.imdecode(np.frombuffer(png.content, np.uint8), cv2.IMREAD_COLOR)
    assert picture.shape[:2] == (180, 320)
    assert (np.all(picture == (0, 140, 255), axis=2)).sum() > 100  # the new blocks' edges in orange
    # a day without pictures says so; the days must be in order; a unit does not compare
    empty = viewer.get(f"/api/sites/site1/compare?before={before - dt.timedelta(days=1)}&after={after}").json()
    assert empty["before"]["rule"] == "none" and empty["before"]["snapshot_url"] is None and empty["change"] is None
    assert viewer.get(f"/api/sites/site1/compare?before={after}&after={before}").status_code == 422
    assert viewer.get("/api/sites/site1/compare?camera=nope").status_code == 404
    assert _client(sessions, tmp_path, config, "unit").get("/api/sites/site1/compare").status_code == 403


def _local(iso: str, config: AppConfig) -> str:
    return f"{dt.datetime.fromisoformat(iso).astimezone(config.tz):%H:%M}"
