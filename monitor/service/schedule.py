"""Every scheduled job of a deployment, declared once: its id, when it runs, what it runs (bound to exactly the
dependencies it needs), whether only the lease holder runs it, and which job it follows.

``scheduling`` makes the APScheduler jobs from this table, ``leadership`` the jobs it pauses and resumes, and
docs/architecture.md shows it (``jobs_markdown``; tests/test_architecture.py keeps the page equal to it).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from monitor.config import AppConfig
from monitor.delivery.receivers import alert_receiver, assessment_receiver
from monitor.sampling.sweep import SweepResult
from monitor.service import jobs
from monitor.service.runtime import Runtime

TIMELAPSE_AT = dt.time(0, 20)
"""Local: yesterday's time-lapses, after midnight, before the snapshot clean-up."""
OUTBOX_EVERY_S = 60
ALERT_WEBHOOK_EVERY_S = 5
LEASE_EVERY_S = 20
"""A third of the lease's 60 s: a holder renews it twice before it could lapse."""


@dataclass(frozen=True)
class Every:
    """Every ``seconds(config)`` seconds; after a stall one run, not a burst; never two at once."""

    seconds: Callable[[AppConfig], int]
    said: str

    def describe(self) -> str:
        return f"every {self.said}"


@dataclass(frozen=True)
class Daily:
    """Once a day at the local time ``at(config)``; still run if it fires up to six hours late."""

    at: Callable[[AppConfig], dt.time]
    said: str

    def describe(self) -> str:
        return f"daily at {self.said}"


@dataclass(frozen=True)
class AtStart:
    """Once, when the process starts (or takes the lease)."""

    def describe(self) -> str:
        return "at start"


@dataclass(frozen=True)
class After:
    """Queued as a one-off job when ``job`` has ended (a failed step does not hold back the next)."""

    job: str

    def describe(self) -> str:
        return f"after `{self.job}`"


Trigger = Every | Daily | AtStart | After
Bound = Callable[[], object]


@dataclass(frozen=True)
class Job:
    id: str
    name: str
    trigger: Trigger
    bind: Callable[[Runtime], Bound | None]
    """The job's function with its dependencies taken from the runtime (the composition); None: not in this
    deployment (no receiver configured)."""
    does: str
    """Where the work is, for the docs."""
    leader_only: bool = True


SWEEP = "sample-sweep"
RUNNING_SCORE = "running-score"
ASSIGNMENT_STATES = "assignment-states"
ALERT_RULES = "alert-rules"
DAILY_SCORE = "daily-score"
CATCH_UP = "score-catch-up"
EXPORT = "daily-export"
SNAPSHOT_CLEANUP = "snapshot-cleanup"
TIMELAPSE = "day-timelapse"
DELIVERY = "deliver-records"
ALERT_WEBHOOK = "alert-webhook"
LEASE = "scheduler-lease"


def _records(r: Runtime) -> Bound | None:
    delivery = r.config.export.delivery
    if delivery is None:
        return None
    receiver = assessment_receiver(delivery)
    return lambda: jobs.deliver(r.sessions, receiver, r.clock)


def _alert_events(r: Runtime) -> Bound | None:
    webhook = r.config.alerts.webhook
    if r.alerts is None or webhook is None:
        return None
    receiver = alert_receiver(webhook)
    return lambda: jobs.deliver(r.sessions, receiver, r.clock)


