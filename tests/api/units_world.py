"""Two responsible units, their sites, scores, pictures, alerts and assignments: for the unit tests."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import cv2
import numpy as np
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from api import create_app
from monitor.alerts.lifecycle import apply
from monitor.alerts.rules import AlertKey, AlertType, Condition, Severity
from monitor.assignments.units import bind
from monitor.config import AppConfig, parse_config
from monitor.store import models
from monitor.store.repo import sync_config
from monitor.store.users import Role, add_user
from tests.fixtures.clock import NOW, Clock, fixed, ticking
from tests.helpers import config_dict

UNIT_A = "城东建设公司"
UNIT_B = "高新投资集团"
PASSWORD = "correct-horse-battery"


def world_config(site2_unit: str = UNIT_B) -> AppConfig:
    data = config_dict(["rtsp://127.0.0.1:8554/a", "rtsp://127.0.0.1:8554/b", "rtsp://127.0.0.1:8554/c"])
    data["sites"][0]["responsible_unit"] = UNIT_A
    data["sites"][1]["responsible_unit"] = site2_unit
    data["sites"][2]["responsible_unit"] = UNIT_B
    data["sites"][2]["name"] = "高新秘密工地"
    data["sites"][2]["batch"] = "signed"
    data["sites"][2]["milestones"] = {"start": {"planned": "2026-01-05"}}
    return parse_config(data)


def seed(sessions: sessionmaker[Session], config: AppConfig, snapshots: Path, now: dt.datetime) -> dict[str, Any]:
    """Sites, a month of scores, a picture per camera, an idle alert per site; returns the ids."""
    today = now.astimezone(config.tz).date()
    ids: dict[str, Any] = {"alerts": {}, "samples": {}}
    snapshots.mkdir(parents=True, exist_ok=True)
    picture = np.full((90, 160, 3), 120, np.uint8)
    with sessions() as s:
        sync_config(s, config, fixed())
        for i, site in enumerate(config.sites):
            for back in range(30, 0, -1):
                score = float((i * 13 + back * 7) % 80 + 10)
                status = "active" if score >= 50 else "idle" if score < 25 else "low_activity"
                day = today - dt.timedelta(days=back)
                row = dict(site_id=site.id, day=day, score=score, status=status, components={}, computed_at=NOW)
                s.add(models.DailyScore(**row))
            cam = s.query(models.Camera).filter_by(site_id=site.id).one()
            rel = f"{site.id}/cam1/latest.jpg"
            (snapshots / site.id / "cam1").mkdir(parents=True, exist_ok=True)
            cv2.imwrite(str(snapshots / rel), picture)
            sample = models.Sample(
                camera_pk=cam.id,
                site_id=site.id,
                slot_at=now - dt.timedelta(minutes=5),
                captured_at=now - dt.timedelta(minutes=5),
                status="online",
                reason="",
                workers=2,
                machinery=1,
                vehicles=0,
                snapshot_path=rel,
            )
            s.add(sample)
            s.flush()
            cam.last_sample_id, cam.last_sample_at, cam.status = sample.id, sample.slot_at, "online"
            ids["samples"][site.id] = sample.id
        s.commit()
        conditions = [
            Condition(AlertKey(site.id, None, AlertType.site_idle), Severity.warning, f"{site.name}: 停工")
            for site in config.sites
        ]
        apply(s, conditions, now)
        for a in s.query(models.Alert).all():
            ids["alerts"][a.site_id] = a.id
        add_user(s, "unit-a", PASSWORD, Role.unit, display_name="城东联络员", now=NOW)
        add_user(s, "unit-b", PASSWORD, Role.unit, display_name="高新联络员", now=NOW)
        add_user(s, "operator", PASSWORD, Role.operator, display_name="调度员", now=NOW)
        add_user(s, "admin", PASSWORD, Role.admin, now=NOW)
        add_user(s, "viewer", PASSWORD, Role.viewer, now=NOW)
        bind(s, "unit-a", UNIT_A)
        bind(s, "unit-b", UNIT_B)
    return ids


def client(
    sessions: sessionmaker[Session], config: AppConfig, snapshots: Path, username: str, clock: Clock | None = None
) -> TestClient:
    """A client logged in as ``username`` to an app whose clock runs from the tests' pinned NOW."""
    c = TestClient(create_app(sessions, snapshots, config=config, clock=clock or ticking()))
    token = c.post("/api/auth/login", json={"username": username, "password": PASSWORD}).json()["token"]
    c.headers["Authorization"] = f"Bearer {token}"
    return c
