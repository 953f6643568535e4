"""The scheduler lease: only the process that holds it runs a deployment's jobs."""

from __future__ import annotations

import datetime as dt
import logging

from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy.exc import SQLAlchemyError

from monitor.core.clock import Clock
from monitor.service.runtime import Runtime
from monitor.service.schedule import BY_ID, CATCH_UP, DAILY_JOBS, LEASE_EVERY_S, LED_JOBS
from monitor.store.faults import StorageFault, fault_of
from monitor.store.lease import acquire, holder_id, holder_of, release

log = logging.getLogger(__name__)

# A daily job that fires late (server busy, clock jump, restart) still runs within six hours; APScheduler's
# default of one second would silently skip the day.
DAILY_MISFIRE_GRACE_S = 6 * 3600

LEASE_NAME = "scheduler"
LEASE_TTL = dt.timedelta(seconds=3 * LEASE_EVERY_S)


class Leadership:
    """Runs the deployment's jobs only while this process holds the scheduler lease in the database.

    Several `sitemon run` processes (or a restart overlapping the old process) then never sample or
    score twice: the others stand by and take over within a minute if the holder stops.
    """

    def __init__(
        self, runtime: Runtime, scheduler: BackgroundScheduler, holder: str | None = None, clock: Clock | None = None
    ) -> None:
        """``clock``: the lease is shared between processes, so it runs on real time: the runtime's (the CLI's
        wall clock) unless a test injects another."""
        self.runtime = runtime
        self.scheduler = scheduler
        self.holder = holder or holder_id()
        self.leading = False
        self.clock = clock or runtime.clock

    @staticmethod
    def daily_jobs() -> tuple[str, ...]:
        return DAILY_JOBS

    def tick(self) -> bool:
        now = self.clock()
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
            catch_up = BY_ID[CATCH_UP].bind(self.runtime)
            self.scheduler.add_job(
                catch_up,
                id=CATCH_UP,
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
                if job_id in DAILY_JOBS:
                    self.scheduler.resume_job(job_id)
                else:
                    self.scheduler.modify_job(job_id, next_run_time=now)
        elif not held and self.leading:
            log.warning("scheduler lease lost to another process (%s); standing by", self._holder_now())
            for job_id in LED_JOBS:
                if self.scheduler.get_job(job_id) is not None:
                    self.scheduler.pause_job(job_id)
            self.runtime.sweeper.flush()  # samples held during an outage are still ours to write
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
                holder = holder_of(session, LEASE_NAME)
        except SQLAlchemyError:
            return "unknown"
        return holder or "nobody"

    def release(self) -> None:
        if self.leading:
            with self.runtime.sessions() as session:
                release(session, LEASE_NAME, self.holder)
            self.leading = False
