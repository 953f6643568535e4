"""The figures the province assesses: the start rate of signed projects, the in-production rate of started
projects and each milestone's on-time share (pure). See docs/milestones.md."""

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
class ProductionRate:
    """开工一批投产率: of the started projects whose planned production has come, the share in production on
    time."""

    group: str
    """A county, or "全部" for all of them."""
    started: int
    """Started projects in the group: configured started (or in production), or a start on or before the date."""
    due: int
    """Of them, those whose planned production is on or before the date."""
    on_time: int
    """Of those due, those in production on or before their planned date."""
    in_production: int
    """Of those due, those in production on or before the date, on time or late."""
    in_production_in_period: int
    """Started projects whose production (due or not) falls inside the period."""

    @property
    def rate(self) -> float | None:
        return round(self.on_time / self.due, 4) if self.due else None


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


def _started_by(site: SiteDates, as_of: dt.date) -> bool:
    if not site.signed:
        return True  # configured started or in production: started before sitemon watched
    actual = site.actual.get(Milestone.start)
    return actual is not None and actual <= as_of


def _production(group: str, sites: Sequence[SiteDates], first: dt.date, as_of: dt.date) -> ProductionRate:
    started = [s for s in sites if _started_by(s, as_of)]

    def reached(s: SiteDates) -> dt.date | None:
        actual = s.actual.get(Milestone.production)
        return actual if actual is not None and actual <= as_of else None

    due = [s for s in started if (p := s.planned.get(Milestone.production)) is not None and p <= as_of]
    on_time = [s for s in due if (a := reached(s)) is not None and a <= (s.planned[Milestone.production] or a)]
    in_production = [s for s in due if reached(s) is not None]
    in_period = [s for s in started if (a := reached(s)) is not None and first <= a]
    return ProductionRate(group, len(started), len(due), len(on_time), len(in_production), len(in_period))


def production_rates(sites: Iterable[SiteDates], first: dt.date, as_of: dt.date) -> list[ProductionRate]:
    """The in-production rate of started projects per county (sorted), then all counties together, as of
    ``as_of``; ``first`` is the period's first day."""
    sites = [s for s in sites if _started_by(s, as_of)]
    districts = sorted({s.district for s in sites})
    rows = [_production(d, [s for s in sites if s.district == d], first, as_of) for d in districts]
    return [*rows, _production(ALL, sites, first, as_of)]


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
