"""One camera, one slot: grab a frame, detect, count inside the zone, write the snapshot."""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable
from pathlib import Path

from detectors import CategoryMap, Detector, DetectorError
from monitor.clock import Clock, utc_now
from monitor.config import CameraConfig, Category, SamplingConfig
from monitor.redact import redact_text
from monitor.snapshots import annotate, snapshot_relpath, write_jpeg
from monitor.sources import FrameSource, SourceError, open_source
from monitor.types import CameraKey, CameraStatus, Counts, Sample
from monitor.zones import in_zone

log = logging.getLogger(__name__)

SourceFactory = Callable[[CameraConfig, SamplingConfig, Clock], FrameSource]


class CameraSampler:
    def __init__(
        self,
        detector: Detector,
        category_map: CategoryMap,
        sampling: SamplingConfig,
        snapshot_root: Path,
        clock: Clock = utc_now,
        source_factory: SourceFactory = open_source,
    ) -> None:
        self._detector = detector
        self._categories = category_map
        self._sampling = sampling
        self._snapshot_root = snapshot_root
        self._clock = clock
        self._source_factory = source_factory

    def sample(self, site_id: str, camera: CameraConfig, slot_at: dt.datetime) -> Sample:
        key = CameraKey(site_id, camera.id)
        source = self._source_factory(camera, self._sampling, self._clock)
        try:
            image = source.grab()
        except SourceError as exc:
            reason = redact_text(str(exc))
            log.warning("camera %s: %s (%s)", key, exc.status.value, reason)
            return Sample(key, slot_at, self._clock(), exc.status, reason=reason)
        finally:
            source.close()
        captured_at = self._clock()
        started = time.perf_counter()
        try:
            detections = self._detector.detect(image)
        except DetectorError as exc:
            log.error("camera %s: detection failed: %s", key, exc)
            return Sample(key, slot_at, captured_at, CameraStatus.online, reason=f"detection failed: {exc}")
        detect_ms = (time.perf_counter() - started) * 1000
        h, w = image.shape[:2]
        counted = in_zone(detections, w, h, camera.zones.site, [m.polygon for m in camera.masks])
        categories = self._categories.categories_of(detections)
        kept = [c for c, keep in zip(categories, counted, strict=True) if keep]
        counts = Counts(
            workers=kept.count(Category.worker),
            machinery=kept.count(Category.machinery),
            vehicles=kept.count(Category.vehicle),
        )
        relpath = snapshot_relpath(key, captured_at)
        snapshot: str | None = str(relpath)
        try:
            write_jpeg(
                self._snapshot_root,
                relpath,
                annotate(image, detections, categories, counted, camera),
                self._sampling.snapshot_quality,
            )
        except OSError as exc:
            log.error("camera %s: snapshot not written: %s", key, exc)
            snapshot = None
        return Sample(
            key,
            slot_at,
            captured_at,
            CameraStatus.online,
            counts=counts,
            detections=sum(1 for c in kept if c is not Category.ignored),
            snapshot_path=snapshot,
            detect_ms=round(detect_ms, 2),
        )
