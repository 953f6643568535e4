"""The start seen on camera, in the database: propose it with its evidence; an operator confirms or rejects."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from sqlalchemy.orm import Session

from monitor.config import AppConfig, Batch, Milestone, SiteConfig
from monitor.milestones import repository
from monitor.milestones.detection import ProposalState, StartSeen, WorkingDay, detect_start
from monitor.milestones.repository import Proposal
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
    observed = repository.observed_statuses(session, site.id, after, through)
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
        parts = repository.score_parts(session, site_id, wd.day)
        sample_id = repository.busiest_snapshot(session, site_id, config.calendar.working_window(wd.day))
        out.append(
            {
                "day": wd.day.isoformat(),
                "status": wd.status,
                "score": parts.get("observed_score"),
                "active_share": parts.get("active_share"),
                "coverage": parts.get("coverage"),
                "sample_id": sample_id,
                "snapshot_url": f"/api/samples/{sample_id}/snapshot" if sample_id is not None else None,
            }
        )
    return out


def propose_starts(session: Session, config: AppConfig, through: dt.date, now: dt.datetime) -> list[Proposal]:
    """For each signed site without a pending proposal, look for a start in its finished days up to
    ``through`` (after its last rejected window) and propose it. Commits."""
    made = []
    for site in config.sites:
        if batch_on(session, site, through) is not Batch.signed:
            continue
        last_days = repository.last_days(session, site.id)
        if ProposalState.pending in last_days or ProposalState.confirmed in last_days:
            continue
        rejected = last_days.get(ProposalState.rejected, dt.date.min)
        after = max(rejected, through - dt.timedelta(days=HORIZON_DAYS))
        seen = detect_start(_working_days(session, config, site, after, through), config.milestones)
        if seen is None:
            continue
        evidence = _evidence(session, config, site.id, seen)
        made.append(repository.add_proposal(session, site.id, seen.day, seen.window[-1].day, evidence, now))
        log.info("site %s: start seen on camera on %s (proposed; waits for an operator)", site.id, seen.day)
    session.commit()
    return made


def _pending(session: Session, site_id: str, proposal_id: int) -> Proposal:
    found = repository.proposal(session, proposal_id)
    if found is None or found.site_id != site_id:
        raise ProposalError(f"no start proposal {proposal_id} for site '{site_id}'")
    if found.state is not ProposalState.pending:
        raise ProposalError(f"start proposal {proposal_id} is {found.state}, not pending")
    return found


def confirm_start(
    session: Session, site_id: str, proposal_id: int, by: str, now: dt.datetime, note: str = ""
) -> Proposal:
    """The operator confirms: the start's actual date is set and the site is in the started batch from that
    day (its signed period before it is kept). Commits; rescoring the days since is the caller's."""
    found = _pending(session, site_id, proposal_id)
    decided = repository.decide(session, proposal_id, ProposalState.confirmed, by, now, note)
    set_date(session, site_id, Milestone.start, "actual", found.day, by, now, f"start proposal {found.id} confirmed")
    repository.move_batch(session, site_id, Batch.started, found.day, by, now)
    session.commit()
    return decided


def reject_start(
    session: Session, site_id: str, proposal_id: int, by: str, now: dt.datetime, note: str = ""
) -> Proposal:
    """The operator rejects: the site stays signed; its days up to the window's end are not proposed again."""
    _pending(session, site_id, proposal_id)
    decided = repository.decide(session, proposal_id, ProposalState.rejected, by, now, note)
    session.commit()
    return decided
