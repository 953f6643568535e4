"""A sweep: every camera sampled once, in parallel, one failure never stopping the rest."""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from monitor.config import AppConfig, CameraConfig
from monitor.types import CameraKey, CameraStatus, Sample

log = logging.getLogger(__name__)

SampleFn = Callable[[str, CameraConfig, dt.datetime], Sample]
Sink = Callable[[Sample], None]


@dataclass(frozen=True)
class SweepResult:
    slot_at: dt.datetime
    duration_s: float
    samples: tuple[Sample, ...]

    @property
    def online(self) -> int:
        return sum(1 for s in self.samples if s.ok)


def run_sweep(
    config: AppConfig, sample: SampleFn, sink: Sink, slot_at: dt.datetime, max_workers: int | None = None
) -> SweepResult:
    started = time.perf_counter()
    targets = list(config.cameras())

    def one(site_id: str, camera: CameraConfig) -> Sample:
        try:
            result = sample(site_id, camera, slot_at)
        except Exception as exc:  # a bug in one camera's path must not end the sweep
            log.exception("camera %s/%s: sampling failed", site_id, camera.id)
            result = Sample(CameraKey(site_id, camera.id), slot_at, slot_at, CameraStatus.unknown, f"internal: {exc}")
        try:
            sink(result)
        except Exception:
            log.exception("camera %s/%s: sample not stored", site_id, camera.id)
        return result

    workers = max(1, min(max_workers or config.sampling.max_workers, len(targets)))
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="sweep") as pool:
        samples = tuple(pool.map(lambda t: one(t[0].id, t[1]), targets))
    result = SweepResult(slot_at, time.perf_counter() - started, samples)
    log.info(
        "sweep %s: %d/%d cameras online in %.1f s",
        slot_at.isoformat(),
        result.online,
        len(samples),
        result.duration_s,
    )
    return result
