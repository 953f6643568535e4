from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import FileResponse
from pydantic import TypeAdapter
from sqlalchemy.orm import Session

from api.deps import SessionDep, SnapshotRootDep, local_today
from api.params import RowId
from api.schemas import SiteOut, site_fields
from api.shown import ShownDep, TextFilter
from api.views import cached_json, camera_out, snapshot_response
from monitor.scoring import repository as scores
from monitor.store import sites
from monitor.store.periods import moved_batches
from monitor.store.sites import CameraView

router = APIRouter(tags=["sites"])

NO_SCORE = "no_score"
"""The ``status`` filter's word for the sites without a score today."""


@router.get("/api/sites", response_model=list[SiteOut])
def list_sites(
    session: SessionDep,
    request: Request,
    shown: ShownDep,
    district: Annotated[str | None, Query(max_length=100)] = None,
    batch: Annotated[Literal["signed", "started", "in_production"] | None, Query()] = None,
    status: Annotated[str | None, Query(max_length=20, description="today's status, e.g. idle")] = None,
    min_score: Annotated[float | None, Query(ge=0, le=100)] = None,
    max_score: Annotated[float | None, Query(ge=0, le=100)] = None,
) -> Response:
    """Every site in service with its live state: each camera's health and latest sample, today's running
    score and status, and when it was last updated."""
    today = local_today(request)
    # The overview changes at most once per sweep: the same bytes until the data version moves.
    key = ("sites", shown.__name__, district, batch, status, min_score, max_score)
    return cached_json(
        request,
        session,
        key,
        lambda: TypeAdapter(list[SiteOut]).dump_json(
            _build_sites(session, today, shown, district, batch, status, min_score, max_score)
        ),
    )


def _build_sites(
    session: Session,
    today: dt.date,
    shown: TextFilter,
    district: str | None,
    batch: str | None,
    status: str | None,
    min_score: float | None,
    max_score: float | None,
) -> list[SiteOut]:
    latest = sites.latest_samples(session)
    cameras: dict[str, list[CameraView]] = {}
    for cam in sites.active_cameras(session):
        cameras.setdefault(cam.site_id, []).append(cam)
    today_scores = {r.site_id: r for r in scores.scores_on(session, today)}
    moved = moved_batches(session, today)
    out = []
    for site in sites.active_sites(session, district):
        current = moved.get(site.id, site.batch)
        if batch and current != batch:
            continue
        score = today_scores.get(site.id)
        value = score.score if score else None
        if status is not None and (score.status if score else NO_SCORE) != status:
            continue
        if min_score is not None and (value is None or value < min_score):
            continue
        if max_score is not None and (value is None or value > max_score):
            continue
        cams = cameras.get(site.id, [])
        updates = [c.last_sample_at for c in cams if c.last_sample_at is not None]
        out.append(
            SiteOut(
                **site_fields(site, [camera_out(c, latest.get(c.pk), shown) for c in cams], current),
                today_score=value,
                today_status=score.status.value if score else None,
                last_update=max(updates) if updates else None,
            )
        )
    return out


@router.get("/api/samples/{sample_id}/snapshot", response_class=FileResponse)
def sample_snapshot(sample_id: RowId, session: SessionDep, root: SnapshotRootDep) -> FileResponse:
    """The annotated JPEG of one sample."""
    return snapshot_response(session, root, sample_id)
