"""The APScheduler jobs of one deployment: what runs when. The jobs themselves are in ``jobs``; the lease
that decides which process runs them is in ``leadership``.

Every ``sampling.interval_seconds``: the sweep, then its steps (``jobs.AFTER_SWEEP``: running score, alert
rules), each queued as its own job when the one before it has finished. Daily: the score, the export, the
snapshot clean-up; once at start: the catch-up of missed days; every minute / 5 s: the outboxes.
"""

from __future__ import annotations

import datetime as dt
import itertools
import logging
from collections.abc import Callable
from dataclasses import dataclass

from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_EXECUTED, JobExecutionEvent
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from monitor.core.clock import utc_now
from monitor.delivery.receivers import assessment_receiver
from monitor.service.jobs import (
    AFTER_SWEEP,
    ALERT_WEBHOOK_JOB_ID,
    CATCH_UP_JOB_ID,
    DAILY_SCORE_JOB_ID,
    DELIVERY_JOB_ID,
    EXPORT_JOB_ID,
    SNAPSHOT_CLEANUP_JOB_ID,
    SWEEP_JOB_ID,
    TIMELAPSE_JOB_ID,
    catch_up,
    clean_up_snapshots,
    deliver,
    export_today,
    make_timelapses,
    score_today,
)
from monitor.service.leadership import CRON_JOBS, DAILY_MISFIRE_GRACE_S, LEASE_JOB_ID, LEASE_TTL, Leadership
from monitor.service.runtime import Runtime

log = logging.getLogger(__name__)

ALERT_WEBHOOK_EVERY_S = 5
TIMELAPSE_AT = dt.time(0, 20)  # local: yesterday's time-lapses, after midnight, before the snapshot clean-up


def chain_after_sweep(scheduler: BackgroundScheduler, runtime: Runtime) -> None:
    """Queue each step of ``AFTER_SWEEP`` as a one-off job when the job before it has ended (a failed step
    does not hold back the next: the alert rules still run on the last stored score)."""
    follows = {SWEEP_JOB_ID: AFTER_SWEEP[0]} | {before[0]: after for before, after in itertools.pairwise(AFTER_SWEEP)}

    def on_end(event: JobExecutionEvent) -> None:
        step = follows.get(event.job_id)
        if step is None or not scheduler.running:
            return
        job_id, name, func = step
        scheduler.add_job(func, args=[runtime], id=job_id, name=name, replace_existing=True, misfire_grace_time=None)

    scheduler.add_listener(on_end, EVENT_JOB_EXECUTED | EVENT_JOB_ERROR)


def _add_daily(
    scheduler: BackgroundScheduler,
    runtime: Runtime,
    func: Callable[[Runtime], None],
    at: dt.time,
    job_id: str,
    name: str,
) -> None:
    """A job once a day at local time ``at``; coalesced, and still run if it fires up to six hours late."""
    scheduler.add_job(
        func,
        CronTrigger(hour=at.hour, minute=at.minute, timezone=runtime.config.tz),
        args=[runtime],
        id=job_id,
        name=name,
        replace_existing=True,
        coalesce=True,
        max_instances=1,
        misfire_grace_time=DAILY_MISFIRE_GRACE_S,
    )


@dataclass
class Jobs:
    """A deployment's scheduler and, when it waits for the lease, the lease holder to release on stop."""

    scheduler: BackgroundScheduler
    leadership: Leadership | None = None

    def start(self) -> None:
        self.scheduler.start()

    def stop(self) -> None:
        self.scheduler.shutdown(wait=True)
        if self.leadership is not None:
            self.leadership.release()


def _add_outbox(
    scheduler: BackgroundScheduler,
    func: Callable[[], object],
    every_s: int,
    job_id: str,
    name: str,
    first_run: dict[str, object],
) -> None:
    """An outbox round every ``every_s``: never two at once; after a stall, one round, not a burst."""
    scheduler.add_job(
        func,
        IntervalTrigger(seconds=every_s),
        id=job_id,
        name=name,
        replace_existing=True,
        coalesce=True,
        max_instances=1,
        misfire_grace_time=300,
        **first_run,
    )


def build_scheduler(runtime: Runtime, start_now: bool = True) -> BackgroundScheduler:
    """A scheduler with the sampling sweep and the daily jobs (see ``build_jobs``)."""
    return build_jobs(runtime, start_now).scheduler


def build_jobs(runtime: Runtime, start_now: bool = True) -> Jobs:
    """The sampling sweep and the daily jobs. Not started: the caller starts and stops them.

    With ``start_now`` the jobs wait (paused) for the lease; without it they are scheduled as they are
    (tests that drive jobs themselves)."""
    sampling = runtime.config.sampling
    scheduler = BackgroundScheduler(timezone=runtime.config.tz)
    chain_after_sweep(scheduler, runtime)
    first_run: dict[str, object] = {"next_run_time": None} if start_now else {}
    scheduler.add_job(
        runtime.sweep,
        IntervalTrigger(seconds=sampling.interval_seconds, timezone=runtime.config.tz),
        id=SWEEP_JOB_ID,
        name="sample every camera",
        replace_existing=True,
        coalesce=True,  # after a stall, one catch-up sweep, not a burst
        max_instances=1,  # a slow sweep is never overlapped by the next
        misfire_grace_time=sampling.misfire_grace_seconds,
        **first_run,
    )
    _add_daily(
        scheduler, runtime, score_today, runtime.config.scoring.run_at, DAILY_SCORE_JOB_ID, "score every site for today"
    )
    scheduler.add_job(
        catch_up,
        args=[runtime],
        id=CATCH_UP_JOB_ID,
        name="score days missed while stopped",
        replace_existing=True,
        misfire_grace_time=DAILY_MISFIRE_GRACE_S,
        **first_run,
    )
    _add_daily(
        scheduler,
        runtime,
        export_today,
        runtime.config.export.run_at,
        EXPORT_JOB_ID,
        "write the daily assessment and queue its records",
    )
    _add_daily(
        scheduler,
        runtime,
        clean_up_snapshots,
        sampling.snapshot_cleanup_at,
        SNAPSHOT_CLEANUP_JOB_ID,
        "delete snapshots past their retention or over the disk budget",
    )
    _add_daily(
        scheduler, runtime, make_timelapses, TIMELAPSE_AT, TIMELAPSE_JOB_ID, "make yesterday's time-lapse of each site"
    )
    if runtime.config.export.delivery is not None:
        receiver = assessment_receiver(runtime.config.export.delivery)
        _add_outbox(
            scheduler,
            lambda: deliver(runtime, receiver),
            60,
            DELIVERY_JOB_ID,
            "deliver queued records to the scheduling system",
            first_run,
        )
    if runtime.alerts is not None and runtime.config.alerts.webhook is not None:
        alerts = runtime.alerts
        _add_outbox(
            scheduler,
            lambda: alerts.deliver(runtime.clock()),
            ALERT_WEBHOOK_EVERY_S,
            ALERT_WEBHOOK_JOB_ID,
            "send queued alert events to the webhook",
            first_run,
        )
    if start_now:
        for job_id in CRON_JOBS:
            scheduler.get_job(job_id).pause()
        leadership = Leadership(runtime, scheduler)
        scheduler.add_job(
            leadership.tick,
            IntervalTrigger(seconds=LEASE_TTL.total_seconds() / 3),
            id=LEASE_JOB_ID,
            name="hold the scheduler lease",
            replace_existing=True,
            coalesce=True,
            max_instances=1,
            next_run_time=utc_now(),  # APScheduler runs on real time
        )
        return Jobs(scheduler, leadership)
    return Jobs(scheduler)
