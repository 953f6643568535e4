"""The start seen on camera, in the database: propose it with its evidence; an operator confirms or rejects."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from monitor.config import AppConfig, Batch, Milestone, SiteConfig
from monitor.milestones.detection import StartSeen, WorkingDay, detect_start
from monitor.store import models
from monitor.store.milestones import set_date
from monitor.store.periods import batch_on

log = logging.getLogger(__name__)
HORIZON_DAYS = 92
"""How far back a signed site's days are read for a start (a quarter)."""


class ProposalError(Exception):
    """The proposal is not there, or not pending."""


def _working_days(
    session: Session, config: AppConfig, site: SiteConfig, after: dt.date, through: dt.date
) -> list[WorkingDay]:
    observed = {
        day: (components or {}).get("observed_status")
        for day, components in session.execute(
            select(models.DailyScore.day, models.DailyScore.components).where(
                models.DailyScore.site_id == site.id,
                models.DailyScore.day > after,
                models.DailyScore.day <= through,
            )
        )
    }
    if not observed:
        return []
    day, out = min(observed), []
    while day <= through:
        if config.calendar.working_day(day):
            out.append(WorkingDay(day, observed.get(day)))
        day += dt.timedelta(days=1)
    return out


def _evidence(session: Session, config: AppConfig, site_id: str, seen: StartSeen) -> list[dict[str, Any]]:
    out = []
    for wd in seen.window:
        score = session.scalars(
            select(models.DailyScore).where(models.DailyScore.site_id == site_id, models.DailyScore.day == wd.day)
        ).first()
        parts = (score.components or {}) if score else {}
        window = config.calendar.working_window(wd.day)
        sample = session.scalars(
            select(models.Sample)
            .where(
                models.Sample.site_id == site_id,
                models.Sample.slot_at >= window[0],
                models.Sample.slot_at < window[1],
                models.Sample.snapshot_path.is_not(None),
            )
            .order_by(func.coalesce(models.Sample.activity, 0).desc(), models.Sample.slot_at)
            .limit(1)
        ).first()
        out.append(
            {
                "day": wd.day.isoformat(),
                "status": wd.status,
                "score": parts.get("observed_score"),
                "active_share": parts.get("active_share"),
                "coverage": parts.get("coverage"),
                "sample_id": sample.id if sample else None,
                "snapshot_url": f"/api/samples/{sample.id}/snapshot" if sample else None,
            }
        )
    return out


def propose_starts(
    session: Session, config: AppConfig, through: dt.date, now: dt.datetime
) -> list[models.StartProposal]:
    """For each signed site without a pending proposal, look for a start in its finished days up to
    ``through`` (after its last rejected window) and propose it. Commits."""
    made = []
    for site in config.sites:
        if batch_on(session, site, through) is not Batch.signed:
            continue
        states = {
            state: last
            for state, last in session.execute(
                select(models.StartProposal.state, func.max(models.StartProposal.last_day))
                .where(models.StartProposal.site_id == site.id)
                .group_by(models.StartProposal.state)
            )
        }
        if "pending" in states or "confirmed" in states:
            continue
        after = max(states.get("rejected") or dt.date.min, through - dt.timedelta(days=HORIZON_DAYS))
        seen = detect_start(_working_days(session, config, site, after, through), config.milestones)
        if seen is None:
            continue
        row = models.StartProposal(
            site_id=site.id,
            day=seen.day,
            last_day=seen.window[-1].day,
            evidence=_evidence(session, config, site.id, seen),
            state="pending",
            proposed_at=now,
        )
        row.note = ""
        session.add(row)
        made.append(row)
        log.info("site %s: start seen on camera on %s (proposed; waits for an operator)", site.id, seen.day)
    session.commit()
    return made


def _pending(session: Session, site_id: str, proposal_id: int) -> models.StartProposal:
    row = session.get(models.StartProposal, proposal_id)
    if row is None or row.site_id != site_id:
        raise ProposalError(f"no start proposal {proposal_id} for site '{site_id}'")
    if row.state != "pending":
        raise ProposalError(f"start proposal {proposal_id} is {row.state}, not pending")
    return row


def confirm_start(
    session: Session, site_id: str, proposal_id: int, by: str, now: dt.datetime, note: str = ""
) -> models.StartProposal:
    """The operator confirms: the start's actual date is set and the site is in the started batch from that
    day (its signed period before it is kept). Commits; rescoring the days since is the caller's."""
    row = _pending(session, site_id, proposal_id)
    row.state, row.decided_at, row.decided_by, row.note = "confirmed", now, by, note
    set_date(session, site_id, Milestone.start, "actual", row.day, by, now, f"start proposal {row.id} confirmed")
    session.add(models.BatchPeriod(site_id=site_id, batch=Batch.started.value, since=row.day, by=by, at=now))
    session.commit()
    return row


def reject_start(
    session: Session, site_id: str, proposal_id: int, by: str, now: dt.datetime, note: str = ""
) -> models.StartProposal:
    """The operator rejects: the site stays signed; its days up to the window's end are not proposed again."""
    row = _pending(session, site_id, proposal_id)
    row.state, row.decided_at, row.decided_by, row.note = "rejected", now, by, note
    session.commit()
    return row
