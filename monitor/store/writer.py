"""Writes samples to the database; holds them while it cannot be written, so none is lost silently."""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import threading
from collections import deque

from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from monitor.core.values import CameraKey, Sample
from monitor.store import repo
from monitor.store.faults import StorageHealth, fault_of

log = logging.getLogger(__name__)

DEFAULT_MAX_HELD = 100_000
"""About 2.7 days of 125 cameras every 5 minutes."""


class SampleWriter:
    """Thread-safe. A sample that cannot be written now (database away, read-only, disk full, file deleted)
    is held in memory, at most ``max_held`` of them, and written in order with the next one; beyond that
    the oldest are dropped, counted and logged."""

    def __init__(
        self,
        session_factory: sessionmaker[Session],
        health: StorageHealth,
        max_held: int = DEFAULT_MAX_HELD,
    ) -> None:
        self._sessions = session_factory
        self._pending: deque[Sample] = deque(maxlen=max_held)
        self._lock = threading.Lock()
        self._camera_pks = repo.CameraPks()
        self.health = health

    @property
    def pending(self) -> int:
        return len(self._pending)

    def write(self, sample: Sample) -> None:
        self.write_many([sample])

    def write_many(self, samples: list[Sample]) -> None:
        with self._lock:
            assert self._pending.maxlen is not None
            before = len(self._pending)
            dropped = max(0, len(self._pending) + len(samples) - self._pending.maxlen)
            if dropped:
                log.error(
                    "%d held sample(s) dropped: more than %d are waiting for the database",
                    dropped,
                    self._pending.maxlen,
                )
            self._pending.extend(samples)
            # Samples being written now are not held (health would say "degraded" during every sweep's
            # write); the flush says how many are held once it has tried.
            self.health.held(min(before, len(self._pending)), dropped)
            self._flush_locked()

    def _lighten_locked(self) -> None:
        """Held samples keep only what the database would keep of them: the camera's memory (two pictures,
        about 72 KB) only on a camera's newest held sample, a structure picture only on the best of a
        camera's day. A held sample is then a few hundred bytes, so ``max_held`` bounds memory too."""
        best: dict[tuple[CameraKey, dt.date], int] = {}  # the index of each camera-day's best picture
        for i, sample in enumerate(self._pending):
            if sample.structure is not None:
                key = (sample.camera, sample.structure[0])
                kept = best.get(key)
                if kept is None or sample.structure[1].quality > self._quality(kept):
                    best[key] = i
        newest: set[CameraKey] = set()
        for i in range(len(self._pending) - 1, -1, -1):
            sample = self._pending[i]
            state, structure = sample.state, sample.structure
            if state is not None and sample.camera in newest:
                state = None
            newest.add(sample.camera)
            if structure is not None and best.get((sample.camera, structure[0])) != i:
                structure = None
            if state is not sample.state or structure is not sample.structure:
                self._pending[i] = dataclasses.replace(sample, state=state, structure=structure)

    def _quality(self, index: int) -> float:
        structure = self._pending[index].structure
        return structure[1].quality if structure is not None else -1.0

    def flush(self) -> int:
        with self._lock:
            return self._flush_locked()

    def _flush_locked(self) -> int:
        written = 0
        if not self._pending:
            return 0
        try:
            with self._sessions() as session:
                pks = self._camera_pks.of(session, {s.camera for s in self._pending})
                while self._pending:
                    chunk = list(self._pending)[:500]
                    items = []
                    for sample in chunk:
                        pk = pks.get(sample.camera)
                        if pk is None:
                            log.error("camera %s is not in the database; sample dropped", sample.camera)
                        else:
                            items.append((pk, sample))
                    written += repo.record_samples(session, items)
                    for _ in chunk:
                        self._pending.popleft()
            self.health.succeeded()
        except DBAPIError as exc:
            fault = fault_of(exc)
            if fault is None:
                raise
            self.health.failed(fault, exc, "sample writer")
            self._lighten_locked()
            log.warning("%d sample(s) held for retry: %s", len(self._pending), fault)
        finally:
            self.health.held(len(self._pending))
        return written
