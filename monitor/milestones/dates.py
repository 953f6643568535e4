"""Which milestone dates an admin may record (pure): a date of this century, a completion only for a site that
has started, and the nodes in their order (开工 <= 主体完工 <= 竣工 <= 投产), as the config requires."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from monitor.config import Milestone

EARLIEST = dt.date(2000, 1, 1)
"""No key project of the programme was reached before this: an earlier date is a typing error (1970-01-02)."""
LATEST = dt.date(2100, 12, 31)
"""Nor is one planned after this."""


def date_problem(
    milestone: Milestone,
    field: str,
    day: dt.date | None,
    actual: Mapping[Milestone, dt.date | None],
    started: bool,
) -> str | None:
    """Why ``day`` cannot be the ``field`` (planned / actual) date of ``milestone``, or None. ``actual``: the
    site's other actual dates; ``started``: the site has started (a confirmed start, or a batch past signed)."""
    if day is None:
        return None
    if not EARLIEST <= day <= LATEST:
        return f"{day} is not a date of the programme ({EARLIEST} to {LATEST})"
    if field != "actual" or milestone is Milestone.start:
        return None
    if not started:
        return f"the site has not started (no confirmed start): it cannot have reached {milestone.value}"
    if milestone is Milestone.production and day == actual.get(Milestone.start):
        # the batch moves from a day on: started on one day, in production from a later one
        return f"{day} is the start's date: a site goes into production after the day it started"
    order = list(Milestone)
    here = order.index(milestone)
    for other in order[:here]:
        before = actual.get(other)
        if before is not None and day < before:
            return f"{day} is before the {other.value} date ({before})"
    for other in order[here + 1 :]:
        after = actual.get(other)
        if after is not None and day > after:
            return f"{day} is after the {other.value} date ({after})"
    return None
