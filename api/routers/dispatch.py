"""What the dispatch center's screen needs: site detail, scores, rankings."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Query, Request, Response
from pydantic import BaseModel, TypeAdapter

from api.deps import SessionDep, app_calendar, local_today
from api.params import Day
from api.schemas import SiteBase, site_fields
from api.shown import ShownDep
from api.views import cached_json, camera_out
from monitor.export.report import competition_ranks
from monitor.export.summary import Period, period_bounds
from monitor.scoring import repository as scoring
from monitor.scoring.repository import StoredDay
from monitor.store import sites
from monitor.store.periods import moved_batches

router = APIRouter(tags=["dispatch"])


class ScoreOut(BaseModel):
    site_id: str
    day: dt.date
    score: float | None
    status: str
    components: dict[str, Any]


class TimelinePoint(BaseModel):
    slot_at: dt.datetime
    camera_id: str
    status: str
    activity: float | None
    workers: int | None
    moving_workers: int | None
    working_machines: int | None


class SiteDetailOut(SiteBase):
    day_start: dt.datetime
    """Local midnight of today in the deployment's time zone (the timeline's left edge)."""
    today: ScoreOut | None
    timeline: list[TimelinePoint]
    scores: list[ScoreOut]


class RankingOut(BaseModel):
    group: str
    average_score: float | None
    sites: int
    rank: int | None


def _score_out(r: StoredDay) -> ScoreOut:
    return ScoreOut(site_id=r.site_id, day=r.day, score=r.score, status=r.status.value, components=r.components)


@router.get("/api/sites/{site_id}", response_model=SiteDetailOut)
def site_detail(
    site_id: str,
    session: SessionDep,
    request: Request,
    shown: ShownDep,
    days: Annotated[int, Query(ge=1, le=366)] = 30,
) -> SiteDetailOut:
    """One site: cameras and their health, today's activity timeline, daily scores of the last ``days`` days."""
    site = sites.site(session, site_id)
    if site is None:
        raise HTTPException(404, f"no site '{site_id}'")
    today = local_today(request)
    cams = sites.active_cameras(session, site_id)
    latest = sites.latest_samples(session, [c.pk for c in cams])
    start = app_calendar(request).midnight(today)
    names = {c.pk: c.camera_id for c in cams}
    timeline = [
        TimelinePoint(
            slot_at=s.slot_at,
            camera_id=names.get(s.camera_pk, "?"),
            status=s.status.value,
            activity=s.activity,
            workers=s.workers,
            moving_workers=s.moving_workers,
            working_machines=s.working_machines,
        )
        for s in sites.samples_since(session, site_id, start)
    ]
    scores = scoring.site_scores_after(session, site_id, today - dt.timedelta(days=days))
    today_row = next((r for r in scores if r.day == today), None)
    return SiteDetailOut(
        **site_fields(
            site, [camera_out(c, latest.get(c.pk), shown) for c in cams], moved_batches(session, today).get(site_id)
        ),
        day_start=start,
        today=_score_out(today_row) if today_row else None,
        timeline=timeline,
        scores=[_score_out(r) for r in scores],
    )


@router.get("/api/scores", response_model=list[ScoreOut])
def scores(session: SessionDep, request: Request, day: Annotated[Day | None, Query()] = None) -> Response:
    """Every site's daily score on ``day`` (default: today's running score)."""
    on = day or local_today(request)

    def build() -> bytes:
        rows = scoring.scores_on(session, on)
        return TypeAdapter(list[ScoreOut]).dump_json([_score_out(r) for r in rows])

    return cached_json(request, session, ("scores", on), build)


@router.get("/api/rankings", response_model=list[RankingOut])
def rankings(
    session: SessionDep,
    request: Request,
    by: Annotated[Literal["district", "batch"], Query()] = "district",
    period: Annotated[Literal["day", "week", "month", "quarter"], Query()] = "day",
    day: Annotated[Day | None, Query()] = None,
) -> Response:
    """Average score per county or batch over a day, week, month or quarter, ranked."""
    day = day or local_today(request)

    def build() -> bytes:
        first, last = (day, day) if period == "day" else period_bounds(Period(period), day)
        moved = moved_batches(session, last) if by == "batch" else {}
        group_of = {
            s.id: moved.get(s.id, s.batch) if by == "batch" else s.district for s in sites.active_sites(session)
        }
        values: dict[str, list[float]] = defaultdict(list)
        members: dict[str, set[str]] = defaultdict(set)
        for site_id, group in group_of.items():
            members[group].add(site_id)
        for site_id, score in scoring.values_between(session, first, last):
            if site_id in group_of:
                values[group_of[site_id]].append(score)
        averages = {g: round(sum(v) / len(v), 1) for g, v in values.items() if v}
        ranks = competition_ranks(averages)
        out = [
            RankingOut(group=g, average_score=averages.get(g), sites=len(m), rank=ranks.get(g))
            for g, m in members.items()
        ]
        ranked = sorted(out, key=lambda r: (r.rank is None, r.rank or 0, r.group))
        return TypeAdapter(list[RankingOut]).dump_json(ranked)

    return cached_json(request, session, ("rankings", by, period, day), build)
