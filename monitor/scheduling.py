"""The APScheduler jobs of one deployment."""

from __future__ import annotations

import datetime as dt
import logging

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from monitor.daily import days_to_catch_up, score_days
from monitor.runtime import Runtime

log = logging.getLogger(__name__)

SWEEP_JOB_ID = "sample-sweep"
DAILY_SCORE_JOB_ID = "daily-score"
CATCH_UP_JOB_ID = "score-catch-up"
# A daily job that fires late (server busy, clock jump, restart) still runs within six hours; APScheduler's
# default of one second would silently skip the day.
DAILY_MISFIRE_GRACE_S = 6 * 3600


def score_today(runtime: Runtime) -> None:
    today = runtime.clock().astimezone(runtime.config.tz).date()
    with runtime.sessions() as session:
        score_days(session, runtime.config, [today], now=runtime.clock())


def catch_up(runtime: Runtime) -> None:
    with runtime.sessions() as session:
        days = days_to_catch_up(session, runtime.config, runtime.clock())
        if days:
            log.info("scoring %d day(s) that were missed: %s", len(days), ", ".join(map(str, days)))
            score_days(session, runtime.config, days, now=runtime.clock())


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
    run_at = runtime.config.scoring.run_at
    scheduler.add_job(
        score_today,
        CronTrigger(hour=run_at.hour, minute=run_at.minute, timezone=runtime.config.tz),
        args=[runtime],
        id=DAILY_SCORE_JOB_ID,
        name="score every site for today",
        replace_existing=True,
        coalesce=True,
        max_instances=1,
        misfire_grace_time=DAILY_MISFIRE_GRACE_S,
    )
    scheduler.add_job(
        catch_up,
        args=[runtime],
        id=CATCH_UP_JOB_ID,
        name="score days missed while stopped",
        replace_existing=True,
        misfire_grace_time=DAILY_MISFIRE_GRACE_S,
        **({"next_run_time": dt.datetime.now(dt.UTC)} if start_now else {}),
    )
    return scheduler
