"""The red list from the stored daily scores: each site's current stretch of idle and outage runs."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from monitor.scoring.runs import NOT_JUDGED, RED, Run, red_runs
from monitor.store import models

LOOK_BACK_DAYS = 60
"""How far back a run is followed: the red list's longest threshold."""


def current_red_runs(session: Session, today: dt.date, look_back: int = LOOK_BACK_DAYS) -> dict[str, tuple[Run, ...]]:
    """Each site's runs of idle or outage days ending with its latest judged day up to ``today``, newest
    first; sites whose latest judged day was neither are left out.

    Only those sites' days are read: at 1,000 sites, reading every site's 60 days took the wall's red list
    1.2 s (bench/year_postgres.py); each site's latest judged day is one index lookup."""
    first = today - dt.timedelta(days=look_back)
    score = models.DailyScore
    latest = (
        select(score.status)
        .where(score.site_id == models.Site.id, score.day > first, score.day <= today, score.status.not_in(NOT_JUDGED))
        .order_by(score.day.desc())
        .limit(1)
        .scalar_subquery()
    )
    red = [site_id for site_id, status in session.execute(select(models.Site.id, latest)) if status in RED]
    if not red:
        return {}
    rows = session.execute(
        select(score.site_id, score.day, score.status).where(
            score.day > first, score.day <= today, score.site_id.in_(red)
        )
    )
    return red_runs((site_id, day, status) for site_id, day, status in rows)
