"""The red list from the stored daily scores: each site's current stretch of idle and outage runs."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from monitor.scoring import repository
from monitor.scoring.runs import NOT_JUDGED, RED, Run, red_runs

LOOK_BACK_DAYS = 60
"""How far back a run is followed: the red list's longest threshold."""


def current_red_runs(session: Session, today: dt.date, look_back: int = LOOK_BACK_DAYS) -> dict[str, tuple[Run, ...]]:
    """Each site's runs of idle or outage days ending with its latest judged day up to ``today``, newest
    first; sites whose latest judged day was neither are left out. Only those sites' days are read."""
    rows = repository.red_site_statuses(session, today - dt.timedelta(days=look_back - 1), today, RED, NOT_JUDGED)
    return red_runs((site_id, day, status.value) for site_id, day, status in rows)
