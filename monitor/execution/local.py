"""How a deployment samples: the Sweeper interface, and the local sweeper (this process samples every
camera: grab threads, batched detection, one writer). The Celery sweeper is in ``queueing``."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from sqlalchemy.orm import Session, sessionmaker

from detectors import CategoryMap, Detector, ModelLoadError
from detectors.ultralytics_backend import UltralyticsDetector
from monitor.config import AppConfig, CameraConfig, ConfigError, FieldError, SamplingConfig, SiteConfig
from monitor.config.settings import camera_deadline
from monitor.core.clock import Clock
from monitor.core.memory import release_freed_memory
from monitor.sampling.picture import CameraMemory
from monitor.sampling.sampler import CameraSampler
from monitor.sampling.snapshots import SnapshotWrites
from monitor.sampling.sweep import SweepResult, run_sweep
from monitor.sources import SourceProvider
from monitor.store.faults import StorageHealth
from monitor.store.writer import SampleWriter

log = logging.getLogger(__name__)


class Sweeper(Protocol):
    """Samples a list of cameras for one slot and stores the samples: here, or on Celery workers."""

    def run(self, targets: list[tuple[SiteConfig, CameraConfig]], slot: dt.datetime) -> SweepResult: ...

    def flush(self) -> None:
        """Write what this process holds (samples kept while the database was away); nothing if it holds none."""

    def close(self) -> None: ...


@dataclass
class LocalSweeper:
    """Every camera sampled by this process: grab threads, batched detection, one writer."""

    sampling: SamplingConfig
    sampler: CameraSampler
    writer: SampleWriter
    sources: SourceProvider
    clock: Clock

    def run(self, targets: list[tuple[SiteConfig, CameraConfig]], slot: dt.datetime) -> SweepResult:
        result = run_sweep(
            targets,
            self.sampler.grab,
            self.sampler,
            self.writer.write_many,
            slot,
            max_workers=self.sampling.max_workers,
            deadline_s=camera_deadline(self.sampling),
            batch_size=self.sampling.detect_batch,
            now=self.clock,
        )
        self.writer.flush()
        release_freed_memory()
        return result

    def flush(self) -> None:
        self.writer.flush()

    def close(self) -> None:
        self.sources.close()
        self.writer.flush()


def local_sweeper(
    config: AppConfig,
    sessions: sessionmaker[Session],
    detector: tuple[Detector, CategoryMap],
    clock: Clock,
    memory: CameraMemory | None = None,
    storage: StorageHealth | None = None,
    snapshot_writes: SnapshotWrites | None = None,
) -> LocalSweeper:
    sources = SourceProvider(config.sampling, clock)
    sampler = CameraSampler(
        detector[0],
        detector[1],
        config.sampling,
        config.picture,
        Path(config.sampling.snapshot_dir).resolve(),
        sources,
        clock=clock,
        scoring=config.scoring,
        memory=memory,
        calendar=config.calendar,
        snapshot_writes=snapshot_writes,
    )
    writer = SampleWriter(sessions, storage or StorageHealth(clock), config.sampling.max_held_samples)
    return LocalSweeper(config.sampling, sampler, writer, sources, clock)


def load_detector(config: AppConfig, source: str = "config") -> tuple[Detector, CategoryMap]:
    """Load the model once and fit the category mapping to it; errors name the field."""
    cfg = config.detector
    try:
        lowest = min([cfg.confidence, *cfg.category_confidence.values()])
        detector = UltralyticsDetector(cfg.model, cfg.image_size, lowest, cfg.iou, cfg.device)
        category_map = CategoryMap.build(cfg.categories, detector.class_names, cfg.confidence, cfg.category_confidence)
    except ModelLoadError as exc:
        field = "detector.categories" if "categories" in str(exc) else "detector.model"
        raise ConfigError(source, [FieldError(field, str(exc))]) from None
    detector.warm_up()
    return detector, category_map
