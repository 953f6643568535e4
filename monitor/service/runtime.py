"""Wire config, database, detector and sampler together; nothing starts half-way."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from detectors import CategoryMap, Detector
from monitor.alerts.engine import AlertService, build_sinks
from monitor.alerts.sinks import Sink, SinkFanout
from monitor.config import AppConfig
from monitor.core.clock import Clock, slot_start
from monitor.core.values import CameraKey
from monitor.execution.local import Sweeper, load_detector, local_sweeper
from monitor.execution.queueing import CelerySweeper
from monitor.sampling.picture import CameraMemory
from monitor.sampling.retention import SnapshotCleanup
from monitor.sampling.snapshots import SnapshotWrites
from monitor.sampling.sweep import SweepResult
from monitor.store import make_engine, make_session_factory, migrate
from monitor.store.faults import StorageHealth
from monitor.store.repo import load_states, sampled_in_slot, sync_config

log = logging.getLogger(__name__)


@dataclass
class Runtime:
    config: AppConfig
    engine: Engine
    sessions: sessionmaker[Session]
    sweeper: Sweeper
    snapshot_root: Path
    clock: Clock
    alerts: AlertService | None = None
    last_sweep_seconds: float | None = None
    last_sweep: SweepResult | None = None
    storage: StorageHealth = field(kw_only=True)
    """Whether the database takes writes, as the writer and the lease last found it."""
    snapshot_cleanup: SnapshotCleanup = field(default_factory=SnapshotCleanup)
    snapshot_writes: SnapshotWrites = field(default_factory=SnapshotWrites)
    """Whether this process's sweeps write their snapshots (a full disk, a read-only folder)."""

    def sweep(self) -> SweepResult:
        slot = slot_start(self.clock(), self.config.sampling.interval_seconds)
        try:
            with self.sessions() as session:
                done = sampled_in_slot(session, slot)
        except SQLAlchemyError as exc:
            # The database is away: sample anyway (the writer holds the samples until it is back, and
            # the unique camera-and-slot key drops any the slot already had).
            log.warning("database unavailable (%s); sampling every camera", type(exc).__name__)
            done = set()
        if done:
            log.info("%d camera(s) already sampled in slot %s (restart); not again", len(done), slot.isoformat())
        targets = [(site, cam) for site, cam in self.config.cameras() if CameraKey(site.id, cam.id) not in done]
        result = self.sweeper.run(targets, slot)
        self.last_sweep = result
        self.last_sweep_seconds = result.duration_s
        return result

    def close(self) -> None:
        if self.alerts is not None:
            self.alerts.close()
        self.sweeper.close()
        self.engine.dispose()


def build_runtime(
    config: AppConfig,
    database_url: str | None = None,
    *,
    clock: Clock,
    detector: tuple[Detector, CategoryMap] | None = None,
    source: str = "config",
    sinks: list[Sink] | None = None,
) -> Runtime:
    """Everything a deployment's scheduler runs, wired. ``sinks``: where alerts go (default: from the config).

    With ``execution.mode: celery`` this process only queues the sweeps: no model is loaded here, the
    workers (`sitemon worker`) load it."""
    distributed = config.execution.distributed
    # The detector first: a bad model must stop start-up before anything touches the database.
    detector_ = None if distributed else (detector or load_detector(config, source))
    engine = make_engine(database_url)
    try:
        migrate(engine)
        sessions = make_session_factory(engine)
        with sessions() as session:
            synced = sync_config(session, config, clock)
            memory = None if distributed else CameraMemory(load_states(session))
    except Exception:
        engine.dispose()
        raise
    log.info("%d sites, %d cameras in service", synced.sites, synced.cameras)
    storage = StorageHealth(clock)
    snapshot_writes = SnapshotWrites()
    sweeper: Sweeper
    if detector_ is None:
        sweeper = CelerySweeper(config, sessions, clock)
    else:
        sweeper = local_sweeper(config, sessions, detector_, clock, memory, storage, snapshot_writes)
    alerts = AlertService(config, sessions, SinkFanout(build_sinks(config) if sinks is None else sinks))
    snapshot_root = Path(config.sampling.snapshot_dir).resolve()
    return Runtime(
        config,
        engine,
        sessions,
        sweeper,
        snapshot_root,
        clock,
        alerts,
        storage=storage,
        snapshot_writes=snapshot_writes,
    )
