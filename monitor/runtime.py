"""Wire config, database, detector and sampler together; nothing starts half-way."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from detectors import CategoryMap, Detector, ModelLoadError
from detectors.ultralytics_backend import UltralyticsDetector
from monitor.alerts.engine import AlertService, build_sinks
from monitor.alerts.sinks import Dispatcher, Sink
from monitor.clock import Clock, slot_start, utc_now
from monitor.config import AppConfig, ConfigError, FieldError
from monitor.config.settings import camera_deadline
from monitor.health import CameraMemory
from monitor.memory import release_freed_memory
from monitor.sampler import CameraSampler
from monitor.sources import SourceProvider
from monitor.store import make_engine, make_session_factory, migrate
from monitor.store.repo import load_states, sampled_in_slot, sync_config
from monitor.sweep import SweepResult, run_sweep
from monitor.types import CameraKey
from monitor.writer import SampleWriter

log = logging.getLogger(__name__)


@dataclass
class Runtime:
    config: AppConfig
    engine: Engine
    sessions: sessionmaker[Session]
    detector: Detector
    sampler: CameraSampler
    writer: SampleWriter
    snapshot_root: Path
    clock: Clock
    sources: SourceProvider
    alerts: AlertService | None = None
    last_sweep_seconds: float | None = None

    def sweep(self) -> SweepResult:
        sampling = self.config.sampling
        slot = slot_start(self.clock(), sampling.interval_seconds)
        with self.sessions() as session:
            done = sampled_in_slot(session, slot)
        if done:
            log.info("%d camera(s) already sampled in slot %s (restart); not again", len(done), slot.isoformat())
        result = run_sweep(
            [(site, cam) for site, cam in self.config.cameras() if CameraKey(site.id, cam.id) not in done],
            self.sampler.grab,
            self.sampler.analyse,
            self.writer.write_many,
            slot,
            max_workers=sampling.max_workers,
            deadline_s=camera_deadline(sampling),
            batch_size=sampling.detect_batch,
            now=self.clock,
        )
        self.writer.flush()
        release_freed_memory()
        self.last_sweep_seconds = result.duration_s
        self._score_today()
        if self.alerts is not None:
            self.alerts.run(self.clock())
        return result

    def _score_today(self) -> None:
        """Today's running score for the dashboard; the evening job replaces it with the day's final one."""
        from monitor.daily import score_days

        today = self.clock().astimezone(self.config.tz).date()
        try:
            with self.sessions() as session:
                score_days(session, self.config, [today], now=self.clock())
        except SQLAlchemyError as exc:
            log.warning("running score not updated: %s", type(exc).__name__)

    def close(self) -> None:
        if self.alerts is not None:
            self.alerts.close()
        self.sources.close()
        self.writer.flush()
        self.engine.dispose()


def load_detector(config: AppConfig, source: str = "config") -> tuple[Detector, CategoryMap]:
    """Load the model once and fit the category mapping to it; errors name the field."""
    cfg = config.detector
    try:
        detector = UltralyticsDetector(cfg.model, cfg.image_size, cfg.confidence, cfg.iou, cfg.device)
        category_map = CategoryMap.build(cfg.categories, detector.class_names)
    except ModelLoadError as exc:
        field = "detector.categories" if "categories" in str(exc) else "detector.model"
        raise ConfigError(source, [FieldError(field, str(exc))]) from None
    detector.warm_up()
    return detector, category_map


def build_runtime(
    config: AppConfig,
    database_url: str | None = None,
    clock: Clock = utc_now,
    detector: tuple[Detector, CategoryMap] | None = None,
    source: str = "config",
    sinks: list[Sink] | None = None,
) -> Runtime:
    """Everything a deployment runs, wired. ``sinks``: where alerts go (default: from the config)."""
    # The detector first: a bad model must stop start-up before anything touches the database.
    detector_, category_map = detector or load_detector(config, source)
    engine = make_engine(database_url)
    try:
        migrate(engine)
        sessions = make_session_factory(engine)
        with sessions() as session:
            synced = sync_config(session, config)
            memory = CameraMemory(load_states(session))
    except Exception:
        engine.dispose()
        raise
    log.info("%d sites, %d cameras in service", synced.sites, synced.cameras)
    snapshot_root = Path(config.sampling.snapshot_dir).resolve()
    sources = SourceProvider(config.sampling, clock)
    sampler = CameraSampler(
        detector_,
        category_map,
        config.sampling,
        config.health,
        snapshot_root,
        sources,
        clock=clock,
        scoring=config.scoring,
        memory=memory,
        tz=config.tz,
    )
    alerts = AlertService(config, sessions, Dispatcher(build_sinks(config) if sinks is None else sinks))
    writer = SampleWriter(sessions)
    return Runtime(config, engine, sessions, detector_, sampler, writer, snapshot_root, clock, sources, alerts)
