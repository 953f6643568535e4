"""Runs of days in one status, for the red list (API, wall, exports, review pack): pure.

Each status counts its own run: a site idle seven days and dark today reads "停工 7 天" then
"视频中断 今日", not eight days of one or the other. Days not judged (``not_expected``: a day off;
``not_started``: before today's working hours) neither count nor break a run.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from monitor.scoring.score import DayStatus

RED = frozenset({DayStatus.idle.value, DayStatus.camera_outage.value})
NOT_JUDGED = frozenset({DayStatus.not_expected.value, DayStatus.not_started.value})


@dataclass(frozen=True)
class Run:
    status: str
    since: dt.date
    """The run's first judged day."""
    until: dt.date
    """The run's last judged day."""
    days: int
    """Judged days in the run."""


def runs_of(days: Iterable[tuple[dt.date, str]]) -> list[Run]:
    """Every run of one status among the judged days, oldest first. ``days``: (day, status), any order."""
    out: list[Run] = []
    for day, status in sorted(days):
        if status in NOT_JUDGED:
            continue
        last = out[-1] if out else None
        if last is not None and last.status == status:
            out[-1] = Run(status, last.since, day, last.days + 1)
        else:
            out.append(Run(status, day, day, 1))
    return out


def red_stretch(days: Iterable[tuple[dt.date, str]]) -> tuple[Run, ...]:
    """The runs of idle or outage days that end with the latest judged day, newest first (empty when the
    latest judged day was neither)."""
    stretch: list[Run] = []
    for run in reversed(runs_of(days)):
        if run.status not in RED:
            break
        stretch.append(run)
    return tuple(stretch)


def red_runs(rows: Iterable[tuple[str, dt.date, str]]) -> dict[str, tuple[Run, ...]]:
    """Each site's current stretch of idle or outage runs (``red_stretch``). ``rows``: (site, day, status)."""
    by_site: dict[str, list[tuple[dt.date, str]]] = {}
    for site_id, day, status in rows:
        by_site.setdefault(site_id, []).append((day, status))
    return {site_id: found for site_id, days in by_site.items() if (found := red_stretch(days))}


def longest(runs: Sequence[Run], statuses: Iterable[str] = RED) -> int:
    """The longest run of any one of ``statuses``; 0 if none."""
    wanted = frozenset(statuses)
    return max((r.days for r in runs if r.status in wanted), default=0)
