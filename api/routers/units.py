"""A responsible unit's view: its sites with today's state, their daily scores, their pictures, and the
evidence of an assignment. A unit's user gets its own unit whatever it asks; others name a unit."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import FileResponse
from pydantic import BaseModel
from sqlalchemy.orm import Session

from api.auth import UserDep
from api.deps import SessionDep, SnapshotRootDep, app_config, local_today
from api.params import RowId
from api.views import own_assignment, snapshot_response
from monitor.assignments import repository
from monitor.assignments.evidence import evidence
from monitor.assignments.repository import SiteRef
from monitor.assignments.units import unit_of, unit_site_ids, units
from monitor.store.users import Account

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


def _unit(session: Session, user: Account, asked: str | None) -> str | None:
    """The unit whose data to show: a unit user's own; else the one asked for (None: every unit)."""
    mine = unit_of(session, user)
    return mine if mine is not None else asked


def _visible_site(session: Session, user: Account, site_id: str) -> SiteRef | None:
    """The site, if it is in service and (for a unit's user) the unit's own."""
    site = repository.site(session, site_id)
    mine = unit_of(session, user)
    if site is None or not site.active or (mine is not None and (not mine or site.responsible_unit != mine)):
        return None
    return site


def _site_of(session: Session, user: Account, site_id: str) -> SiteRef:
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
    site_ids = unit_site_ids(session, which) if which is not None else None
    return [
        UnitSiteOut(
            site_id=u.site.id,
            name=u.site.name,
            district=u.site.district,
            batch=u.site.batch,
            responsible_unit=u.site.responsible_unit,
            today_score=u.today.score if u.today else None,
            today_status=u.today.status.value if u.today else None,
            cameras_online=u.cameras_online,
            cameras=u.cameras,
            latest_snapshot_url=f"/api/unit/samples/{u.latest_sample_id}/snapshot" if u.latest_sample_id else None,
        )
        for u in repository.unit_sites(session, site_ids, local_today(request))
    ]


@router.get("/api/unit/sites/{site_id}/scores", response_model=list[ScoreOut])
def unit_scores(
    site_id: str,
    session: SessionDep,
    user: UserDep,
    days: Annotated[int, Query(ge=1, le=366)] = 30,
) -> list[ScoreOut]:
    """A site's daily scores over the last ``days`` days (a unit: only its own sites)."""
    site = _site_of(session, user, site_id)
    return [
        ScoreOut(day=d.day, score=d.score, status=d.status.value)
        for d in repository.recent_days(session, site.id, days)
    ]


@router.get("/api/unit/samples/{sample_id}/snapshot", response_class=FileResponse)
def unit_snapshot(sample_id: RowId, session: SessionDep, user: UserDep, root: SnapshotRootDep) -> FileResponse:
    """A sample's picture, if it belongs to one of the unit's sites. Another unit's sample is the same 404 as
    one that does not exist: walking the ids tells nothing of other units' sites or sampling times."""
    site_id = repository.sample_site(session, sample_id)
    if site_id is None or _visible_site(session, user, site_id) is None:
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
        days=[ScoreOut(day=d.day, score=d.score, status=d.status.value) for d in found.days],
        snapshots=[
            SnapshotOut(
                camera_id=s.camera_id,
                camera_name=s.camera_name,
                slot_at=s.slot_at,
                status=s.status.value,
                url=f"/api/unit/samples/{s.sample_id}/snapshot",
            )
            for s in found.snapshots
        ],
    )
