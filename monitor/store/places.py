"""The sites on the map: where each is and its state today, read in four queries."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from monitor.store import models
from monitor.store.periods import moved_batches


@dataclass(frozen=True)
class Place:
    site_id: str
    name: str
    district: str
    batch: str
    """The batch today."""
    responsible_unit: str
    longitude: float | None
    latitude: float | None
    """WGS-84; None: the site has no coordinates yet."""
    status: str | None
    """Today's status (None: no score yet)."""
    score: float | None
    camera_status: str | None
    """The first camera not online, its status (None: every camera online or none known)."""
    camera_cause: str | None
    alert: str | None
    """The newest open alert's type."""


def places(session: Session, today: dt.date, unit: str | None = None) -> list[Place]:
    """Every site in service (only ``unit``'s when given), with today's state."""
    query = select(models.Site).where(models.Site.active).order_by(models.Site.id)
    if unit is not None:
        query = query.where(models.Site.responsible_unit == unit, models.Site.responsible_unit != "")
    sites = list(session.scalars(query))
    ids = [s.id for s in sites]
    scores = {
        r.site_id: r
        for r in session.scalars(
            select(models.DailyScore).where(models.DailyScore.day == today, models.DailyScore.site_id.in_(ids))
        )
    }
    down: dict[str, models.Camera] = {}
    for cam in session.scalars(
        select(models.Camera)
        .where(models.Camera.active, models.Camera.site_id.in_(ids), models.Camera.status != "online")
        .order_by(models.Camera.site_id, models.Camera.camera_id)
    ):
        down.setdefault(cam.site_id, cam)
    alerts: dict[str, str] = {}
    for site_id, kind in session.execute(
        select(models.Alert.site_id, models.Alert.type)
        .where(models.Alert.state.in_(("open", "acknowledged")), models.Alert.site_id.in_(ids))
        .order_by(models.Alert.opened_at.desc(), models.Alert.id.desc())
    ):
        alerts.setdefault(site_id, kind)
    moved = moved_batches(session, today)
    out = []
    for site in sites:
        score, camera = scores.get(site.id), down.get(site.id)
        out.append(
            Place(
                site_id=site.id,
                name=site.name,
                district=site.district,
                batch=moved.get(site.id, site.batch),
                responsible_unit=site.responsible_unit,
                longitude=site.longitude,
                latitude=site.latitude,
                status=score.status if score else None,
                score=score.score if score else None,
                camera_status=camera.status if camera else None,
                camera_cause=camera.status_cause if camera else None,
                alert=alerts.get(site.id),
            )
        )
    return out
