"""The APScheduler jobs of one deployment, made from the table of jobs (``schedule.JOBS``): what runs when.
The lease that decides which process runs them is in ``leadership``.

An ``Every`` job is an interval job (coalesced, never two at once); a ``Daily`` job a cron job in the
configured zone; an ``AtStart`` job runs once; an ``After`` job is queued as a one-off job when the job it
follows has ended, so the steps after a sweep run in order without holding the sweep.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_EXECUTED, JobExecutionEvent
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from monitor.core.clock import utc_now
from monitor.service.leadership import DAILY_MISFIRE_GRACE_S, Leadership
from monitor.service.runtime import Runtime
from monitor.service.schedule import JOBS, LEASE, SWEEP, After, AtStart, Bound, Daily, Every, Job, followers

log = logging.getLogger(__name__)

OUTBOX_MISFIRE_GRACE_S = 300


def chain_after(scheduler: BackgroundScheduler, runtime: Runtime) -> None:
    """Queue each ``After`` job when the job it follows has ended (a failed step does not hold back the next:
    the alert rules still run on the last stored score)."""

    def on_end(event: JobExecutionEvent) -> None:
        if not scheduler.running:
            return
        for job in followers(event.job_id):
            bound = job.bind(runtime)
            if bound is not None:
                scheduler.add_job(bound, id=job.id, name=job.name, replace_existing=True, misfire_grace_time=None)

    scheduler.add_listener(on_end, EVENT_JOB_EXECUTED | EVENT_JOB_ERROR)


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


def _add(scheduler: BackgroundScheduler, runtime: Runtime, job: Job, func: Bound, first_run: dict[str, object]) -> None:
    config = runtime.config
    trigger = job.trigger
    if isinstance(trigger, Every):
        grace = config.sampling.misfire_grace_seconds if job.id == SWEEP else OUTBOX_MISFIRE_GRACE_S
        zone = {"timezone": config.tz} if job.id == SWEEP else {}
        scheduler.add_job(
            func,
            IntervalTrigger(seconds=trigger.seconds(config), **zone),
            id=job.id,
            name=job.name,
            replace_existing=True,
            coalesce=True,  # after a stall, one run, not a burst
            max_instances=1,  # a slow run is never overlapped by the next
            misfire_grace_time=grace,
            **first_run,
        )
    elif isinstance(trigger, Daily):
        at = trigger.at(config)
        scheduler.add_job(
            func,
            CronTrigger(hour=at.hour, minute=at.minute, timezone=config.tz),
            id=job.id,
            name=job.name,
            replace_existing=True,
            coalesce=True,
            max_instances=1,
            misfire_grace_time=DAILY_MISFIRE_GRACE_S,
        )
    elif isinstance(trigger, AtStart):
        scheduler.add_job(
            func, id=job.id, name=job.name, replace_existing=True, misfire_grace_time=DAILY_MISFIRE_GRACE_S, **first_run
        )
    else:  # After: queued by ``chain_after``
        assert isinstance(trigger, After)


def build_scheduler(runtime: Runtime, start_now: bool = True) -> BackgroundScheduler:
    """A scheduler with the table's jobs (see ``build_jobs``)."""
    return build_jobs(runtime, start_now).scheduler


def build_jobs(runtime: Runtime, start_now: bool = True) -> Jobs:
    """The table's jobs. Not started: the caller starts and stops them.

    With ``start_now`` the jobs wait (paused) for the lease; without it they are scheduled as they are
    (tests that drive jobs themselves) and there is no lease job."""
    scheduler = BackgroundScheduler(timezone=runtime.config.tz)
    chain_after(scheduler, runtime)
    first_run: dict[str, object] = {"next_run_time": None} if start_now else {}
    for job in JOBS:
        bound = job.bind(runtime)
        if bound is not None:
            _add(scheduler, runtime, job, bound, first_run)
    if not start_now:
        return Jobs(scheduler)
    leadership = Leadership(runtime, scheduler)
    for job_id in leadership.daily_jobs():
        scheduler.get_job(job_id).pause()
    lease = next(job for job in JOBS if job.id == LEASE)
    assert isinstance(lease.trigger, Every)
    scheduler.add_job(
        leadership.tick,
        IntervalTrigger(seconds=lease.trigger.seconds(runtime.config)),
        id=LEASE,
        name=lease.name,
        replace_existing=True,
        coalesce=True,
        max_instances=1,
        next_run_time=utc_now(),  # APScheduler runs on real time
    )
    return Jobs(scheduler, leadership)