# The lambdas look the job functions up at call time (``jobs.x``), so a test may replace one.
JOBS: tuple[Job, ...] = (
    Job(
        SWEEP,
        "sample every camera",
        Every(lambda c: c.sampling.interval_seconds, "`sampling.interval_seconds`"),
        lambda r: r.sweep,
        "`Runtime.sweep`: monitor/execution -> sources, sampling -> store",
    ),
    Job(
        RUNNING_SCORE,
        "today's running score of the sites the sweep touched",
        After(SWEEP),
        lambda r: lambda: jobs.score_running(r.sessions, r.config, r.clock, r.last_sweep),
        "monitor/scoring -> `daily_scores`",
    ),
    Job(
        ASSIGNMENT_STATES,
        "turn assignments overdue, mark activity resumed",
        After(RUNNING_SCORE),
        lambda r: lambda: jobs.update_assignments(r.sessions, r.config, r.clock),
        "monitor/assignments -> `assignments`",
    ),
    Job(
        ALERT_RULES,
        "evaluate the alert rules",
        After(ASSIGNMENT_STATES),
        lambda r: lambda: jobs.evaluate_alerts(r.alerts, r.clock),
        "monitor/alerts -> `alerts`, outbox topic `alert`, MQTT",
    ),
    Job(
        DAILY_SCORE,
        "score every site for today",
        Daily(lambda c: c.scoring.run_at, "`scoring.run_at`"),
        lambda r: lambda: jobs.score_today(r.sessions, r.config, r.clock),
        "monitor/scoring -> `daily_scores`; start proposals: monitor/milestones",
    ),
    Job(
        CATCH_UP,
        "score days missed while stopped",
        AtStart(),
        lambda r: lambda: jobs.catch_up(r.sessions, r.config, r.clock),
        "monitor/scoring, monitor/export (the days missed)",
    ),
    Job(
        EXPORT,
        "write the daily assessment and queue its records",
        Daily(lambda c: c.export.run_at, "`export.run_at`"),
        lambda r: lambda: jobs.export_today(r.sessions, r.config, r.clock),
        "monitor/export -> files, outbox topic `assessment`",
    ),
    Job(
        SNAPSHOT_CLEANUP,
        "delete snapshots past their retention or over the disk budget",
        Daily(lambda c: c.sampling.snapshot_cleanup_at, "`sampling.snapshot_cleanup_at`"),
        lambda r: lambda: jobs.clean_up_snapshots(r.snapshot_root, r.sessions, r.config, r.clock, r.snapshot_cleanup),
        "monitor/sampling/retention (files), monitor/store/snapshot_evidence (what to keep)",
    ),
    Job(
        TIMELAPSE,
        "make yesterday's time-lapse of each site",
        Daily(lambda c: TIMELAPSE_AT, TIMELAPSE_AT.strftime("%H:%M")),
        lambda r: lambda: jobs.make_timelapses(r.snapshot_root, r.sessions, r.config, r.clock),
        "monitor/export/timelapse -> MP4 per site-day",
    ),
    Job(
        DELIVERY,
        "deliver queued records to the scheduling system",
        Every(lambda c: OUTBOX_EVERY_S, f"{OUTBOX_EVERY_S} s"),
        _records,
        "monitor/delivery (topic `assessment`; only with `export.delivery`)",
    ),
    Job(
        ALERT_WEBHOOK,
        "send queued alert events to the webhook",
        Every(lambda c: ALERT_WEBHOOK_EVERY_S, f"{ALERT_WEBHOOK_EVERY_S} s"),
        _alert_events,
        "monitor/delivery (topic `alert`; only with `alerts.webhook`)",
    ),
    Job(
        LEASE,
        "hold the scheduler lease",
        Every(lambda c: LEASE_EVERY_S, f"{LEASE_EVERY_S} s"),
        lambda r: None,  # bound by ``scheduling`` to the process's ``Leadership``
        "monitor/service/leadership -> `leases`: runs or pauses every other job",
        leader_only=False,
    ),
)
BY_ID = {job.id: job for job in JOBS}
LED_JOBS = tuple(job.id for job in JOBS if job.leader_only)
"""The jobs only the lease holder runs."""
DAILY_JOBS = tuple(job.id for job in JOBS if isinstance(job.trigger, Daily))
"""Paused while standing by, resumed (not run at once) on taking the lease."""


def followers(job_id: str) -> list[Job]:
    """The jobs queued when ``job_id`` ends."""
    return [job for job in JOBS if isinstance(job.trigger, After) and job.trigger.job == job_id]


def after_sweep() -> list[Job]:
    """The steps after a sweep, in order."""
    chain, at = [], SWEEP
    while nexts := followers(at):
        chain.append(nexts[0])
        at = nexts[0].id
    return chain


def run_job(runtime: Runtime, job_id: str) -> object:
    """Run one job of the table now, in this thread (None when it is not in this deployment)."""
    bound = BY_ID[job_id].bind(runtime)
    return bound() if bound is not None else None


def run_after_sweep(runtime: Runtime) -> None:
    """The steps after a sweep, in this thread."""
    for job in after_sweep():
        bound = job.bind(runtime)
        if bound is not None:
            bound()


def sweep_cycle(runtime: Runtime) -> SweepResult:
    """A sweep and the steps after it, in this thread (`sitemon sweep`, the tests)."""
    result = runtime.sweep()
    run_after_sweep(runtime)
    return result


def jobs_markdown() -> str:
    """The table as docs/architecture.md shows it."""
    rows = ["| job | when | what | runs on |", "| --- | --- | --- | --- |"]
    for job in JOBS:
        where = "the lease holder" if job.leader_only else "every process"
        rows.append(f"| `{job.id}` | {job.trigger.describe()} | {job.name}: {job.does} | {where} |")
    return "\n".join(rows)
