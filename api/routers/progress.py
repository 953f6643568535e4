"""The figures the province assesses: the start rate of signed projects and the in-production rate of started
projects per county, on-time shares."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from api.deps import SessionDep, local_today
from api.params import Day, refuse_future
from api.views import cached_json
from monitor.config import Milestone
from monitor.export.summary import Period, period_bounds
from monitor.milestones.rates import on_time, production_rates, start_rates
from monitor.store.milestones import site_dates

router = APIRouter(tags=["milestones"])


class StartRateOut(BaseModel):
    group: str = Field(description='A county, or "全部" (all)')
    signed: int
    due: int = Field(description="Signed projects whose planned start is on or before as_of")
    started: int = Field(description="Of those due, started (confirmed) on or before as_of")
    rate: float | None = Field(description="started / due; null when nothing is due")
    started_in_period: int


class ProductionRateOut(BaseModel):
    group: str = Field(description='A county, or "全部" (all)')
    started: int = Field(description="Started projects: configured started or in production, or started by as_of")
    due: int = Field(description="Of them, those whose planned production is on or before as_of")
    on_time: int = Field(description="Of those due, in production on or before their planned date")
    in_production: int = Field(description="Of those due, in production on or before as_of (on time or late)")
    rate: float | None = Field(description="on_time / due (开工一批投产率); null when nothing is due")
    in_production_in_period: int


class OnTimeOut(BaseModel):
    milestone: Milestone
    due: int
    on_time: int
    late: int
    share: float | None


class FiguresOut(BaseModel):
    period: str
    first: dt.date
    last: dt.date
    as_of: dt.date = Field(description="The period's last day, or today while the period runs")
    start_rates: list[StartRateOut]
    production_rates: list[ProductionRateOut]
    on_time: list[OnTimeOut]


@router.get("/api/milestones/figures", response_model=FiguresOut)
def figures(
    session: SessionDep,
    request: Request,
    period: Annotated[Literal["week", "month", "quarter"], Query()] = "month",
    day: Annotated[Day | None, Query()] = None,
) -> Response:
    """Start rate of signed projects and in-production rate of started projects per county and overall, and each milestone's on-time share, for the
    week, month or quarter holding ``day`` (default today)."""
    today = local_today(request)
    day = day or today
    refuse_future(day, today, ("query", "day"))
    first, last = period_bounds(Period(period), day)
    as_of = min(last, today)
    # Built once per data version (which follows every milestone date recorded) and local day.
    return cached_json(
        request,
        session,
        ("figures", period, day),
        lambda: _figures(session, period, first, last, as_of).model_dump_json().encode(),
    )


def _figures(session: Session, period: str, first: dt.date, last: dt.date, as_of: dt.date) -> FiguresOut:
    sites = site_dates(session)
    return FiguresOut(
        period=period,
        first=first,
        last=last,
        as_of=as_of,
        start_rates=[
            StartRateOut(
                group=r.group,
                signed=r.signed,
                due=r.due,
                started=r.started,
                rate=r.rate,
                started_in_period=r.started_in_period,
            )
            for r in start_rates(sites, first, as_of)
        ],
        production_rates=[
            ProductionRateOut(
                group=r.group,
                started=r.started,
                due=r.due,
                on_time=r.on_time,
                in_production=r.in_production,
                rate=r.rate,
                in_production_in_period=r.in_production_in_period,
            )
            for r in production_rates(sites, first, as_of)
        ],
        on_time=[
            OnTimeOut(milestone=o.milestone, due=o.due, on_time=o.on_time, late=o.late, share=o.share)
            for o in on_time(sites, as_of)
        ],
    )
