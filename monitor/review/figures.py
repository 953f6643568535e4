"""Everything the review pack shows, gathered once from the database into a frozen value (no rendering)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from monitor.assignments.rules import State
from monitor.config import AppConfig
from monitor.core.calendar import Period, period_bounds
from monitor.export.report import competition_ranks
from monitor.milestones.figures import milestone_figures
from monitor.review import repository
from monitor.review.repository import ReviewedSite, ScoredDay
from monitor.scoring.runs import longest, runs_of
from monitor.scoring.score import DayStatus

DOWN = (DayStatus.idle, DayStatus.camera_outage)
POOR = (DayStatus.idle, DayStatus.camera_outage, DayStatus.low_activity)
JUDGED = (DayStatus.active, DayStatus.low_activity, DayStatus.idle, DayStatus.camera_outage)
"""Days with work expected and a verdict: the days a county's overall score is taken over."""


@dataclass(frozen=True)
class Headline:
    sites: int
    scored_site_days: int
    average_score: float | None
    active_share: float | None
    """Share of scored site-days that were active (正常施工)."""
    red_sites: int
    yellow_sites: int
    outage_site_days: int
    """Site-days with work expected that the cameras could not judge (视频中断): no score, never left out."""
    assignments_opened: int
    assignments_closed: int
    assignments_overdue: int


@dataclass(frozen=True)
class CountyRow:
    district: str
    sites: int
    average_score: float | None
    """Over the scored days only (as ``GET /api/rankings``)."""
    rank: int | None
    """By ``overall``: a county cannot climb by days its cameras did not see."""
    judged_days: int = 0
    """Site-days with work expected and a verdict: scored days and outage days."""
    outage_days: int = 0
    overall: float | None = None
    """The average over the judged days, an outage day counting 0 points."""
    active_share: float | None = None
    """Share of the judged days that were active (正常施工)."""


@dataclass(frozen=True)
class ListedSite:
    site_id: str
    name: str
    district: str
    responsible_unit: str
    average_score: float | None
    idle_days: int
    outage_days: int
    low_days: int
    longest_down_run: int
    """Longest run of idle days, or of camera-outage days, in a row: each status counts its own run (days with
    no work expected neither count nor break one)."""
    scores: tuple[tuple[dt.date, float | None, str], ...]
    photo: str | None
    """The newest snapshot of the period (a path under the snapshot folder), if any."""
    photo_camera: str | None = None
    """The name of the camera that took it."""
    photo_at: dt.datetime | None = None
    """When it was taken (UTC)."""
    photo_before: str | None = None
    """The newest snapshot of the period before (last month's, last quarter's): what changed since (周期对比)."""
    photo_before_camera: str | None = None
    photo_before_at: dt.datetime | None = None


@dataclass(frozen=True)
class UnitRow:
    unit: str
    opened: int
    closed: int
    overdue: int
    still_open: int


@dataclass(frozen=True)
class ReviewFigures:
    period: str
    first: dt.date
    last: dt.date
    as_of: dt.date
    headline: Headline
    counties: tuple[CountyRow, ...]
    red: tuple[ListedSite, ...]
    yellow: tuple[ListedSite, ...]
    start_rates: tuple[dict[str, Any], ...]
    units: tuple[UnitRow, ...]
    production_rates: tuple[dict[str, Any], ...] = ()

    def as_dict(self) -> dict[str, Any]:
        out = asdict(self)
        for key in ("first", "last", "as_of"):
            out[key] = out[key].isoformat()
        for listed in (out["red"], out["yellow"]):
            for site in listed:
                site["scores"] = [[d.isoformat(), s, st] for d, s, st in site["scores"]]
                site["photo_at"] = site["photo_at"].isoformat() if site["photo_at"] else None
                site["photo_before_at"] = site["photo_before_at"].isoformat() if site["photo_before_at"] else None
        return out


def _local_start(day: dt.date, config: AppConfig) -> dt.datetime:
    return config.calendar.midnight(day)


def _units(session: Session, config: AppConfig, first: dt.date, as_of: dt.date) -> list[UnitRow]:
    rows: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for a in repository.assignment_dates(session):
        given = config.calendar.day_of(a.assigned_at)
        closed = config.calendar.day_of(a.closed_at) if a.closed_at else None
        if given > as_of:
            continue
        counts = rows[a.unit]
        counts[0] += first <= given
        counts[1] += closed is not None and first <= closed <= as_of
        still_open = closed is None or closed > as_of
        counts[2] += still_open and a.state is not State.replied and a.deadline < as_of
        counts[3] += still_open
    return [UnitRow(u, *c) for u, c in sorted(rows.items())]


