"""The scheduler's side: queue a sweep as tasks of a few cameras, then wait for the workers' samples."""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable

from celery import Celery
from kombu.exceptions import OperationalError as BrokerError
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from monitor.config import AppConfig, CameraConfig, SiteConfig
from monitor.core.clock import Clock
from monitor.core.values import CameraKey, Sample
from monitor.execution.app import TASK_NAME, SweepTask, config_digest, make_celery
from monitor.sampling.sweep import SweepResult
from monitor.store import repo

log = logging.getLogger(__name__)

# Publishing retries while the broker restarts: up to about 30 s, then the sweep gives up on the rest.
PUBLISH_RETRY = {"max_retries": 10, "interval_start": 0.5, "interval_step": 1.0, "interval_max": 5.0}


def chunks(keys: list[CameraKey], size: int) -> list[tuple[CameraKey, ...]]:
    return [tuple(keys[i : i + size]) for i in range(0, len(keys), size)]


class CelerySweeper:
    """Queues each sweep on the broker; the workers (`sitemon worker`) sample and store.

    A sweep counts as done when every queued camera has a sample for the slot in the database, or when
    ``execution.sweep_wait_seconds`` (default 80 % of the interval) has passed; the cameras still
    missing then are logged and returned, and their tasks stay valid until the slot is over.
    """

    def __init__(
        self,
        config: AppConfig,
        sessions: sessionmaker[Session],
        clock: Clock,
        app: Celery | None = None,
        poll_seconds: float = 0.5,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._config = config
        self._execution = config.execution
        self._sessions = sessions
        self._clock = clock
        self._app = app or make_celery(config.execution)
        self._digest = config_digest(config)
        self.poll_seconds = poll_seconds
        self._sleep = sleep
        self._pks = repo.CameraPks()

    def run(self, targets: list[tuple[SiteConfig, CameraConfig]], slot: dt.datetime) -> SweepResult:
        started = time.perf_counter()
        keys = [CameraKey(site.id, camera.id) for site, camera in targets]
        interval = dt.timedelta(seconds=self._config.sampling.interval_seconds)
        expires = slot + interval
        queued = self.enqueue(keys, slot, expires)
        wait_s = self._execution.sweep_wait_seconds or 0.8 * interval.total_seconds()
        pks = self._camera_pks(queued)
        missing = self._wait(slot, set(queued), pks, started + wait_s, expires)
        samples: list[Sample] = []
        try:
            with self._sessions() as session:
                samples = repo.samples_in_slot(session, slot, pks)
        except SQLAlchemyError as exc:
            log.warning("sweep %s: samples not read back: %s", slot.isoformat(), type(exc).__name__)
        not_queued = [k for k in keys if k not in set(queued)]
        result = SweepResult(
            slot,
            time.perf_counter() - started,
            tuple(samples),
            missing=tuple(sorted(missing | set(not_queued), key=str)),
        )
        log.info(
            "sweep %s: %d/%d cameras sampled by workers in %.1f s (%d online)",
            slot.isoformat(),
            len(samples),
            len(keys),
            result.duration_s,
            result.online,
        )
        return result

    def enqueue(self, keys: list[CameraKey], slot: dt.datetime, expires: dt.datetime) -> list[CameraKey]:
        """Publish the tasks; returns the cameras queued (all of them unless the broker stayed away)."""
        queued: list[CameraKey] = []
        for chunk in chunks(keys, self._execution.cameras_per_task):
            task = SweepTask(slot, chunk, expires, self._digest)
            try:
                self._app.send_task(
                    TASK_NAME,
                    kwargs={"task": task.to_message()},
                    queue=self._execution.queue,
                    expires=expires,
                    retry=True,
                    retry_policy=PUBLISH_RETRY,
                )
            except (BrokerError, OSError) as exc:
                left = len(keys) - len(queued)
                log.error(
                    "broker %s unreachable (%s): %d camera(s) of slot %s not queued; the next sweep tries again",
                    self._execution.masked_broker_url,
                    type(exc).__name__,
                    left,
                    slot.isoformat(),
                )
                break
            queued.extend(chunk)
        return queued

    def _camera_pks(self, keys: list[CameraKey]) -> list[int] | None:
        """The cameras' row ids, or None (every camera) while the database is away."""
        try:
            with self._sessions() as session:
                return list(self._pks.of(session, keys).values())
        except SQLAlchemyError as exc:
            log.warning("database unavailable (%s); waiting for the workers all the same", type(exc).__name__)
            return None

    def _wait(
        self, slot: dt.datetime, keys: set[CameraKey], pks: list[int] | None, until: float, expires: dt.datetime
    ) -> set[CameraKey]:
        missing = set(keys)
        while missing:
            try:
                with self._sessions() as session:
                    missing -= repo.sampled_in_slot(session, slot, pks)
            except SQLAlchemyError as exc:
                log.warning("sweep %s: database unavailable while waiting: %s", slot.isoformat(), type(exc).__name__)
            if not missing or time.perf_counter() >= until or self._clock() >= expires:
                break
            self._sleep(self.poll_seconds)
        if missing:
            shown = ", ".join(sorted(map(str, missing))[:10])
            log.warning(
                "sweep %s: %d camera(s) not sampled yet (%s%s); are the workers running?",
                slot.isoformat(),
                len(missing),
                shown,
                " ..." if len(missing) > 10 else "",
            )
        return missing

    def flush(self) -> None:
        """The workers write the samples: nothing is held here."""

    def close(self) -> None:
        self._app.close()
