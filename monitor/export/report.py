"""The day's assessment as plain data (from the database), in the order and words of the files."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy.orm import Session

from monitor.config import AppConfig
from monitor.core.wording import table
from monitor.export.repository import Components, scores_on
from monitor.milestones.figures import MilestoneFigures, milestone_figures
from monitor.scoring.availability import camera_availability, day_faults
from monitor.scoring.red_list import current_red_runs
from monitor.scoring.runs import Run, longest
from monitor.scoring.score import DayStatus
from monitor.store.periods import batches_today

SCHEMA_VERSION = "1.4"  # 1.1: partial, observed_until; 1.2: milestones; 1.3: red_list, cameras' status and cause; 1.4: production_rates
BATCH_ZH = table("batch")
STATUS_ZH = table("day_status")


@dataclass(frozen=True)
class SiteRow:
    site_id: str
    name: str
    district: str
    batch: str
    responsible_unit: str
    score: float | None
    status: str
    """The day's ``DayStatus`` as written in the files, or ``no_score`` (nothing stored for the site)."""
    coverage: float | None
    active_share: float | None
    avg_moving_workers: float | None
    avg_working_machines: float | None
    worker_hours: float | None
    machine_hours: float | None
    structure_change: float | None
    rank: int | None


@dataclass(frozen=True)
class DistrictRow:
    district: str
    sites: int
    scored_sites: int
    average_score: float | None
    idle_sites: int
    outage_sites: int
    rank: int | None


@dataclass(frozen=True)
class CameraRow:
    site_id: str
    site_name: str
    camera_id: str
    uptime: float
    """Share of the expected samples that showed a live picture."""
    coverage: float
    """Share of the expected samples that were taken at all (a frozen picture is taken, not live)."""
    status: str = "offline"
    """The day's most frequent fault: why what was taken was not live (or nothing was taken: offline)."""
    cause: str | None = None


@dataclass(frozen=True)
class RedRow:
    """A site on the red list as of the day: its current run (each status its own) and the runs before."""

    site_id: str
    name: str
    district: str
    responsible_unit: str
    status: str
    since: dt.date
    days: int
    earlier: tuple[Run, ...]


@dataclass(frozen=True)
class Observed:
    """How much of a day's working hours the assessment covers: all of it, or (today) the part gone by."""

    partial: bool
    until: dt.datetime
    """The end of the working hours, or ``now`` while they run; local time in the deployment's zone."""


def observed(config: AppConfig, day: dt.date, now: dt.datetime) -> Observed:
    """A day is partial while its working hours have not ended at ``now``."""
    end = config.calendar.working_window(day)[1]
    if now >= end:
        return Observed(False, config.calendar.local(end))
    return Observed(True, config.calendar.local(now.replace(second=0, microsecond=0)))


@dataclass(frozen=True)
class Assessment:
    day: dt.date
    observed: Observed
    sites: list[SiteRow]
    districts: list[DistrictRow]
    idle: list[SiteRow]
    outages: list[SiteRow]
    cameras_down: list[CameraRow]
    milestones: MilestoneFigures | None = None
    """The start rate of the month to the day, on-time shares and each site's nodes."""
    red: list[RedRow] | None = None
    """Sites idle or without video ``RED_LIST_DAYS`` judged days or more in a row, up to the day."""

    def as_dict(self) -> dict[str, Any]:
        return {
            "schema_version": SCHEMA_VERSION,
            "day": self.day.isoformat(),
            "partial": self.observed.partial,
            "observed_until": self.observed.until.isoformat(),
            "sites": [asdict(r) for r in self.sites],
            "districts": [asdict(r) for r in self.districts],
            "idle_sites": [r.site_id for r in self.idle],
            "outage_sites": [r.site_id for r in self.outages],
            "cameras_down": [asdict(r) for r in self.cameras_down],
            "milestones": self.milestones.as_dict() if self.milestones is not None else None,
            "red_list": [
                {
                    "site_id": r.site_id,
                    "status": r.status,
                    "since": r.since.isoformat(),
                    "days": r.days,
                    "earlier": [{"status": e.status, "since": e.since.isoformat(), "days": e.days} for e in r.earlier],
                }
                for r in self.red or []
            ],
        }


