"""Reads and writes the pipeline needs; the API has its own queries."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np
import numpy.typing as npt
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from monitor.config import AppConfig, Category
from monitor.core.clock import Clock, ensure_utc
from monitor.core.values import (
    Activity,
    Box,
    CameraKey,
    CameraState,
    CameraStatus,
    Cause,
    Counts,
    Sample,
    ViewMemory,
)
from monitor.store import models
from monitor.store.milestones import sync_milestones

log = logging.getLogger(__name__)
CAUSES = frozenset(c.value for c in Cause)


@dataclass(frozen=True)
class SyncResult:
    sites: int
    cameras: int
    deactivated_sites: int
    deactivated_cameras: int


def sync_config(session: Session, config: AppConfig, clock: Clock) -> SyncResult:
    """Make the sites and cameras tables match the config. Removed ones are deactivated, never deleted:
    their history stays. ``clock`` dates the sites' changes and the milestone changes the config makes."""
    now = clock()
    sites = {s.id: s for s in session.scalars(select(models.Site))}
    cameras = {(c.site_id, c.camera_id): c for c in session.scalars(select(models.Camera))}
    wanted_sites: set[str] = set()
    wanted_cameras: set[tuple[str, str]] = set()
    for site in config.sites:
        wanted_sites.add(site.id)
        row = sites.get(site.id) or models.Site(id=site.id)
        row.name, row.district, row.batch = site.name, site.district, site.batch.value
        row.responsible_unit, row.planned_investment = site.responsible_unit, site.planned_investment
        row.longitude, row.latitude = site.longitude, site.latitude
        row.active = True
        if row.updated_at is None or session.is_modified(row):
            row.updated_at = now
        session.add(row)
    session.flush()  # sites before the cameras that refer to them
    for site in config.sites:
        for camera in site.cameras:
            key = (site.id, camera.id)
            wanted_cameras.add(key)
            cam = cameras.get(key) or models.Camera(site_id=site.id, camera_id=camera.id, status="unknown")
            cam.name, cam.masked_url, cam.active = camera.name, camera.masked_url, True
            session.add(cam)
    gone_sites = [row for sid, row in sites.items() if sid not in wanted_sites and row.active]
    gone_cameras = [row for key, row in cameras.items() if key not in wanted_cameras and row.active]
    for row in gone_sites:
        row.active, row.updated_at = False, now
    for cam in gone_cameras:
        cam.active = False
    session.commit()
    sync_milestones(session, config, now)
    return SyncResult(len(wanted_sites), len(wanted_cameras), len(gone_sites), len(gone_cameras))


def camera_pks(session: Session) -> dict[CameraKey, int]:
    return {
        CameraKey(site_id, camera_id): pk
        for pk, site_id, camera_id in session.execute(
            select(models.Camera.id, models.Camera.site_id, models.Camera.camera_id)
        )
    }


class CameraPks:
    """Camera key -> row id, read again when a key is not known yet (a camera another process added)."""

    def __init__(self) -> None:
        self._pks: dict[CameraKey, int] = {}

    def of(self, session: Session, keys: Collection[CameraKey]) -> dict[CameraKey, int]:
        """The row id of each key that has a camera row."""
        if any(k not in self._pks for k in keys):
            self._pks = camera_pks(session)
        return {k: self._pks[k] for k in keys if k in self._pks}


def sampled_in_slot(
    session: Session, slot_at: dt.datetime, camera_pks: Collection[int] | None = None
) -> set[CameraKey]:
    """The cameras that have a sample for ``slot_at`` (of ``camera_pks`` only, when given)."""
    query = (
        select(models.Camera.site_id, models.Camera.camera_id)
        .join(models.Sample, models.Sample.camera_pk == models.Camera.id)
        .where(models.Sample.slot_at == slot_at)
    )
    if camera_pks is not None:
        query = query.where(models.Sample.camera_pk.in_(camera_pks))
    return {CameraKey(site_id, camera_id) for site_id, camera_id in session.execute(query)}


def sample_count(session: Session) -> int:
    """How many samples are stored, of every camera."""
    return int(session.scalar(select(func.count(models.Sample.id))) or 0)


def samples_in_slot(session: Session, slot_at: dt.datetime, camera_pks: Collection[int] | None = None) -> list[Sample]:
    """The stored samples of one slot, as pipeline values (counts and activity; no pictures)."""
    query = (
        select(models.Sample, models.Camera.camera_id)
        .join(models.Camera, models.Camera.id == models.Sample.camera_pk)
        .where(models.Sample.slot_at == slot_at)
        .order_by(models.Sample.site_id, models.Camera.camera_id)
    )
    if camera_pks is not None:
        query = query.where(models.Sample.camera_pk.in_(camera_pks))
    return [_sample_value(row, camera_id) for row, camera_id in session.execute(query)]


