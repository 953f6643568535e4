"""The review pack (月讲评 / 季总结) from the API: its figures as JSON, and the Word document."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request, Response

from api.deps import SessionDep, SnapshotRootDep, app_config, local_today
from api.params import Day
from monitor.export.summary import Period
from monitor.review.figures import gather
from monitor.review.pack import build, file_name

router = APIRouter(tags=["review"])
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PeriodQuery = Annotated[Literal["month", "quarter"], Query(description="month (月讲评) or quarter (季总结)")]
DayQuery = Annotated[Day | None, Query(description="a day of the period (default: today)")]


@router.get("/api/review/figures")
def review_figures(
    session: SessionDep, request: Request, period: PeriodQuery = "month", day: DayQuery = None
) -> dict[str, Any]:
    """The figures the pack shows: headline, county ranking, red and yellow lists, start rates, assignments
    per unit and each listed site's daily scores."""
    today = local_today(request)
    return gather(session, app_config(request), Period(period), day or today, today).as_dict()


@router.get("/api/review.docx", response_class=Response, responses={200: {"content": {DOCX: {}}}})
def review_pack(
    session: SessionDep,
    request: Request,
    snapshots: SnapshotRootDep,
    period: PeriodQuery = "month",
    day: DayQuery = None,
) -> Response:
    """The pack as a Word document (.docx), in Chinese, with photos and charts."""
    today = local_today(request)
    figures, body = build(session, app_config(request), Period(period), day or today, today, snapshots)
    name = file_name(figures)
    return Response(body, media_type=DOCX, headers={"Content-Disposition": f'attachment; filename="{name}"'})
