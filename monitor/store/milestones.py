"""Milestone dates in the database: taken from the config, changed by an admin, every change recorded."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from monitor.config import AppConfig, Milestone
from monitor.store import models
from monitor.store.periods import follow_production

CONFIG = "config"


@dataclass(frozen=True)
class SiteDates:
    site_id: str
    district: str
    signed: bool
    """In the signed batch (签约一批) as configured: its start is counted in the start rate."""
    planned: Mapping[Milestone, dt.date | None] = field(default_factory=dict)
    actual: Mapping[Milestone, dt.date | None] = field(default_factory=dict)


def _rows(session: Session, site_id: str | None = None) -> dict[tuple[str, Milestone], models.SiteMilestone]:
    query = select(models.SiteMilestone)
    if site_id is not None:
        query = query.where(models.SiteMilestone.site_id == site_id)
    return {(r.site_id, Milestone(r.milestone)): r for r in session.scalars(query)}


def _change(
    session: Session, row: models.SiteMilestone, field: str, new: dt.date | None, by: str, now: dt.datetime, note: str
) -> bool:
    old: dt.date | None = getattr(row, field)
    if old == new:
        return False
    session.add(
        models.MilestoneChange(
            site_id=row.site_id, milestone=row.milestone, field=field, old=old, new=new, by=by, at=now, note=note
        )
    )
    setattr(row, field, new)
    return True


def sync_milestones(session: Session, config: AppConfig, now: dt.datetime) -> int:
    """The config's dates into the table (the sites must exist). A planned date an admin changed is kept; an
    actual date already recorded (a confirmed start) is never cleared by the file. Returns the changes made."""
    rows = _rows(session)
    changes = 0
    for site in config.sites:
        for m in Milestone:
            dates = site.milestones.dates(m)
            row = rows.get((site.id, m))
            if row is None:
                if dates.planned is None and dates.actual is None:
                    continue
                row = models.SiteMilestone(site_id=site.id, milestone=m.value, planned=None, actual=None)
                row.planned_by = CONFIG
                session.add(row)
            if row.planned_by == CONFIG:
                changes += _change(session, row, "planned", dates.planned, CONFIG, now, "")
            if dates.actual is not None and _change(session, row, "actual", dates.actual, CONFIG, now, ""):
                changes += 1
                if m is Milestone.production:
                    session.flush()
                    follow_production(session, site.id, dates.actual, CONFIG, now)
    session.commit()
    return changes


def set_date(
    session: Session,
    site_id: str,
    milestone: Milestone,
    field: str,
    new: dt.date | None,
    by: str,
    now: dt.datetime,
    note: str = "",
) -> bool:
    """Change one date, recording who, when, the old and the new; does not commit. True if it changed."""
    row = _rows(session, site_id).get((site_id, milestone))
    if row is None:
        row = models.SiteMilestone(site_id=site_id, milestone=milestone.value, planned=None, actual=None)
        row.planned_by = CONFIG
        session.add(row)
    changed = _change(session, row, field, new, by, now, note)
    if changed and field == "planned":
        row.planned_by = by
    if changed and field == "actual" and milestone is Milestone.production:
        session.flush()
        follow_production(session, site_id, new, by, now)
    return changed


def site_dates(session: Session) -> list[SiteDates]:
    """Every site in service with its planned and actual dates, for the figures. ``sites.batch`` is the
    configured batch: a signed site stays in the signed programme after its start."""
    rows = _rows(session)
    out = []
    for site in session.scalars(select(models.Site).where(models.Site.active).order_by(models.Site.id)):
        found = {m: rows.get((site.id, m)) for m in Milestone}
        out.append(
            SiteDates(
                site_id=site.id,
                district=site.district,
                signed=site.batch == "signed",
                planned={m: r.planned if r else None for m, r in found.items()},
                actual={m: r.actual if r else None for m, r in found.items()},
            )
        )
    return out


def dates_of(session: Session, site_id: str) -> dict[Milestone, models.SiteMilestone]:
    return {m: r for (_, m), r in _rows(session, site_id).items()}


def changes_of(session: Session, site_id: str, limit: int = 100) -> list[models.MilestoneChange]:
    return list(
        session.scalars(
            select(models.MilestoneChange)
            .where(models.MilestoneChange.site_id == site_id)
            .order_by(models.MilestoneChange.at.desc(), models.MilestoneChange.id.desc())
            .limit(limit)
        )
    )
