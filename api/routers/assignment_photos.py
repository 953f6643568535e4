"""A responsible unit's photo with its reply (办理情况): sent by the unit for its own assignment, read by the
unit and the dispatch center. The body is the image itself (JPEG, PNG or WebP, judged by its bytes)."""

from __future__ import annotations

import anyio
from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import FileResponse
from sqlalchemy.orm import Session

from api.auth import UserDep
from api.deps import SessionDep, SnapshotRootDep, local_today
from api.params import RowId
from api.schemas import AssignmentOut
from api.views import assignment_out, own_assignment
from monitor.assignments import repository
from monitor.assignments.photos import MAX_PHOTO_BYTES, PhotoRefused, photo_file, save
from monitor.assignments.rules import State
from monitor.assignments.units import is_unit
from monitor.store.users import Account

router = APIRouter(tags=["assignments"])
IMAGE_BODY = {
    "requestBody": {
        "required": True,
        "content": {kind: {"schema": {"type": "string", "format": "binary"}} for kind in ("image/jpeg", "image/png")},
    }
}


@router.post("/api/assignments/{assignment_id}/photo", response_model=AssignmentOut, openapi_extra=IMAGE_BODY)
async def upload_photo(assignment_id: RowId, request: Request, session: SessionDep, user: UserDep) -> AssignmentOut:
    """The unit's photo for its own assignment, until it is closed (at most 5 MB; JPEG, PNG or WebP by its
    bytes; re-encoded as a JPEG): 415 for anything else, 413 when larger, 409 once closed."""
    data = await request.body()  # capped before it is read (api.guards.BodyGuard)
    return await anyio.to_thread.run_sync(_store, session, request, user, assignment_id, data)  # decoding takes a while


def _store(session: Session, request: Request, user: Account, assignment_id: int, data: bytes) -> AssignmentOut:
    row = own_assignment(session, user, assignment_id)
    if not is_unit(user):
        raise HTTPException(403, "only the responsible unit sends a photo with its reply")
    if row.state is State.closed:
        raise HTTPException(409, f"assignment {assignment_id} is closed")
    if len(data) > MAX_PHOTO_BYTES:
        raise HTTPException(413, f"the photo is larger than {MAX_PHOTO_BYTES // (1024 * 1024)} MB")
    root = request.app.state.snapshot_root
    try:
        stored = save(root, row.id, data)
    except PhotoRefused as exc:
        raise HTTPException(415, str(exc)) from None
    old = photo_file(root, row.reply_photo)
    with_photo = repository.store_reply_photo(session, row.id, stored)
    if old is not None:
        old.unlink(missing_ok=True)
    return assignment_out(session, with_photo, local_today(request))


@router.get("/api/assignments/{assignment_id}/photo", response_class=FileResponse)
def reply_photo(assignment_id: RowId, session: SessionDep, user: UserDep, root: SnapshotRootDep) -> FileResponse:
    """The unit's photo with its reply (a unit: its own assignments only)."""
    row = own_assignment(session, user, assignment_id)
    path = photo_file(root, row.reply_photo)
    if path is None:
        raise HTTPException(404, f"assignment {assignment_id} has no photo")
    return FileResponse(path, media_type="image/jpeg")
