"""What the milestone warnings are judged on, read from the database."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from monitor.alerts.milestone_rules import MilestoneFact
from monitor.config import AppConfig, Batch, Milestone, SiteConfig
from monitor.store import models
from monitor.store.periods import batches_today

NOT_JUDGED = frozenset({"not_expected", "not_started"})


def idle_working_days(session: Session, site_id: str, today: dt.date) -> int:
    """Idle days in a row up to the last judged day before ``today``; days off and holidays are skipped."""
    count = 0
    for (status,) in session.execute(
        select(models.DailyScore.status)
        .where(models.DailyScore.site_id == site_id, models.DailyScore.day < today)
        .order_by(models.DailyScore.day.desc())
        .limit(90)
    ):
        if status in NOT_JUDGED:
            continue
        if status != "idle":
            break
        count += 1
    return count


def _cumulative(session: Session, site_id: str, on_or_before: dt.date) -> tuple[dt.date, float] | None:
    row = session.execute(
        select(models.DailyScore.day, models.DailyScore.components)
        .where(models.DailyScore.site_id == site_id, models.DailyScore.day <= on_or_before)
        .order_by(models.DailyScore.day.desc())
        .limit(1)
    ).first()
    if row is None:
        return None
    return row[0], float((row[1] or {}).get("structure_cumulative") or 0.0)


def structure_growth(session: Session, site: SiteConfig, today: dt.date, weeks: int) -> float | None:
    """Growth of the structure curve over the last ``weeks`` weeks; None without a structure zone, without
    scores that old, or without a score since."""
    if not any(c.zones.structure is not None for c in site.cameras):
        return None
    now = _cumulative(session, site.id, today - dt.timedelta(days=1))
    then = _cumulative(session, site.id, today - dt.timedelta(days=7 * weeks))
    if now is None or then is None or now[0] <= then[0]:
        return None  # no scores since: the cameras, not the site, say nothing
    return max(0.0, now[1] - then[1])


def milestone_facts(session: Session, config: AppConfig, today: dt.date) -> list[MilestoneFact]:
    batches = batches_today(session, config.sites, today)
    rows = {(r.site_id, r.milestone): r for r in session.scalars(select(models.SiteMilestone))}
    out = []
    for site in config.sites:
        start, completion = rows.get((site.id, Milestone.start.value)), rows.get((site.id, Milestone.completion.value))
        production = rows.get((site.id, Milestone.production.value))
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
