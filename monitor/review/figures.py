"""Everything the review pack shows, gathered once from the database into a frozen value (no rendering)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from monitor.assignments.rules import State
from monitor.config import AppConfig
from monitor.export.report import competition_ranks
from monitor.export.summary import Period, period_bounds
from monitor.milestones.figures import milestone_figures
from monitor.store import models

DOWN = ("idle", "camera_outage")
POOR = ("idle", "camera_outage", "low_activity")


@dataclass(frozen=True)
class Headline:
    sites: int
    scored_site_days: int
    average_score: float | None
    active_share: float | None
    """Share of scored site-days that were active (正常施工)."""
    red_sites: int
    yellow_sites: int
    assignments_opened: int
    assignments_closed: int
    assignments_overdue: int


@dataclass(frozen=True)
class CountyRow:
    district: str
    sites: int
    average_score: float | None
    rank: int | None


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
    """Longest run of idle or camera-outage days in a row."""
    scores: tuple[tuple[dt.date, float | None, str], ...]
    photo: str | None
    """The newest snapshot of the period (a path under the snapshot folder), if any."""


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

    def as_dict(self) -> dict[str, Any]:
        out = asdict(self)
        for key in ("first", "last", "as_of"):
            out[key] = out[key].isoformat()
        for listed in (out["red"], out["yellow"]):
            for site in listed:
                site["scores"] = [[d.isoformat(), s, st] for d, s, st in site["scores"]]
        return out


def _longest(statuses: list[str], wanted: tuple[str, ...]) -> int:
    run = longest = 0
    for status in statuses:
        run = run + 1 if status in wanted else 0
        longest = max(longest, run)
    return longest


def _photo(session: Session, site_id: str, first: dt.datetime, end: dt.datetime) -> str | None:
    return session.scalars(
        select(models.Sample.snapshot_path)
        .where(
            models.Sample.site_id == site_id,
            models.Sample.slot_at >= first,
            models.Sample.slot_at < end,
            models.Sample.snapshot_path.is_not(None),
        )
        .order_by(models.Sample.slot_at.desc())
        .limit(1)
    ).first()


def _local_start(day: dt.date, config: AppConfig) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(0, 0), config.tz).astimezone(dt.UTC)


def _units(session: Session, config: AppConfig, first: dt.date, as_of: dt.date) -> list[UnitRow]:
    rows: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for a in session.scalars(select(models.Assignment).order_by(models.Assignment.id)):
        given = a.assigned_at.astimezone(config.tz).date()
        closed = a.closed_at.astimezone(config.tz).date() if a.closed_at else None
        if given > as_of:
            continue
        counts = rows[a.unit]
        counts[0] += first <= given
        counts[1] += closed is not None and first <= closed <= as_of
        still_open = closed is None or closed > as_of
        counts[2] += still_open and a.state != State.replied.value and a.deadline < as_of
        counts[3] += still_open
    return [UnitRow(u, *c) for u, c in sorted(rows.items())]


def gather(session: Session, config: AppConfig, period: Period, day: dt.date, today: dt.date) -> ReviewFigures:
    """The period holding ``day``, as of its last day (or ``today`` while it runs)."""
    first, last = period_bounds(period, day)
    as_of = min(last, today)
    by_site: dict[str, list[models.DailyScore]] = defaultdict(list)
    for row in session.scalars(
        select(models.DailyScore)
        .where(models.DailyScore.day >= first, models.DailyScore.day <= last)
        .order_by(models.DailyScore.day)
    ):
        by_site[row.site_id].append(row)
    sites = [s for s in session.scalars(select(models.Site).where(models.Site.active).order_by(models.Site.id))]
    # The county ranking as /api/rankings computes it: every scored day of the county's sites.
    pooled: dict[str, list[float]] = defaultdict(list)
    members: dict[str, int] = defaultdict(int)
    for s in sites:
        members[s.district] += 1
        pooled[s.district] += [r.score for r in by_site[s.id] if r.score is not None]
    averages = {d: round(sum(v) / len(v), 1) for d, v in pooled.items() if v}
    ranks = competition_ranks(averages)
    counties = sorted(
        (CountyRow(d, n, averages.get(d), ranks.get(d)) for d, n in members.items()),
        key=lambda c: (c.rank is None, c.rank or 0, c.district),
    )
    red, yellow = [], []
    end = _local_start(last + dt.timedelta(days=1), config)
    for s in sites:
        rows = by_site[s.id]
        statuses = [r.status for r in rows]
        values = [r.score for r in rows if r.score is not None]
        listed = ListedSite(
            s.id,
            s.name,
            s.district,
            s.responsible_unit,
            round(sum(values) / len(values), 1) if values else None,
            statuses.count("idle"),
            statuses.count("camera_outage"),
            statuses.count("low_activity"),
            _longest(statuses, DOWN),
            tuple((r.day, r.score, r.status) for r in rows),
            None,
        )
        if listed.longest_down_run >= config.review.red_days:
            red.append(listed)
        elif sum(1 for st in statuses if st in POOR) >= config.review.yellow_days:
            yellow.append(listed)
    shown = config.review.max_site_pages
    red = [_with_photo(session, x, first, end, config) if i < shown else x for i, x in enumerate(red)]
    yellow = [_with_photo(session, x, first, end, config) if i + len(red) < shown else x for i, x in enumerate(yellow)]
    all_scores = [r.score for rows in by_site.values() for r in rows if r.score is not None]
    all_days = [r for rows in by_site.values() for r in rows if r.score is not None]
    units = _units(session, config, first, as_of)
    headline = Headline(
        sites=len(sites),
        scored_site_days=len(all_days),
        average_score=round(sum(all_scores) / len(all_scores), 1) if all_scores else None,
        active_share=round(sum(1 for r in all_days if r.status == "active") / len(all_days), 4) if all_days else None,
        red_sites=len(red),
        yellow_sites=len(yellow),
        assignments_opened=sum(u.opened for u in units),
        assignments_closed=sum(u.closed for u in units),
        assignments_overdue=sum(u.overdue for u in units),
    )
    starts = milestone_figures(session, config, first, as_of).start_rates
    return ReviewFigures(
        period.value,
        first,
        last,
        as_of,
        headline,
        tuple(counties),
        tuple(red),
        tuple(yellow),
        tuple(starts),
        tuple(units),
    )


def _with_photo(session: Session, site: ListedSite, first: dt.date, end: dt.datetime, config: AppConfig) -> ListedSite:
    from dataclasses import replace

    return replace(site, photo=_photo(session, site.site_id, _local_start(first, config), end))


def photo_file(root: Path, relative: str | None) -> Path | None:
    """The snapshot's file, if it is still on disk under ``root``."""
    if relative is None:
        return None
    path = (root / relative).resolve()
    return path if path.is_relative_to(root.resolve()) and path.is_file() else None