def _sample_value(row: models.Sample, camera_id: str) -> Sample:
    counted = row.workers is not None
    active = row.activity is not None
    return Sample(
        CameraKey(row.site_id, camera_id),
        row.slot_at,
        row.captured_at,
        CameraStatus(row.status),
        reason=row.reason,
        cause=Cause(row.cause) if row.cause in CAUSES else None,
        counts=Counts(row.workers or 0, row.machinery or 0, row.vehicles or 0) if counted else None,
        detections=row.detections,
        snapshot_path=row.snapshot_path,
        detect_ms=row.detect_ms,
        activity=Activity(
            row.moving_workers or 0,
            row.working_machines or 0,
            row.moving_vehicles or 0,
            row.motion or 0.0,
            row.activity or 0.0,
        )
        if active
        else None,
    )


def _sample_row(camera_pk: int, sample: Sample) -> models.Sample:
    counts = sample.counts
    return models.Sample(
        camera_pk=camera_pk,
        site_id=sample.camera.site_id,
        slot_at=sample.slot_at,
        captured_at=sample.captured_at,
        status=sample.status.value,
        reason=sample.reason,
        cause=sample.cause.value if sample.cause else None,
        workers=counts.workers if counts else None,
        machinery=counts.machinery if counts else None,
        vehicles=counts.vehicles if counts else None,
        detections=sample.detections,
        snapshot_path=sample.snapshot_path,
        detect_ms=sample.detect_ms,
        moving_workers=sample.activity.moving_workers if sample.activity else None,
        working_machines=sample.activity.working_machines if sample.activity else None,
        moving_vehicles=sample.activity.moving_vehicles if sample.activity else None,
        motion=sample.activity.motion if sample.activity else None,
        activity=sample.activity.level if sample.activity else None,
    )


def record_sample(session: Session, camera_pk: int, sample: Sample) -> bool:
    """Store one sample; False when its camera already has one for that slot."""
    return record_samples(session, [(camera_pk, sample)]) == 1


def record_samples(session: Session, items: list[tuple[int, Sample]]) -> int:
    """Store samples and update their cameras' health in one transaction; returns how many were new.

    A camera keeps one sample per slot: a redelivered sample is skipped, never duplicated.
    """
    if not items:
        return 0
    pks = {pk for pk, _ in items}
    slots = {s.slot_at for _, s in items}
    rows = session.execute(
        select(models.Sample.camera_pk, models.Sample.slot_at).where(
            models.Sample.camera_pk.in_(pks), models.Sample.slot_at.in_(slots)
        )
    )
    existing: set[tuple[int, dt.datetime]] = {(pk, slot) for pk, slot in rows}
    fresh: list[tuple[int, Sample]] = []
    for pk, sample in items:
        if (pk, sample.slot_at) in existing:
            log.info("camera %s already has a sample for slot %s; kept the first", sample.camera, sample.slot_at)
            continue
        existing.add((pk, sample.slot_at))
        fresh.append((pk, sample))
    cameras = {c.id: c for c in session.scalars(select(models.Camera).where(models.Camera.id.in_(pks)))}
    written = 0
    for pk, sample in fresh:
        row = _sample_row(pk, sample)
        try:
            with session.begin_nested():  # a concurrent writer may have taken the slot since the check
                session.add(row)
        except IntegrityError:
            log.info("camera %s: slot %s was taken concurrently", sample.camera, sample.slot_at)
            continue
        written += 1
        if pk in cameras:
            _update_health(session, cameras[pk], sample, row.id)
        if sample.state is not None:
            save_state(session, pk, sample)
        if sample.structure is not None:
            offer_structure_ref(session, pk, sample)
    session.commit()
    return written


def save_state(session: Session, camera_pk: int, sample: Sample) -> None:
    assert sample.state is not None
    row = session.get(models.CameraStateRow, camera_pk) or models.CameraStateRow(camera_pk=camera_pk)
    if row.slot_at is not None and ensure_utc(row.slot_at) > sample.slot_at:
        return  # a sample written late (held, or from another worker) must not replace a newer memory
    row.slot_at = sample.slot_at
    row.signature_png = encode_png(sample.state.grey)
    row.texture_png = encode_png(sample.state.texture) if sample.state.texture is not None else None
    row.unchanged = sample.state.unchanged
    row.boxes = _boxes(sample.state.boxes)
    row.frozen, row.live, row.new_views = sample.state.frozen, sample.state.live, sample.state.new_views
    row.anchor_png = encode_png(sample.state.anchor) if sample.state.anchor is not None else None
    anchor_texture = sample.state.anchor_texture
    row.anchor_texture_png = encode_png(anchor_texture) if anchor_texture is not None else None
    row.reencoded = sample.state.reencoded
    views = sample.state.views
    row.views_png = encode_png(np.vstack([v.grey for v in views])) if views else None
    row.views = [{"at": v.at.isoformat() if v.at else None, "boxes": _boxes(v.boxes)} for v in views]
    session.add(row)


