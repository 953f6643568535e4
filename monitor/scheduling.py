"""The APScheduler jobs of one deployment."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from monitor.daily import days_to_catch_up, score_days
from monitor.delivery.outbox import deliver_due
from monitor.delivery.receivers import Receiver, assessment_receiver
from monitor.export.job import days_to_export, export_day
from monitor.milestones.starts import propose_starts
from monitor.retention import clean_snapshots
from monitor.runtime import Runtime
from monitor.store import models
from monitor.store.faults import StorageFault, fault_of
from monitor.store.lease import acquire, holder_id, release

log = logging.getLogger(__name__)

SWEEP_JOB_ID = "sample-sweep"
DAILY_SCORE_JOB_ID = "daily-score"
CATCH_UP_JOB_ID = "score-catch-up"
EXPORT_JOB_ID = "daily-export"
DELIVERY_JOB_ID = "deliver-records"
ALERT_WEBHOOK_JOB_ID = "alert-webhook"
SNAPSHOT_CLEANUP_JOB_ID = "snapshot-cleanup"
ALERT_WEBHOOK_EVERY_S = 5
# A daily job that fires late (server busy, clock jump, restart) still runs within six hours; APScheduler's
# default of one second would silently skip the day.
DAILY_MISFIRE_GRACE_S = 6 * 3600


def score_today(runtime: Runtime) -> None:
    today = runtime.clock().astimezone(runtime.config.tz).date()
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
    today = runtime.clock().astimezone(runtime.config.tz).date()
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


def deliver(runtime: Runtime, receiver: Receiver) -> None:
    with runtime.sessions() as session:
        deliver_due(session, receiver, runtime.clock())


LEASE_JOB_ID = "scheduler-lease"
LEASE_NAME = "scheduler"
LEASE_TTL = dt.timedelta(seconds=60)
LED_JOBS = (
    SWEEP_JOB_ID,
    DAILY_SCORE_JOB_ID,
    CATCH_UP_JOB_ID,
    EXPORT_JOB_ID,
    DELIVERY_JOB_ID,
    ALERT_WEBHOOK_JOB_ID,
    SNAPSHOT_CLEANUP_JOB_ID,
)
CRON_JOBS = (DAILY_SCORE_JOB_ID, EXPORT_JOB_ID, SNAPSHOT_CLEANUP_JOB_ID)


class Leadership:
    """Runs the deployment's jobs only while this process holds the scheduler lease in the database.

    Several `sitemon run` processes (or a restart overlapping the old process) then never sample or
    score twice: the others stand by and take over within a minute if the holder stops.
    """

    def __init__(self, runtime: Runtime, scheduler: BackgroundScheduler, holder: str | None = None) -> None:
        self.runtime = runtime
        self.scheduler = scheduler
        self.holder = holder or holder_id()
        self.leading = False

    def tick(self) -> bool:
        now = dt.datetime.now(dt.UTC)
        try:
            with self.runtime.sessions() as session:
                held = acquire(session, LEASE_NAME, self.holder, LEASE_TTL, now)
        except SQLAlchemyError as exc:
            return self._cannot_write(exc)
        recovered = not self.runtime.storage.state.writable
        self.runtime.storage.succeeded()
        if recovered and held and self.leading:
            # Scoring and export may have failed while the database was away: look for missed days now,
            # before the retention job takes an unscored day for one that was never assessed.
            self.scheduler.add_job(
                catch_up,
                args=[self.runtime],
                id=CATCH_UP_JOB_ID,
                name="score days missed while the database was away",
                replace_existing=True,
                misfire_grace_time=DAILY_MISFIRE_GRACE_S,
                next_run_time=now,
            )
        if held and not self.leading:
            log.info("this process (%s) now runs the scheduled jobs", self.holder)
            for job_id in LED_JOBS:
                if self.scheduler.get_job(job_id) is None:
                    continue
                if job_id in CRON_JOBS:
                    self.scheduler.resume_job(job_id)
                else:
                    self.scheduler.modify_job(job_id, next_run_time=now)
        elif not held and self.leading:
            log.warning("scheduler lease lost to another process (%s); standing by", self._holder_now())
            for job_id in LED_JOBS:
                if self.scheduler.get_job(job_id) is not None:
                    self.scheduler.pause_job(job_id)
            writer = getattr(self.runtime.sweeper, "writer", None)
            if writer is not None:
                writer.flush()  # samples held during an outage are still ours to write
        self.leading = held
        return held

    def _cannot_write(self, exc: SQLAlchemyError) -> bool:
        """The lease cannot be renewed because the database does not take writes: that is no reason to stop.

        A leader keeps sampling (the writer holds the samples); another process cannot take the lease from a
        database nobody can write either, and if only this process is cut off, the unique camera-and-slot
        key drops the samples both took."""
        fault = fault_of(exc) or StorageFault.unavailable
        self.runtime.storage.failed(fault, exc, "scheduler lease")
        if self.leading:
            log.warning("scheduler lease not renewed (%s); this process keeps sampling and holds the samples", fault)
        else:
            log.warning("scheduler lease not taken (%s); standing by", fault)
        return self.leading

    def _holder_now(self) -> str:
        try:
            with self.runtime.sessions() as session:
                holder = session.scalar(select(models.Lease.holder).where(models.Lease.name == LEASE_NAME))
        except SQLAlchemyError:
            return "unknown"
        return holder or "nobody"

    def release(self) -> None:
        if self.leading:
            with self.runtime.sessions() as session:
                release(session, LEASE_NAME, self.holder)
            self.leading = False


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
            next_run_time=dt.datetime.now(dt.UTC),
        )
        return Jobs(scheduler, leadership)
    return Jobs(scheduler)
