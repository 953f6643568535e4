"""A site's batch on a given day: the configured batch until its first confirmed move, then each move's."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from monitor.config import Batch, SiteConfig
from monitor.store import models


def batch_on(session: Session, site: SiteConfig, day: dt.date) -> Batch:
    since = session.scalars(
        select(models.BatchPeriod.batch)
        .where(models.BatchPeriod.site_id == site.id, models.BatchPeriod.since <= day)
        .order_by(models.BatchPeriod.since.desc())
        .limit(1)
    ).first()
    return Batch(since) if since is not None else site.batch


def batches_today(session: Session, sites: list[SiteConfig], today: dt.date) -> dict[str, Batch]:
    """Every site's batch on ``today`` in one query."""
    latest: dict[str, tuple[dt.date, str]] = {}
    for site_id, batch, since in session.execute(
        select(models.BatchPeriod.site_id, models.BatchPeriod.batch, models.BatchPeriod.since).where(
            models.BatchPeriod.since <= today
        )
    ):
        if site_id not in latest or since > latest[site_id][0]:
            latest[site_id] = (since, batch)
    return {s.id: Batch(latest[s.id][1]) if s.id in latest else s.batch for s in sites}


def periods_of(session: Session, site_id: str, configured: str) -> list[dict[str, object]]:
    """The site's batch history: the configured batch from the beginning, then each confirmed move."""
    rows = session.scalars(
        select(models.BatchPeriod).where(models.BatchPeriod.site_id == site_id).order_by(models.BatchPeriod.since)
    ).all()
    out: list[dict[str, object]] = [{"batch": configured, "since": None, "until": None, "by": "config"}]
    for row in rows:
        out[-1]["until"] = row.since - dt.timedelta(days=1)
        out.append({"batch": row.batch, "since": row.since, "until": None, "by": row.by})
    return out
