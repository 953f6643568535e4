"""The APScheduler jobs of one deployment."""

from __future__ import annotations

import datetime as dt
import logging

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.interval import IntervalTrigger

from monitor.runtime import Runtime

log = logging.getLogger(__name__)

SWEEP_JOB_ID = "sample-sweep"


def build_scheduler(runtime: Runtime, start_now: bool = True) -> BackgroundScheduler:
    """A scheduler with the sampling sweep. Not started: the caller starts and stops it."""
    sampling = runtime.config.sampling
    scheduler = BackgroundScheduler(timezone=runtime.config.tz)
    first_run = {"next_run_time": dt.datetime.now(dt.UTC)} if start_now else {}
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
    return scheduler
