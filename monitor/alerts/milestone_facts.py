"""What the milestone warnings are judged on, read from the database (through ``repository``)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from monitor.alerts import repository
from monitor.alerts.milestone_rules import MilestoneFact
from monitor.config import AppConfig, Batch, Milestone, SiteConfig
from monitor.scoring.score import DayStatus
from monitor.store.periods import batches_today

NOT_JUDGED = frozenset({DayStatus.not_expected, DayStatus.not_started})


def idle_working_days(session: Session, site_id: str, today: dt.date) -> int:
    """Idle days in a row up to the last judged day before ``today``; days off and holidays are skipped."""
    count = 0
    for past in repository.days_before(session, site_id, today, limit=90):
        if past.status in NOT_JUDGED:
            continue
        if past.status is not DayStatus.idle:
            break
        count += 1
    return count


def structure_growth(session: Session, site: SiteConfig, today: dt.date, weeks: int) -> float | None:
    """Growth of the structure curve over the last ``weeks`` weeks; None without a structure zone, without
    scores that old, or without a score since."""
    if not any(c.zones.structure is not None for c in site.cameras):
        return None
    now = repository.structure_level(session, site.id, today - dt.timedelta(days=1))
    then = repository.structure_level(session, site.id, today - dt.timedelta(days=7 * weeks))
    if now is None or then is None or now.day <= then.day:
        return None  # no scores since: the cameras, not the site, say nothing
    return max(0.0, now.cumulative - then.cumulative)


def milestone_facts(session: Session, config: AppConfig, today: dt.date) -> list[MilestoneFact]:
    batches = batches_today(session, config.sites, today)
    dates = repository.milestone_dates(session)
    out = []
    for site in config.sites:
        start, completion = dates.get((site.id, Milestone.start)), dates.get((site.id, Milestone.completion))
        production = dates.get((site.id, Milestone.production))
        batch = batches[site.id]
        out.append(
            MilestoneFact(
                site_id=site.id,
                name=site.name,
                batch=batch,
                planned_start=start.planned if start else None,
                planned_production=production.planned if production and production.actual is None else None,
                idle_working_days=idle_working_days(session, site.id, today) if batch is Batch.started else 0,
                planned_completion=completion.planned if completion else None,
                completed=completion is not None and completion.actual is not None,
                growth=structure_growth(session, site, today, config.milestones.flat_weeks)
                if batch is Batch.started
                else None,
            )
        )
    return out
