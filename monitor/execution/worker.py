"""The worker's side: one model per process, and the task that samples a few cameras for one slot.

`sitemon worker` builds a :class:`WorkerContext` (model, database, sources) before it takes any task,
so a bad model or an out-of-date database stops it at once with a clear message. Tasks run on a
thread pool inside that one process and share its model.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any, ClassVar

from celery import Celery, bootsteps
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from detectors import CategoryMap, Detector
from monitor.config import AppConfig, CameraConfig, SiteConfig
from monitor.core.backoff import HELD_SAMPLES, TASK_RETRY
from monitor.core.clock import Clock
from monitor.core.values import CameraKey
from monitor.execution.app import TASK_NAME, SweepTask, config_digest, make_celery
from monitor.execution.local import LocalSweeper, load_detector, local_sweeper
from monitor.store import make_engine, make_session_factory, repo
from monitor.store.db import schema_revision

log = logging.getLogger(__name__)


class WorkerStartError(Exception):
    """The worker cannot take tasks (database out of date or unreachable)."""


class StoreUnavailable(Exception):
    """Samples taken but not stored within ``execution.write_retry_seconds`` (they stay held in memory)."""


@dataclass(frozen=True)
class TaskReport:
    sampled: int = 0
    already_done: int = 0
    unknown: tuple[str, ...] = ()
    expired: bool = False


@dataclass
class WorkerContext:
    config: AppConfig
    engine: Engine
    sessions: sessionmaker[Session]
    sweeper: LocalSweeper
    clock: Clock
    sleep: Callable[[float], None] = time.sleep
    digest: str = ""
    _cameras: dict[CameraKey, tuple[SiteConfig, CameraConfig]] = field(default_factory=dict)
    _pks: repo.CameraPks = field(default_factory=repo.CameraPks)
    _warned_digests: set[str] = field(default_factory=set)

    @classmethod
    def build(
        cls,
        config: AppConfig,
        database_url: str | None,
        detector: tuple[Detector, CategoryMap] | None = None,
        *,
        clock: Clock,
        source: str = "config",
    ) -> WorkerContext:
        detector_ = detector or load_detector(config, source)  # once per worker process
        engine = make_engine(database_url)
        try:
            current, head = schema_revision(engine)
        except SQLAlchemyError as exc:
            engine.dispose()
            raise WorkerStartError(f"cannot reach the database: {type(exc).__name__}: {exc.args[0]}") from None
        if current != head:
            engine.dispose()
            raise WorkerStartError(
                f"database schema is at {current or 'nothing'}, this worker needs {head}: "
                "start the scheduler (`sitemon run`) or run `sitemon db upgrade` first"
            )
        sessions = make_session_factory(engine)
        sweeper = local_sweeper(config, sessions, detector_, clock)
        cameras = {CameraKey(site.id, cam.id): (site, cam) for site, cam in config.cameras()}
        return cls(config, engine, sessions, sweeper, clock, digest=config_digest(config), _cameras=cameras)

    def sample(self, task: SweepTask) -> TaskReport:
        """Sample the task's cameras that have no sample for its slot yet; store before returning."""
        if self.clock() >= task.expires_at:
            log.warning(
                "slot %s is over: %d camera(s) of a late task not sampled (%s ...)",
                task.slot_at.isoformat(),
                len(task.cameras),
                task.cameras[0] if task.cameras else "-",
            )
            return TaskReport(expired=True)
        if task.config and task.config != self.digest and task.config not in self._warned_digests:
            self._warned_digests.add(task.config)
            log.warning(
                "this worker's configuration (%s) differs from the scheduler's (%s): deploy the same "
                "camera_config.yaml on every machine",
                self.digest,
                task.config,
            )
        unknown = tuple(str(k) for k in task.cameras if k not in self._cameras)
        if unknown:
            log.error("camera(s) %s not in this worker's configuration; not sampled here", ", ".join(unknown))
        known = [k for k in task.cameras if k in self._cameras]
        with self.sessions() as session:
            pks = list(self._pks.of(session, known).values())
            done = repo.sampled_in_slot(session, task.slot_at, pks)
            states = repo.load_states(session, pks)
        todo = [k for k in known if k not in done]
        if done:
            log.info("slot %s: %d camera(s) already sampled (a redelivered task)", task.slot_at.isoformat(), len(done))
        self.sweeper.sampler.memory.replace({k: states.get(k) for k in todo})
        if todo:
            self.sweeper.run([self._cameras[k] for k in todo], task.slot_at)
        self._settle()
        return TaskReport(sampled=len(todo), already_done=len(done), unknown=unknown)

    def _settle(self) -> None:
        """Wait (a while) for samples held during a database outage to be written."""
        writer = self.sweeper.writer
        deadline = time.monotonic() + self.config.execution.write_retry_seconds
        pauses = HELD_SAMPLES.pauses()
        while writer.pending and time.monotonic() < deadline:
            self.sleep(next(pauses))
            writer.flush()
        if writer.pending:
            raise StoreUnavailable(
                f"{writer.pending} sample(s) not stored yet: the database is unavailable; "
                "they stay held in this worker and are written with its next task"
            )

    def close(self) -> None:
        self.sweeper.close()
        self.engine.dispose()


def register(app: Celery, context: WorkerContext) -> None:
    """The sample task, bound to this process's context. A database error retries it with back-off
    (``TASK_RETRY``: 2 s, 4 s, ... up to 30 s, for as long as it takes)."""

    @app.task(name=TASK_NAME, bind=True, max_retries=None)  # type: ignore[untyped-decorator]
    def sample_cameras(self: Any, task: dict[str, Any]) -> dict[str, Any]:
        try:
            parsed = SweepTask.from_message(task)
        except ValueError as exc:
            log.error("task %s dropped: %s", self.request.id, exc)
            return {"error": str(exc)}
        try:
            return asdict(context.sample(parsed))
        except SQLAlchemyError as exc:
            raise self.retry(exc=exc, countdown=TASK_RETRY.seconds(self.request.retries + 1)) from None


class _QuickStop(bootsteps.StartStopStep):  # type: ignore[misc]
    """A timer each second in the worker's event loop: without one it can sleep up to 10 s in a poll
    before it notices SIGTERM, and every stop or restart takes that long."""

    requires: ClassVar[tuple[str, ...]] = ("celery.worker.components:Hub",)

    def start(self, worker: Any) -> None:
        if getattr(worker, "hub", None) is not None:
            worker.hub.call_repeatedly(1.0, _noop)


def _noop() -> None:
    pass


def run_worker(
    config: AppConfig,
    database_url: str | None,
    concurrency: int = 2,
    hostname: str | None = None,
    loglevel: str = "INFO",
    source: str = "config",
    *,
    clock: Clock,
) -> int:
    """Load the model, check the database, then take tasks until SIGTERM (a warm shutdown)."""
    context = WorkerContext.build(config, database_url, clock=clock, source=source)
    app = make_celery(config.execution)
    register(app, context)
    app.steps["worker"].add(_QuickStop)
    worker = app.Worker(
        hostname=hostname,
        pool_cls="threads",
        concurrency=concurrency,
        queues=[config.execution.queue],
        loglevel=loglevel,
        without_gossip=True,
        without_mingle=True,
        without_heartbeat=True,
        optimization="fair",
    )
    log.info(
        "worker %s: %d task(s) at a time from queue %s; model loaded once",
        hostname or "(default name)",
        concurrency,
        config.execution.queue,
    )
    try:
        worker.start()
    finally:
        context.close()
    return int(worker.exitcode or 0)
