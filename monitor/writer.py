"""Writes samples to the database; holds them while the database is away, so none is lost."""

from __future__ import annotations

import logging
import threading
from collections import deque

from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from monitor.store import repo
from monitor.types import Sample

log = logging.getLogger(__name__)


class SampleWriter:
    """Thread-safe. A sample that cannot be written now is kept and written with the next one."""

    def __init__(self, session_factory: sessionmaker[Session], max_pending: int = 100_000) -> None:
        self._sessions = session_factory
        self._pending: deque[Sample] = deque(maxlen=max_pending)
        self._lock = threading.Lock()
        self._camera_pks = repo.CameraPks()

    @property
    def pending(self) -> int:
        return len(self._pending)

    def write(self, sample: Sample) -> None:
        self.write_many([sample])

    def write_many(self, samples: list[Sample]) -> None:
        with self._lock:
            self._pending.extend(samples)
            self._flush_locked()

    def flush(self) -> int:
        with self._lock:
            return self._flush_locked()

    def _flush_locked(self) -> int:
        written = 0
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
        except (OperationalError, InterfaceError) as exc:
            log.warning("database unavailable, %d sample(s) held for retry: %s", len(self._pending), exc.orig)
        return written
