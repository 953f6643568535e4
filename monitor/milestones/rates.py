"""The figures the province assesses: the start rate of signed projects and each milestone's on-time share
(pure). See docs/milestones.md."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from monitor.config import Milestone
from monitor.store.milestones import SiteDates


@dataclass(frozen=True)
class StartRate:
    group: str
    """A county, or "全部" for all of them."""
    signed: int
    """Signed projects in the group."""
    due: int
    """Of them, those whose planned start is on or before the date."""
    started: int
    """Of those due, those started (confirmed) on or before the date."""
    started_in_period: int
    """Signed projects whose start (due or not) falls inside the period."""

    @property
    def rate(self) -> float | None:
        return round(self.started / self.due, 4) if self.due else None


@dataclass(frozen=True)
class OnTime:
    milestone: Milestone
    due: int
    """Sites whose planned date is on or before the date."""
    on_time: int
    """Of them, reached on or before the planned date."""
    late: int
    """Of them, reached after it, or not reached yet."""

    @property
    def share(self) -> float | None:
        return round(self.on_time / self.due, 4) if self.due else None


ALL = "全部"


def _rate(group: str, sites: Sequence[SiteDates], first: dt.date, as_of: dt.date) -> StartRate:
    signed = [s for s in sites if s.signed]
    due = [s for s in signed if (p := s.planned.get(Milestone.start)) is not None and p <= as_of]
    started = [s for s in due if (a := s.actual.get(Milestone.start)) is not None and a <= as_of]
    in_period = [s for s in signed if (a := s.actual.get(Milestone.start)) is not None and first <= a <= as_of]
    return StartRate(group, len(signed), len(due), len(started), len(in_period))


def start_rates(sites: Iterable[SiteDates], first: dt.date, as_of: dt.date) -> list[StartRate]:
    """Per county (sorted), then all counties together, as of ``as_of`` (the period's end, or today while it
    runs); ``first`` is the period's first day."""
    sites = list(sites)
    districts = sorted({s.district for s in sites if s.signed})
    rows = [_rate(d, [s for s in sites if s.district == d], first, as_of) for d in districts]
    return [*rows, _rate(ALL, sites, first, as_of)]


def on_time(sites: Iterable[SiteDates], as_of: dt.date) -> list[OnTime]:
    """Each milestone's on-time share over the sites whose planned date has come by ``as_of``."""
    sites = list(sites)
    out = []
    for m in Milestone:
        due = [s for s in sites if (p := s.planned.get(m)) is not None and p <= as_of]
        kept = [s for s in due if (a := s.actual.get(m)) is not None and a <= as_of and a <= (s.planned[m] or a)]
        out.append(OnTime(m, len(due), len(kept), len(due) - len(kept)))
    return out


def milestone_state(planned: dt.date | None, actual: dt.date | None, today: dt.date) -> str:
    """One node of a site's chart: done on time / done late / overdue / pending / no plan."""
    if actual is not None:
        return "on_time" if planned is None or actual <= planned else "late"
    if planned is None:
        return "no_plan"
    return "overdue" if planned < today else "pending"
