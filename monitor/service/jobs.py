"""What each scheduled job does, as plain functions of the runtime (the scheduler is in ``scheduling``).

After every sweep come two steps of their own, in this order: the running score of the sites the sweep
touched, then the alert rules over it (``AFTER_SWEEP``). ``sweep_cycle`` runs the three at once, as
`sitemon sweep` and the tests do.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable

from sqlalchemy import select

from monitor.delivery.outbox import deliver_due
from monitor.delivery.receivers import Receiver
from monitor.export.job import days_to_export, export_day
from monitor.export.timelapse import make_day
from monitor.milestones.starts import propose_starts
from monitor.sampling.sweep import SweepResult
from monitor.scoring.daily import days_to_catch_up, score_days
from monitor.service.retention import clean_snapshots
from monitor.service.runtime import Runtime
from monitor.store import models

log = logging.getLogger(__name__)

SWEEP_JOB_ID = "sample-sweep"
RUNNING_SCORE_JOB_ID = "running-score"
ALERT_RULES_JOB_ID = "alert-rules"
DAILY_SCORE_JOB_ID = "daily-score"
CATCH_UP_JOB_ID = "score-catch-up"
EXPORT_JOB_ID = "daily-export"
DELIVERY_JOB_ID = "deliver-records"
ALERT_WEBHOOK_JOB_ID = "alert-webhook"
SNAPSHOT_CLEANUP_JOB_ID = "snapshot-cleanup"
TIMELAPSE_JOB_ID = "day-timelapse"


def score_running(runtime: Runtime) -> None:
    runtime.score_running()


def evaluate_alerts(runtime: Runtime) -> None:
    runtime.evaluate_alerts()


AFTER_SWEEP: tuple[tuple[str, str, Callable[[Runtime], None]], ...] = (
    (RUNNING_SCORE_JOB_ID, "today's running score of the sites the sweep touched", score_running),
    (ALERT_RULES_JOB_ID, "evaluate the alert rules", evaluate_alerts),
)
"""The steps that follow each sweep, in order: (job id, name, function)."""


def sweep_cycle(runtime: Runtime) -> SweepResult:
    """A sweep and the steps after it, in this thread."""
    result = runtime.sweep()
    for _, _, step in AFTER_SWEEP:
        step(runtime)
    return result


def score_today(runtime: Runtime) -> None:
    today = runtime.config.calendar.today(runtime.clock)
    with runtime.sessions() as session:
        score_days(session, runtime.config, [today], now=runtime.clock())
        # The day is finished: a signed site's sustained work up to it may be its start (an operator decides).
        propose_starts(session, runtime.config, today, runtime.clock())


def catch_up(runtime: Runtime) -> None:
    with runtime.sessions() as session:
        days = days_to_catch_up(session, runtime.config, runtime.clock())
        if days:
            log.info("scoring %d day(s) that were missed: %s", len(days), ", ".join(map(str, days)))
            score_days(session, runtime.config, days, now=runtime.clock())
            propose_starts(session, runtime.config, max(days), runtime.clock())
        for day in days_to_export(session, runtime.config, runtime.clock()):
            export_day(session, runtime.config, day, runtime.clock())


def export_today(runtime: Runtime) -> None:
    today = runtime.config.calendar.today(runtime.clock)
    with runtime.sessions() as session:
        if not session.scalars(select(models.DailyScore.id).where(models.DailyScore.day == today)).first():
            score_days(session, runtime.config, [today], now=runtime.clock())
        export_day(session, runtime.config, today, runtime.clock())


def clean_up_snapshots(runtime: Runtime) -> None:
    """Snapshots past their retention or over the disk budget, and left-over temporary files."""
    now = runtime.clock()
    sampling = runtime.config.sampling
    result = clean_snapshots(runtime.snapshot_root, runtime.sessions, sampling, runtime.config.tz, now)
    runtime.snapshot_cleanup.add(result, now)


def make_timelapses(runtime: Runtime) -> None:
    """Yesterday as a time-lapse for every site with snapshots of it (the day has ended: made once)."""
    yesterday = runtime.config.calendar.today(runtime.clock) - dt.timedelta(days=1)
    keep = runtime.config.sampling.snapshot_retention_days
    with runtime.sessions() as session:
        made = make_day(session, runtime.snapshot_root, yesterday, runtime.config.tz, keep)
    log.info("time-lapses of %s: %d site(s)", yesterday, len(made))


def deliver(runtime: Runtime, receiver: Receiver) -> None:
    with runtime.sessions() as session:
        deliver_due(session, receiver, runtime.clock())
