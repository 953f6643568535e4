"""What several routers build alike: the shared views of cameras, samples and assignments, and the lookups
that answer a 404. Routers import these, never one another."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

from fastapi import HTTPException, Request, Response
from fastapi.responses import FileResponse
from sqlalchemy.orm import Session

from api.deps import local_today
from api.schemas import AssignmentOut, CameraOut, SampleOut
from api.shown import TextFilter
from monitor.assignments import repository as assignments_repository
from monitor.assignments import store
from monitor.assignments.repository import Assignment
from monitor.assignments.rules import state_on
from monitor.assignments.units import unit_of
from monitor.store import sites, watch
from monitor.store.sites import CameraView, SampleView
from monitor.store.users import Account


def sample_out(sample: SampleView, shown: TextFilter) -> SampleOut:
    return SampleOut(
        id=sample.id,
        slot_at=sample.slot_at,
        captured_at=sample.captured_at,
        status=sample.status.value,
        reason=shown(sample.reason),
        cause=sample.cause,
        workers=sample.workers,
        machinery=sample.machinery,
        vehicles=sample.vehicles,
        snapshot_url=f"/api/samples/{sample.id}/snapshot" if sample.has_snapshot else None,
    )


def camera_out(cam: CameraView, latest: SampleView | None, shown: TextFilter) -> CameraOut:
    return CameraOut(
        id=cam.camera_id,
        name=cam.name,
        status=cam.status.value,
        status_reason=shown(cam.status_reason),
        status_cause=cam.status_cause,
        status_since=cam.status_since,
        last_sample_at=cam.last_sample_at,
        latest_sample=sample_out(latest, shown) if latest is not None else None,
    )


def snapshot_response(session: Session, root: Path, sample_id: int) -> FileResponse:
    """The annotated JPEG of one sample; a 404 when it has none or it is no longer on disk."""
    stored = sites.snapshot_path(session, sample_id)
    if stored is None:
        raise HTTPException(404, f"sample {sample_id} has no snapshot")
    path = (root / stored).resolve()
    if not path.is_relative_to(root.resolve()) or not path.is_file():
        raise HTTPException(404, f"snapshot of sample {sample_id} is no longer on disk")
    return FileResponse(path, media_type="image/jpeg")


def assignment_out(session: Session, row: Assignment, today: dt.date) -> AssignmentOut:
    site = assignments_repository.site(session, row.site_id)
    return AssignmentOut(
        id=row.id,
        site_id=row.site_id,
        site_name=site.name if site else "",
        district=site.district if site else "",
        unit=row.unit,
        alert_id=row.alert_id,
        problem=row.problem,
        ask=row.ask,
        deadline=row.deadline,
        assigned_by=row.assigned_by,
        assigned_at=row.assigned_at,
        state=state_on(row.state, row.deadline, today).value,
        reply=row.reply,
        replied_by=row.replied_by,
        replied_at=row.replied_at,
        resumed_on=row.resumed_on,
        closed_by=row.closed_by,
        closed_at=row.closed_at,
        close_note=row.close_note,
        photo_url=f"/api/assignments/{row.id}/photo" if row.reply_photo else None,
    )


def own_assignment(session: Session, user: Account, assignment_id: int) -> Assignment:
    try:
        return store.get(session, assignment_id, unit_of(session, user))
    except store.NotFound as exc:
        raise HTTPException(404, str(exc)) from None


CACHED_ANSWERS = 64
"""How many answers the cache keeps for one data version (filters, days and roles apart)."""


def cached_json(request: Request, session: Session, key: tuple[object, ...], build: Callable[[], bytes]) -> Response:
    """The JSON answer for ``key``, built once per data version and local day and served as the same bytes
    until either moves: the pages every dashboard and the wall ask between two sweeps cost one build. ``key``
    names the route and every parameter (and the reader's role where it changes the answer)."""
    version = (watch.data_version(session), local_today(request))
    cache: dict[tuple[object, ...], bytes] = request.app.state.answer_cache
    full = (*version, *key)
    body = cache.get(full)
    if body is None:
        body = build()
        if len(cache) >= CACHED_ANSWERS or any(k[:2] != version for k in cache):
            cache.clear()  # the data moved on (or too many answers): start over
        cache[full] = body
    return Response(body, media_type="application/json")