def competition_ranks(values: dict[str, float]) -> dict[str, int]:
    """Competition ranking (1, 2, 2, 4), highest first; ties broken by nothing but order of ids."""
    ordered = sorted(values.items(), key=lambda kv: (-kv[1], kv[0]))
    ranks: dict[str, int] = {}
    for i, (key, value) in enumerate(ordered):
        ranks[key] = ranks[ordered[i - 1][0]] if i and ordered[i - 1][1] == value else i + 1
    return ranks


def build_assessment(
    session: Session, config: AppConfig, day: dt.date, now: dt.datetime, camera_uptime_below: float = 0.5
) -> Assessment:
    """The assessment of ``day`` as it stands at ``now``: camera availability counts only the part of the
    working hours gone by, so a day that has just begun does not list every camera as down."""
    seen = observed(config, day, now)
    scores = {r.site_id: r for r in scores_on(session, day)}
    site_ranks = competition_ranks({sid: r.score for sid, r in scores.items() if r.score is not None})
    batches = batches_today(session, config.sites, day)
    rows = []
    for site in sorted(config.sites, key=lambda s: s.id):
        row = scores.get(site.id)
        c = row.components if row else Components()
        rows.append(
            SiteRow(
                site.id,
                site.name,
                site.district,
                batches[site.id].value,
                site.responsible_unit,
                row.score if row else None,
                row.status.value if row else "no_score",
                c.coverage,
                c.active_share,
                c.avg_moving_workers,
                c.avg_working_machines,
                c.worker_hours,
                c.machine_hours,
                c.structure_change,
                site_ranks.get(site.id),
            )
        )
    by_district: dict[str, list[SiteRow]] = defaultdict(list)
    for r in rows:
        by_district[r.district].append(r)
    averages = {
        d: round(sum(r.score for r in rs if r.score is not None) / n, 1)
        for d, rs in by_district.items()
        if (n := sum(1 for r in rs if r.score is not None))
    }
    district_ranks = competition_ranks(averages)
    districts = [
        DistrictRow(
            d,
            len(rs),
            sum(1 for r in rs if r.score is not None),
            averages.get(d),
            sum(1 for r in rs if r.status == DayStatus.idle),
            sum(1 for r in rs if r.status == DayStatus.camera_outage),
            district_ranks.get(d),
        )
        for d, rs in by_district.items()
    ]
    districts.sort(key=lambda d: (d.rank is None, d.rank or 0, d.district))
    start, end = config.working_hours.start, config.working_hours.end
    if seen.partial:  # only the hours gone by; none at all before the day begins
        end = max(start, seen.until.time()) if seen.until.date() == day else start
    window = (start, end)
    names = {s.id: s.name for s in config.sites}
    faults = day_faults(session, day, config.calendar, *window)
    cameras_down = [
        CameraRow(
            a.site_id,
            names.get(a.site_id, a.site_id),
            a.camera_id,
            round(a.uptime, 4),
            round(a.coverage, 4),
            *faults.get((a.site_id, a.camera_id), ("offline", None)),
        )
        for a in camera_availability(session, day, config.calendar, *window)
        if a.expected and a.uptime < camera_uptime_below
    ]
    return Assessment(
        day,
        seen,
        rows,
        districts,
        [r for r in rows if r.status == DayStatus.idle],
        [r for r in rows if r.status == DayStatus.camera_outage],
        cameras_down,
        milestone_figures(session, config, day.replace(day=1), day),
        red_rows(session, config, day),
    )


RED_LIST_DAYS = 3
"""The red list's threshold in the files: the wall's and ``GET /api/red-list``'s default."""


def red_rows(session: Session, config: AppConfig, day: dt.date) -> list[RedRow]:
    """The red list as of ``day``: sites with a run of ``RED_LIST_DAYS`` or more in their current stretch of
    idle and outage days, the longest first."""
    sites = {s.id: s for s in config.sites}
    rows = [
        RedRow(
            site.id,
            site.name,
            site.district,
            site.responsible_unit,
            runs[0].status,
            runs[0].since,
            runs[0].days,
            runs[1:],
        )
        for site_id, runs in current_red_runs(session, day).items()
        if (site := sites.get(site_id)) is not None and longest(runs) >= RED_LIST_DAYS
    ]
    return sorted(
        rows, key=lambda r: (-longest((Run(r.status, r.since, r.since, r.days), *r.earlier)), -r.days, r.site_id)
    )
