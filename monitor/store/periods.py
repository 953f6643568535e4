"""A site's batch on a given day: the configured batch until its first confirmed move, then each move's."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from sqlalchemy import select
from sqlalchemy.orm import Session

from monitor.config import Batch, SiteConfig
from monitor.store import models


def batch_on(session: Session, site: SiteConfig, day: dt.date) -> Batch:
    since = session.scalars(
        select(models.BatchPeriod.batch)
        .where(models.BatchPeriod.site_id == site.id, models.BatchPeriod.since <= day)
        .order_by(models.BatchPeriod.since.desc(), models.BatchPeriod.id.desc())
        .limit(1)
    ).first()
    return Batch(since) if since is not None else site.batch


def batches_today(session: Session, sites: list[SiteConfig], today: dt.date) -> dict[str, Batch]:
    """Every site's batch on ``today`` in one query."""
    moved = moved_batches(session, today)
    return {s.id: Batch(moved[s.id]) if s.id in moved else s.batch for s in sites}


@dataclass(frozen=True)
class BatchSpan:
    batch: str
    since: dt.date | None
    """None: from the beginning (the configured batch)."""
    until: dt.date | None
    by: str


def periods_of(session: Session, site_id: str, configured: str) -> list[BatchSpan]:
    """The site's batch history: the configured batch from the beginning, then each confirmed move."""
    rows = session.scalars(
        select(models.BatchPeriod).where(models.BatchPeriod.site_id == site_id).order_by(models.BatchPeriod.since)
    ).all()
    out = [BatchSpan(configured, None, None, "config")]
    for row in rows:
        out[-1] = replace(out[-1], until=row.since - dt.timedelta(days=1))
        out.append(BatchSpan(row.batch, row.since, None, row.by))
    return out


def moved_batches(session: Session, today: dt.date) -> dict[str, str]:
    """Site id -> batch today, for the sites a confirmed move has taken off their configured batch."""
    latest: dict[str, tuple[dt.date, str]] = {}
    for site_id, batch, since in session.execute(
        select(models.BatchPeriod.site_id, models.BatchPeriod.batch, models.BatchPeriod.since).where(
            models.BatchPeriod.since <= today
        )
    ):
        if site_id not in latest or since > latest[site_id][0]:
            latest[site_id] = (since, batch)
    return {sid: batch for sid, (_, batch) in latest.items()}


def follow_production(session: Session, site_id: str, day: dt.date | None, by: str, now: dt.datetime) -> None:
    """The site is in the in-production batch from its actual production date on (投产), its earlier periods
    kept; a production date moved or cleared moves or removes that period. A site configured in production
    has no period to add. Does not commit."""
    site = session.get(models.Site, site_id)
    if site is None or site.batch == Batch.in_production.value:
        return
    rows = session.scalars(select(models.BatchPeriod).where(models.BatchPeriod.site_id == site_id)).all()
    for row in rows:
        if row.batch == Batch.in_production.value and row.since != day:
            session.delete(row)
    if day is None or any(r.since == day for r in rows):
        return  # cleared; or already recorded (a production on the start's day is refused before it comes here)
    session.add(models.BatchPeriod(site_id=site_id, batch=Batch.in_production.value, since=day, by=by, at=now))