def gather(session: Session, config: AppConfig, period: Period, day: dt.date, today: dt.date) -> ReviewFigures:
    """The period holding ``day``, as of its last day (or ``today`` while it runs)."""
    first, last = period_bounds(period, day)
    as_of = min(last, today)
    by_site: dict[str, list[ScoredDay]] = defaultdict(list)
    for scored in repository.scored_days(session, first, last):
        by_site[scored.site_id].append(scored)
    sites = repository.active_sites(session)
    counties = _counties(sites, by_site)
    red, yellow = [], []
    end = _local_start(last + dt.timedelta(days=1), config)
    for s in sites:
        rows = by_site[s.id]
        statuses = [r.status for r in rows]
        values = [r.score for r in rows if r.score is not None]
        runs = runs_of((r.day, r.status) for r in rows)
        listed = ListedSite(
            s.id,
            s.name,
            s.district,
            s.responsible_unit,
            round(sum(values) / len(values), 1) if values else None,
            statuses.count(DayStatus.idle),
            statuses.count(DayStatus.camera_outage),
            statuses.count(DayStatus.low_activity),
            longest(runs, DOWN),
            tuple((r.day, r.score, r.status) for r in rows),
            None,
        )
        if listed.longest_down_run >= config.review.red_days:
            red.append(listed)
        elif sum(1 for st in statuses if st in POOR) >= config.review.yellow_days:
            yellow.append(listed)
    shown = config.review.max_site_pages
    before = period_bounds(period, first - dt.timedelta(days=1))[0]
    red = [_with_photo(session, x, before, first, end, config) if i < shown else x for i, x in enumerate(red)]
    yellow = [
        _with_photo(session, x, before, first, end, config) if i + len(red) < shown else x for i, x in enumerate(yellow)
    ]
    all_scores = [r.score for rows in by_site.values() for r in rows if r.score is not None]
    all_days = [r for rows in by_site.values() for r in rows if r.score is not None]
    units = _units(session, config, first, as_of)
    headline = Headline(
        sites=len(sites),
        scored_site_days=len(all_days),
        average_score=round(sum(all_scores) / len(all_scores), 1) if all_scores else None,
        active_share=round(sum(1 for r in all_days if r.status is DayStatus.active) / len(all_days), 4)
        if all_days
        else None,
        red_sites=len(red),
        yellow_sites=len(yellow),
        outage_site_days=sum(c.outage_days for c in counties),
        assignments_opened=sum(u.opened for u in units),
        assignments_closed=sum(u.closed for u in units),
        assignments_overdue=sum(u.overdue for u in units),
    )
    milestones = milestone_figures(session, config, first, as_of)
    return ReviewFigures(
        period.value,
        first,
        last,
        as_of,
        headline,
        tuple(counties),
        tuple(red),
        tuple(yellow),
        tuple(milestones.start_rates),
        tuple(units),
        tuple(milestones.production_rates),
    )


def _counties(sites: list[ReviewedSite], by_site: dict[str, list[ScoredDay]]) -> list[CountyRow]:
    """Each county's figures, ranked by the average over its judged days with an outage day as 0 points: a
    county whose cameras were dark cannot rank first on the few days they saw (the scored-days average, as
    /api/rankings gives it, is shown beside)."""
    scored: dict[str, list[float]] = defaultdict(list)
    judged: dict[str, list[DayStatus]] = defaultdict(list)
    members: dict[str, int] = defaultdict(int)
    for s in sites:
        members[s.district] += 1
        scored[s.district] += [r.score for r in by_site[s.id] if r.score is not None]
        judged[s.district] += [r.status for r in by_site[s.id] if r.status in JUDGED]
    averages = {d: round(sum(v) / len(v), 1) for d, v in scored.items() if v}
    overall = {d: round(sum(scored[d]) / len(v), 1) for d, v in judged.items() if v}
    ranks = competition_ranks(overall)
    rows = [
        CountyRow(
            d,
            n,
            averages.get(d),
            ranks.get(d),
            len(judged[d]),
            judged[d].count(DayStatus.camera_outage),
            overall.get(d),
            round(judged[d].count(DayStatus.active) / len(judged[d]), 4) if judged[d] else None,
        )
        for d, n in members.items()
    ]
    return sorted(rows, key=lambda c: (c.rank is None, c.rank or 0, c.district))


def _with_photo(
    session: Session, site: ListedSite, before: dt.date, first: dt.date, end: dt.datetime, config: AppConfig
) -> ListedSite:
    """The period's newest picture, and the newest of the period before it (from ``before`` to ``first``)."""
    from dataclasses import replace

    start = _local_start(first, config)
    now = repository.newest_snapshot(session, site.site_id, start, end)
    then = repository.newest_snapshot(session, site.site_id, _local_start(before, config), start)
    return replace(
        site,
        photo=now.path if now else None,
        photo_camera=now.camera if now else None,
        photo_at=now.at if now else None,
        photo_before=then.path if then else None,
        photo_before_camera=then.camera if then else None,
        photo_before_at=then.at if then else None,
    )


def photo_file(root: Path, relative: str | None) -> Path | None:
    """The snapshot's file, if it is still on disk under ``root``."""
    if relative is None:
        return None
    path = (root / relative).resolve()
    return path if path.is_relative_to(root.resolve()) and path.is_file() else None
