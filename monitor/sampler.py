"""Sampling in two stages: grab (I/O, many threads) and analyse (detector batches, counts, snapshots)."""

from __future__ import annotations

import datetime as dt
import logging
import time
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import numpy.typing as npt

from detectors import CategoryMap, Detections, Detector, DetectorError
from monitor.clock import Clock, utc_now
from monitor.config import CameraConfig, Category, HealthConfig, SamplingConfig
from monitor.health import PictureTracker, signature
from monitor.redact import redact_text
from monitor.snapshots import annotate, snapshot_relpath, write_jpeg
from monitor.sources import SourceError
from monitor.sources.base import Sources
from monitor.types import CameraKey, CameraStatus, Counts, Sample
from monitor.zones import in_zone

log = logging.getLogger(__name__)


@dataclass(frozen=True, eq=False)
class Grab:
    """What one camera gave in one slot: a picture, or the reason there is none."""

    key: CameraKey
    camera: CameraConfig
    slot_at: dt.datetime
    captured_at: dt.datetime
    image: npt.NDArray[np.uint8] | None
    status: CameraStatus
    reason: str = ""

    def failed(self) -> Sample:
        return Sample(self.key, self.slot_at, self.captured_at, self.status, reason=self.reason)


class CameraSampler:
    def __init__(
        self,
        detector: Detector,
        category_map: CategoryMap,
        sampling: SamplingConfig,
        health: HealthConfig,
        snapshot_root: Path,
        sources: Sources,
        clock: Clock = utc_now,
    ) -> None:
        self._detector = detector
        self._categories = category_map
        self._sampling = sampling
        self._snapshot_root = snapshot_root
        self._sources = sources
        self._pictures = PictureTracker(health)
        self._clock = clock

    # stage 1: I/O ---------------------------------------------------------------------------------
    def grab(self, key: CameraKey, camera: CameraConfig, slot_at: dt.datetime) -> Grab:
        """Never raises for a camera fault: the fault is the Grab's status and reason."""
        source = self._sources.acquire(key, camera)
        try:
            image = source.grab()
        except SourceError as exc:
            reason = redact_text(str(exc))
            log.warning("camera %s: %s (%s)", key, exc.status.value, reason)
            return Grab(key, camera, slot_at, self._clock(), None, exc.status, reason)
        finally:
            self._sources.release(source)
        captured_at = self._clock()
        sig = signature(image, [m.polygon for m in camera.masks])
        status, reason = self._pictures.observe(key, sig)
        if status is not CameraStatus.online:
            log.warning("camera %s: %s (%s)", key, status.value, reason)
        return Grab(key, camera, slot_at, captured_at, image, status, reason)

    # stage 2: detection and everything after it ----------------------------------------------------
    def analyse(self, grabs: list[Grab]) -> list[Sample]:
        """One detector call for every grab that has a picture worth detecting on."""
        todo = [g for g in grabs if g.image is not None and g.status is not CameraStatus.black]
        results: dict[int, tuple[Detections, float]] = {}
        if todo:
            started = time.perf_counter()
            try:
                detections = self._detector.detect_batch([g.image for g in todo if g.image is not None])
            except DetectorError as exc:
                log.error("detection failed for %d camera(s): %s", len(todo), exc)
                detections = []
            per_frame_ms = (time.perf_counter() - started) * 1000 / len(todo)
            for g, d in zip(todo, detections, strict=False):
                results[id(g)] = (d, per_frame_ms)
        samples = []
        for g in grabs:
            if g.image is None or g.status is CameraStatus.black:
                samples.append(g.failed() if g.image is None else self._without_detection(g))
            elif id(g) not in results:
                samples.append(Sample(g.key, g.slot_at, g.captured_at, g.status, reason="detection failed"))
            else:
                samples.append(self._finish(g, *results[id(g)]))
        return samples

    def sample(self, site_id: str, camera: CameraConfig, slot_at: dt.datetime) -> Sample:
        """Both stages for one camera."""
        return self.analyse([self.grab(CameraKey(site_id, camera.id), camera, slot_at)])[0]

    def _without_detection(self, g: Grab) -> Sample:
        return Sample(
            g.key,
            g.slot_at,
            g.captured_at,
            g.status,
            reason=g.reason,
            snapshot_path=self._write_snapshot(g, None, [], np.zeros(0, bool)),
        )

    def _finish(self, g: Grab, detections: Detections, detect_ms: float) -> Sample:
        assert g.image is not None
        h, w = g.image.shape[:2]
        camera = g.camera
        counted = in_zone(detections, w, h, camera.zones.site, [m.polygon for m in camera.masks])
        categories = self._categories.categories_of(detections)
        kept = [c for c, keep in zip(categories, counted, strict=True) if keep]
        counts = Counts(
            workers=kept.count(Category.worker),
            machinery=kept.count(Category.machinery),
            vehicles=kept.count(Category.vehicle),
        )
        return Sample(
            g.key,
            g.slot_at,
            g.captured_at,
            g.status,
            reason=g.reason,
            counts=counts,
            detections=sum(1 for c in kept if c is not Category.ignored),
            snapshot_path=self._write_snapshot(g, detections, categories, counted),
            detect_ms=round(detect_ms, 2),
        )

    def _write_snapshot(
        self, g: Grab, detections: Detections | None, categories: list[Category], counted: npt.NDArray[np.bool_]
    ) -> str | None:
        assert g.image is not None
        image = annotate(g.image, detections, categories, counted, g.camera) if detections is not None else g.image
        h, w = image.shape[:2]
        if w > self._sampling.snapshot_max_width:
            scale = self._sampling.snapshot_max_width / w
            image = np.asarray(
                cv2.resize(image, (self._sampling.snapshot_max_width, round(h * scale)), interpolation=cv2.INTER_AREA),
                np.uint8,
            )
        relpath = snapshot_relpath(g.key, g.captured_at)
        try:
            write_jpeg(self._snapshot_root, relpath, image, self._sampling.snapshot_quality)
        except OSError as exc:
            log.error("camera %s: snapshot not written: %s", g.key, exc)
            return None
        return str(relpath)
