"""The queries behind the alert rules' facts, and the only ones of the engine: the cameras' health, a site's
recent samples and scores, the idle alerts an operator closed. Frozen values with the status enums come back,
never ORM rows."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from monitor.alerts.rules import AlertType, CameraFact
from monitor.core.clock import ensure_utc
from monitor.core.values import CameraStatus, Cause
from monitor.scoring.score import DayStatus
from monitor.store import models


def _cause(value: str | None) -> Cause | None:
    return Cause(value) if value is not None and value in Cause._value2member_map_ else None


def camera_facts(session: Session) -> list[CameraFact]:
    """Every active camera's health as stored."""
    return [
        CameraFact(
            c.site_id, c.camera_id, CameraStatus(c.status), c.status_since, c.status_reason, _cause(c.status_cause)
        )
        for c in session.scalars(select(models.Camera).where(models.Camera.active))
    ]


@dataclass(frozen=True)
class SiteCameras:
    """A site's active cameras: when each last showed a live picture, and whether one is live now."""

    last_live: tuple[dt.datetime, ...]
    live_now: bool


def site_cameras(session: Session, site_id: str) -> SiteCameras:
    rows = session.execute(
        select(models.Camera.last_online_at, models.Camera.status).where(
            models.Camera.site_id == site_id, models.Camera.active
        )
    ).all()
    return SiteCameras(
        tuple(ensure_utc(t) for t, _ in rows if t is not None),
        any(status == CameraStatus.online.value for _, status in rows),
    )


def last_active_slot(
    session: Session, site_id: str, start: dt.datetime, now: dt.datetime, level: float
) -> dt.datetime | None:
    """The slot of the site's last sample at least ``level`` active in [start, now]."""
    at = session.scalars(
        select(models.Sample.slot_at)
        .where(
            models.Sample.site_id == site_id,
            models.Sample.slot_at >= start,
            models.Sample.slot_at <= now,
            models.Sample.activity >= level,
        )
        .order_by(models.Sample.slot_at.desc())
        .limit(1)
    ).first()
    return ensure_utc(at) if at is not None else None


def online_samples(session: Session, site_id: str, start: dt.datetime, now: dt.datetime) -> int:
    """The site's samples in [start, now] that showed a live picture."""
    return int(
        session.scalar(
            select(func.count(models.Sample.id)).where(
                models.Sample.site_id == site_id,
                models.Sample.status == CameraStatus.online.value,
                models.Sample.slot_at >= start,
                models.Sample.slot_at <= now,
            )
        )
        or 0
    )


@dataclass(frozen=True)
class PastDay:
    day: dt.date
    status: DayStatus
    coverage: float | None


def days_before(session: Session, site_id: str, today: dt.date, limit: int = 60) -> list[PastDay]:
    """The site's scored days before ``today``, newest first."""
    rows = session.execute(
        select(models.DailyScore.day, models.DailyScore.status, models.DailyScore.components)
        .where(models.DailyScore.site_id == site_id, models.DailyScore.day < today)
        .order_by(models.DailyScore.day.desc())
        .limit(limit)
    )
    return [PastDay(day, DayStatus(status), (components or {}).get("coverage")) for day, status, components in rows]


def idle_closed_by_hand_at(session: Session, site_id: str) -> dt.datetime | None:
    """When an operator last closed the site's idle alert by hand."""
    at = session.scalars(
        select(models.Alert.resolved_at)
        .where(
            models.Alert.site_id == site_id,
            models.Alert.type == AlertType.site_idle.value,
            models.Alert.resolved_by.is_not(None),
        )
        .order_by(models.Alert.resolved_at.desc())
        .limit(1)
    ).first()
    return ensure_utc(at) if at is not None else None
