"""A responsible unit's view: its sites with today's state, their daily scores, their pictures, and the
evidence of an assignment. A unit's user gets its own unit whatever it asks; others name a unit."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import FileResponse
from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.auth import UserDep
from api.deps import SessionDep, SnapshotRootDep, app_config, local_today
from api.params import RowId
from api.views import own_assignment, snapshot_response
from monitor.assignments.evidence import evidence
from monitor.assignments.units import unit_of, unit_site_ids, units
from monitor.store import models

router = APIRouter(tags=["units"])


class UnitSiteOut(BaseModel):
    site_id: str
    name: str
    district: str
    batch: str
    responsible_unit: str
    today_score: float | None
    today_status: str | None
    cameras_online: int
    cameras: int
    latest_snapshot_url: str | None


class ScoreOut(BaseModel):
    day: dt.date
    score: float | None
    status: str


class SnapshotOut(BaseModel):
    camera_id: str
    camera_name: str
    slot_at: dt.datetime
    status: str
    url: str


class EvidenceOut(BaseModel):
    since: dt.date
    active_days: int
    days: list[ScoreOut]
    snapshots: list[SnapshotOut]


def _unit(session: Session, user: models.User, asked: str | None) -> str | None:
    """The unit whose data to show: a unit user's own; else the one asked for (None: every unit)."""
    mine = unit_of(session, user)
    return mine if mine is not None else asked


def _visible_site(session: Session, user: models.User, site_id: str) -> models.Site | None:
    """The site, if it is in service and (for a unit's user) the unit's own."""
    site = session.get(models.Site, site_id)
    mine = unit_of(session, user)
    if site is None or not site.active or (mine is not None and (not mine or site.responsible_unit != mine)):
        return None
    return site


def _site_of(session: Session, user: models.User, site_id: str) -> models.Site:
    site = _visible_site(session, user, site_id)
    if site is None:
        raise HTTPException(404, f"site {site_id!r} does not exist")
    return site


@router.get("/api/units", response_model=list[str])
def list_units(session: SessionDep) -> list[str]:
    """The responsible units of the sites in service."""
    return units(session)


@router.get("/api/unit/sites", response_model=list[UnitSiteOut])
def unit_sites(
    session: SessionDep,
    user: UserDep,
    request: Request,
    unit: Annotated[str | None, Query(max_length=200, description="a responsible unit (a unit gets its own)")] = None,
) -> list[UnitSiteOut]:
    """A unit's sites with today's score and status and how many cameras are online."""
    which = _unit(session, user, unit)
    query = select(models.Site).where(models.Site.active).order_by(models.Site.id)
    if which is not None:
        query = query.where(models.Site.id.in_(unit_site_ids(session, which)))
    today = local_today(request)
    scores = {r.site_id: r for r in session.scalars(select(models.DailyScore).where(models.DailyScore.day == today))}
    out = []
    for site in session.scalars(query):
        cams = list(
            session.scalars(select(models.Camera).where(models.Camera.site_id == site.id, models.Camera.active))
        )
        latest = max(
            (c for c in cams if c.last_sample_id),
            key=lambda c: c.last_sample_at or dt.datetime.min.replace(tzinfo=dt.UTC),
            default=None,
        )
        score = scores.get(site.id)
        out.append(
            UnitSiteOut(
                site_id=site.id,
                name=site.name,
                district=site.district,
                batch=site.batch,
                responsible_unit=site.responsible_unit,
                today_score=score.score if score else None,
                today_status=score.status if score else None,
                cameras_online=sum(1 for c in cams if c.status == "online"),
                cameras=len(cams),
                latest_snapshot_url=f"/api/unit/samples/{latest.last_sample_id}/snapshot" if latest else None,
            )
        )
    return out


@router.get("/api/unit/sites/{site_id}/scores", response_model=list[ScoreOut])
def unit_scores(
    site_id: str,
    session: SessionDep,
    user: UserDep,
    days: Annotated[int, Query(ge=1, le=366)] = 30,
) -> list[ScoreOut]:
    """A site's daily scores over the last ``days`` days (a unit: only its own sites)."""
    site = _site_of(session, user, site_id)
    rows = session.scalars(
        select(models.DailyScore)
        .where(models.DailyScore.site_id == site.id)
        .order_by(models.DailyScore.day.desc())
        .limit(days)
    )
    return [ScoreOut(day=r.day, score=r.score, status=r.status) for r in reversed(list(rows))]


@router.get("/api/unit/samples/{sample_id}/snapshot", response_class=FileResponse)
def unit_snapshot(sample_id: RowId, session: SessionDep, user: UserDep, root: SnapshotRootDep) -> FileResponse:
    """A sample's picture, if it belongs to one of the unit's sites. Another unit's sample is the same 404 as
    one that does not exist: walking the ids tells nothing of other units' sites or sampling times."""
    sample = session.get(models.Sample, sample_id)
    if sample is None or _visible_site(session, user, sample.site_id) is None:
        raise HTTPException(404, f"sample {sample_id} has no snapshot")
    return snapshot_response(session, root, sample_id)


@router.get("/api/assignments/{assignment_id}/evidence", response_model=EvidenceOut)
def assignment_evidence(assignment_id: RowId, session: SessionDep, user: UserDep, request: Request) -> EvidenceOut:
    """What the cameras show since the assignment: each scored day, the active days, the latest pictures."""
    row = own_assignment(session, user, assignment_id)
    found = evidence(session, app_config(request), row)
    return EvidenceOut(
        since=found.since,
        active_days=found.active_days,
        days=[ScoreOut(day=d.day, score=d.score, status=d.status) for d in found.days],
        snapshots=[
            SnapshotOut(
                camera_id=s.camera_id,
                camera_name=s.camera_name,
                slot_at=s.slot_at,
                status=s.status,
                url=f"/api/unit/samples/{s.sample_id}/snapshot",
            )
            for s in found.snapshots
        ],
    )