def _boxes(boxes: tuple[Box, ...]) -> list[list[Any]]:
    return [[b.category.value, b.x1, b.y1, b.x2, b.y2, *([b.missed] if b.missed else [])] for b in boxes]


def _unboxed(rows: list[list[Any]]) -> tuple[Box, ...]:
    return tuple(Box(Category(m[0]), *m[1:]) for m in rows)


def _views(row: models.CameraStateRow, grey_shape: tuple[int, ...]) -> tuple[ViewMemory, ...]:
    """The remembered views of a stored memory (their signatures were stacked top to bottom)."""
    if not row.views or row.views_png is None:
        return ()
    stacked = decode_png(row.views_png)
    height = grey_shape[0]
    if stacked.shape[0] != height * len(row.views) or stacked.shape[1] != grey_shape[1]:
        return ()  # another signature size (an upgrade): the views are forgotten, not misread
    return tuple(
        ViewMemory(
            np.ascontiguousarray(stacked[k * height : (k + 1) * height]),
            _unboxed(v.get("boxes", [])),
            ensure_utc(dt.datetime.fromisoformat(v["at"])) if v.get("at") else None,
        )
        for k, v in enumerate(row.views)
    )


def load_states(session: Session, camera_pks: Collection[int] | None = None) -> dict[CameraKey, CameraState]:
    """Every camera's sampling memory (of ``camera_pks`` only, when given), as its last sample left it."""
    out: dict[CameraKey, CameraState] = {}
    query = select(models.CameraStateRow, models.Camera.site_id, models.Camera.camera_id).join(
        models.Camera, models.Camera.id == models.CameraStateRow.camera_pk
    )
    if camera_pks is not None:
        query = query.where(models.CameraStateRow.camera_pk.in_(camera_pks))
    for row, site_id, camera_id in session.execute(query):
        grey = decode_png(row.signature_png)
        texture = decode_png(row.texture_png) if row.texture_png is not None else None
        at = ensure_utc(row.slot_at) if row.slot_at is not None else None
        out[CameraKey(site_id, camera_id)] = CameraState(
            grey,
            row.unchanged,
            _unboxed(row.boxes),
            texture,
            at,
            frozen=bool(row.frozen),
            live=row.live or 0,
            anchor=decode_png(row.anchor_png) if row.anchor_png is not None else None,
            anchor_texture=decode_png(row.anchor_texture_png) if row.anchor_texture_png is not None else None,
            reencoded=bool(row.reencoded),
            views=_views(row, grey.shape),
            new_views=row.new_views or 0,
        )
    return out


def offer_structure_ref(session: Session, camera_pk: int, sample: Sample) -> None:
    """Keep the candidate if it is the best reference of its day so far."""
    assert sample.structure is not None
    day, candidate = sample.structure
    if candidate.quality <= 0:
        return
    row = session.scalars(
        select(models.StructureRef).where(models.StructureRef.camera_pk == camera_pk, models.StructureRef.day == day)
    ).one_or_none()
    if row is not None and row.quality >= candidate.quality:
        return
    row = row or models.StructureRef(camera_pk=camera_pk, day=day)
    row.slot_at, row.quality, row.image_png = sample.slot_at, candidate.quality, encode_png(candidate.grey)
    session.add(row)


def encode_png(grey: npt.NDArray[np.uint8]) -> bytes:
    ok, data = cv2.imencode(".png", grey)
    if not ok:
        raise ValueError("cannot encode a picture signature")
    return bytes(data.tobytes())


def decode_png(data: bytes) -> npt.NDArray[np.uint8]:
    image = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_GRAYSCALE)
    if image is None:
        raise ValueError("stored picture signature is not a PNG")
    return np.asarray(image, np.uint8)


def _update_health(session: Session, camera: models.Camera, sample: Sample, sample_id: int) -> None:
    if camera.last_sample_at is not None and sample.captured_at < camera.last_sample_at:
        return  # a sample held during an outage and written late says nothing about the camera now
    camera.last_sample_at = sample.captured_at
    camera.last_sample_id = sample_id
    if sample.status is CameraStatus.online:
        camera.last_online_at = sample.captured_at
    if camera.status != sample.status.value:
        session.add(
            models.CameraEvent(
                camera_pk=camera.id,
                at=sample.captured_at,
                previous_status=camera.status,
                status=sample.status.value,
                reason=sample.reason,
                cause=sample.cause.value if sample.cause else None,
            )
        )
        camera.status = sample.status.value
        camera.status_since = sample.captured_at
    camera.status_reason = sample.reason
    camera.status_cause = sample.cause.value if sample.cause else None
