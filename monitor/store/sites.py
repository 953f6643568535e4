"""The sites, their cameras and their samples as the dashboard and the wall read them (``api/routers/sites.py``,
``dispatch.py``, ``wall.py``, ``api/views.py``). Frozen values with the status enum (``CameraStatus``) come
back, never ORM rows."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import Row, select
from sqlalchemy.orm import Session

from monitor.core.values import CameraStatus
from monitor.store import models


@dataclass(frozen=True)
class SiteInfo:
    """A site as configured: who it is, its configured batch, the unit responsible and the investment."""

    id: str
    name: str
    district: str
    batch: str
    responsible_unit: str
    planned_investment: float | None


@dataclass(frozen=True)
class CameraView:
    """An active camera and its stored health."""

    pk: int
    site_id: str
    camera_id: str
    name: str
    status: CameraStatus
    status_reason: str
    status_cause: str | None
    status_since: dt.datetime | None
    last_sample_at: dt.datetime | None


@dataclass(frozen=True)
class SampleView:
    """A stored sample as a camera's latest: its status, why, the counts and whether a snapshot was written."""

    id: int
    camera_pk: int
    slot_at: dt.datetime
    captured_at: dt.datetime
    status: CameraStatus
    reason: str
    cause: str | None
    workers: int | None
    machinery: int | None
    vehicles: int | None
    has_snapshot: bool


@dataclass(frozen=True)
class TimelineSample:
    """A sample as a point on a site's activity timeline."""

    slot_at: dt.datetime
    camera_pk: int
    status: CameraStatus
    activity: float | None
    workers: int | None
    moving_workers: int | None
    working_machines: int | None


_SITE = (
    models.Site.id,
    models.Site.name,
    models.Site.district,
    models.Site.batch,
    models.Site.responsible_unit,
    models.Site.planned_investment,
)


def _site(row: Row[str, str, str, str, str, float | None]) -> SiteInfo:
    site_id, name, district, batch, unit, investment = row
    return SiteInfo(site_id, name, district, batch, unit, investment)


def site(session: Session, site_id: str) -> SiteInfo | None:
    """The site ``site_id``, in service or not (None: no such site)."""
    row = session.execute(select(*_SITE).where(models.Site.id == site_id)).one_or_none()
    return _site(row) if row is not None else None


def active_sites(session: Session, district: str | None = None, among: Collection[str] | None = None) -> list[SiteInfo]:
    """The sites in service (of ``district``, of the ids ``among``, when given), by id."""
    query = select(*_SITE).where(models.Site.active)
    if district:
        query = query.where(models.Site.district == district)
    if among is not None:
        query = query.where(models.Site.id.in_(list(among)))
    return [_site(row) for row in session.execute(query.order_by(models.Site.id))]


def active_cameras(session: Session, site_id: str | None = None) -> list[CameraView]:
    """The active cameras (of one site, or all), by site and camera id."""
    cam = models.Camera
    query = select(
        cam.id,
        cam.site_id,
        cam.camera_id,
        cam.name,
        cam.status,
        cam.status_reason,
        cam.status_cause,
        cam.status_since,
        cam.last_sample_at,
    ).where(cam.active)
    if site_id is not None:
        query = query.where(cam.site_id == site_id)
    return [
        CameraView(pk, sid, cid, name, CameraStatus(status), reason, cause, since, last)
        for pk, sid, cid, name, status, reason, cause, since, last in session.execute(
            query.order_by(cam.site_id, cam.camera_id)
        )
    ]


def latest_samples(session: Session, camera_pks: list[int] | None = None) -> dict[int, SampleView]:
    """The newest sample of each camera (of the given cameras, or of all), by camera key: primary-key lookups
    through cameras.last_sample_id, never a scan of the samples."""
    query = select(models.Camera.last_sample_id).where(models.Camera.last_sample_id.is_not(None))
    if camera_pks is not None:
        query = query.where(models.Camera.id.in_(camera_pks))
    ids = list(session.scalars(query))
    if not ids:
        return {}
    s = models.Sample
    rows = session.execute(
        select(
            s.id,
            s.camera_pk,
            s.slot_at,
            s.captured_at,
            s.status,
            s.reason,
            s.cause,
            s.workers,
            s.machinery,
            s.vehicles,
            s.snapshot_path,
        ).where(s.id.in_(ids))
    )
    return {
        pk: SampleView(sid, pk, slot_at, captured_at, CameraStatus(status), reason, cause, w, m, v, bool(path))
        for sid, pk, slot_at, captured_at, status, reason, cause, w, m, v, path in rows
    }


def samples_since(session: Session, site_id: str, start: dt.datetime) -> list[TimelineSample]:
    """The site's samples from ``start`` on, oldest first."""
    s = models.Sample
    rows = session.execute(
        select(s.slot_at, s.camera_pk, s.status, s.activity, s.workers, s.moving_workers, s.working_machines)
        .where(s.site_id == site_id, s.slot_at >= start)
        .order_by(s.slot_at)
    )
    return [
        TimelineSample(slot_at, pk, CameraStatus(status), activity, workers, moving, working)
        for slot_at, pk, status, activity, workers, moving, working in rows
    ]


def snapshot_path(session: Session, sample_id: int) -> str | None:
    """Where the sample's snapshot was written, under the snapshot root (None: no such sample, or none
    written)."""
    return session.scalar(select(models.Sample.snapshot_path).where(models.Sample.id == sample_id)) or None
