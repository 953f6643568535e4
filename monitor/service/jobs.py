"""What each scheduled job does: plain functions of what each needs (a session factory, the config, a clock,
...), never the whole ``Runtime``. When each runs, in which order and on which process is declared once, in
``schedule.JOBS``; ``scheduling`` and ``leadership`` are made from that table.

After every sweep come three steps of their own, in this order: the running score of the sites the sweep
touched, the assignments' states (overdue, activity resumed), then the alert rules over both
(``schedule.after_sweep``). ``schedule.sweep_cycle`` runs them all at once, as `sitemon sweep` and the tests do.
"""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from monitor.alerts.engine import AlertService
from monitor.assignments.store import refresh as refresh_assignments
from monitor.config import AppConfig
from monitor.core.clock import Clock
from monitor.delivery.outbox import deliver_due
from monitor.delivery.receivers import Receiver
from monitor.export.job import days_to_export, export_day
from monitor.export.timelapse import make_day
from monitor.milestones.starts import propose_starts
from monitor.sampling.retention import SnapshotCleanup, clean_snapshots
from monitor.sampling.sweep import SweepResult
from monitor.scoring.daily import days_to_catch_up, score_days
from monitor.scoring.repository import scored_on
from monitor.store.snapshot_evidence import evidence_in

log = logging.getLogger(__name__)

Sessions = sessionmaker[Session]


def score_running(sessions: Sessions, config: AppConfig, clock: Clock, last: SweepResult | None) -> None:
    """Today's running score of the sites the last sweep touched, for the dashboard; the evening job replaces
    it with the day's final score of every site."""
    if last is None:
        return
    site_ids = {s.camera.site_id for s in last.samples} | {k.site_id for k in last.missing}
    today = config.calendar.today(clock)
    try:
        with sessions() as session:
            score_days(session, config, [today], site_ids, now=clock())
    except SQLAlchemyError as exc:
        log.warning("running score not updated: %s", type(exc).__name__)


def update_assignments(sessions: Sessions, config: AppConfig, clock: Clock) -> None:
    """Open assignments past their deadline turn overdue; activity resumed is marked (before the alert rules,
    which read both)."""
    try:
        with sessions() as session:
            refresh_assignments(session, config, config.calendar.today(clock))
    except SQLAlchemyError as exc:
        log.warning("assignment states not updated: %s", type(exc).__name__)


def evaluate_alerts(alerts: AlertService | None, clock: Clock) -> None:
    """The alert rules over the latest samples, scores and assignment states."""
    if alerts is not None:
        alerts.run(clock())


def score_today(sessions: Sessions, config: AppConfig, clock: Clock) -> None:
    today = config.calendar.today(clock)
    with sessions() as session:
        score_days(session, config, [today], now=clock())
        # The day is finished: a signed site's sustained work up to it may be its start (an operator decides).
        propose_starts(session, config, today, clock())


def catch_up(sessions: Sessions, config: AppConfig, clock: Clock) -> None:
    with sessions() as session:
        days = days_to_catch_up(session, config, clock())
        if days:
            log.info("scoring %d day(s) that were missed: %s", len(days), ", ".join(map(str, days)))
            score_days(session, config, days, now=clock())
            propose_starts(session, config, max(days), clock())
        for day in days_to_export(session, config, clock()):
            export_day(session, config, day, clock())


def export_today(sessions: Sessions, config: AppConfig, clock: Clock) -> None:
    today = config.calendar.today(clock)
    with sessions() as session:
        if not scored_on(session, today):
            score_days(session, config, [today], now=clock())
        export_day(session, config, today, clock())


def clean_up_snapshots(
    root: Path, sessions: Sessions, config: AppConfig, clock: Clock, cleanup: SnapshotCleanup
) -> None:
    """Snapshots past their retention or over the disk budget, and left-over temporary files."""
    now = clock()
    with sessions() as session:
        cleanup.add(clean_snapshots(root, config.sampling, now, evidence_in(session, config.calendar)), now)


def make_timelapses(root: Path, sessions: Sessions, config: AppConfig, clock: Clock) -> None:
    """Yesterday as a time-lapse for every site with snapshots of it (the day has ended: made once)."""
    yesterday = config.calendar.today(clock) - dt.timedelta(days=1)
    keep = config.sampling.snapshot_retention_days
    with sessions() as session:
        made = make_day(session, root, yesterday, config.calendar, keep)
    log.info("time-lapses of %s: %d site(s)", yesterday, len(made))


def deliver(sessions: Sessions, receiver: Receiver, clock: Clock) -> int:
    """The one owner of delivery: send what the outbox holds for ``receiver``'s topic and is due (records to
    the scheduling system, alert events to the webhook); a database away is logged, the next round retries.
    Returns how many went out."""
    try:
        with sessions() as session:
            return deliver_due(session, receiver, clock()).delivered
    except SQLAlchemyError as exc:
        log.warning("%s delivery: database unavailable (%s); next round", receiver.topic, type(exc).__name__)
        return 0
