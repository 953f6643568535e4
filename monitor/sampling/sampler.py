"""Sampling in two stages: grab (I/O, many threads) and analyse: detect (detector batches), then finish (counts,
what moved, snapshots)."""

from __future__ import annotations

import datetime as dt
import logging
import time
from dataclasses import dataclass, replace
from pathlib import Path

import cv2
import numpy as np
import numpy.typing as npt

from detectors import CategoryMap, Detections, Detector, DetectorError
from detectors.tiling import TiledDetector, Tiling
from monitor.config import CameraConfig, Category, PictureConfig, SamplingConfig, ScoringConfig, TilingConfig
from monitor.core.calendar import Calendar
from monitor.core.clock import Clock
from monitor.core.redact import redact_text
from monitor.core.values import (
    Activity,
    Box,
    CameraKey,
    CameraState,
    CameraStatus,
    Cause,
    Counts,
    Sample,
    StructureCandidate,
    ViewMemory,
)
from monitor.sampling.activity import compare, remembered_boxes, view_change_reason, view_unstable_reason
from monitor.sampling.picture import CameraMemory, PictureJudgement, Signature, is_uniform, judge_picture, signature
from monitor.sampling.snapshots import Drawn, SnapshotWrites, annotate, snapshot_relpath, write_jpeg
from monitor.sampling.structure import occluded_share, reference_quality, zone_crop
from monitor.sampling.views import ViewMatch, match_view
from monitor.sampling.zones import in_zone
from monitor.sources import SourceError
from monitor.sources.base import Sources

log = logging.getLogger(__name__)
STALE_AFTER_S = 1800  # a camera's memory older than this (and 3 intervals) is not compared with


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
    sig: Signature | None = None
    unchanged: int = 0
    """Identical pictures in a row before this one (set when the picture is judged)."""
    cause: Cause | None = None
    picture: PictureJudgement | None = None
    """What the picture rules made of it (set when the picture is judged)."""

    def failed(self) -> Sample:
        return Sample(self.key, self.slot_at, self.captured_at, self.status, reason=self.reason, cause=self.cause)


@dataclass(frozen=True, eq=False)
class Detected:
    """A batch between detection and the rest: each grab, and its detections with what they cost per frame in
    ms (None where there was no picture to detect on, or the detector failed)."""

    grabs: tuple[Grab, ...]
    results: tuple[tuple[Detections, float] | None, ...]


def tiled(detector: Detector, tiling: TilingConfig) -> Detector:
    """The detector run on the tiles a camera's ``tiling`` asks for."""
    return TiledDetector(detector, Tiling(tiling.columns, tiling.rows, tiling.overlap, tiling.full_frame))


class CameraSampler:
    def __init__(
        self,
        detector: Detector,
        category_map: CategoryMap,
        sampling: SamplingConfig,
        picture: PictureConfig,
        snapshot_root: Path,
        sources: Sources,
        *,
        clock: Clock,
        calendar: Calendar,
        scoring: ScoringConfig | None = None,
        memory: CameraMemory | None = None,
        snapshot_writes: SnapshotWrites | None = None,
    ) -> None:
        self._detector = detector
        self._categories = category_map
        self._sampling = sampling
        self._snapshot_root = snapshot_root
        self._sources = sources
        self._picture = picture
        self._scoring = scoring or ScoringConfig()
        self.memory = memory or CameraMemory()
        self._calendar = calendar
        self._clock = clock
        self.snapshot_writes = snapshot_writes or SnapshotWrites()

    # stage 1: I/O ---------------------------------------------------------------------------------
    def grab(self, key: CameraKey, camera: CameraConfig, slot_at: dt.datetime) -> Grab:
        """Never raises for a camera fault: the fault is the Grab's status and reason."""
        source = self._sources.acquire(key, camera)
        try:
            image = source.grab()
            note = source.note  # e.g. the RTSP transport the server took: the health reason of a working camera
        except SourceError as exc:
            reason = redact_text(str(exc))
            log.warning("camera %s: %s (%s)", key, exc.status.value, reason)
            return Grab(key, camera, slot_at, self._clock(), None, exc.status, reason, cause=exc.cause)
        finally:
            self._sources.release(source)
        captured_at = self._clock()
        sig = signature(image, [m.polygon for m in camera.masks])
        if is_uniform(sig, self._picture.uniform_max_std):
            reason = "picture is blank (black or a single colour)"
            log.warning("camera %s: black (%s)", key, reason)
            return Grab(key, camera, slot_at, captured_at, image, CameraStatus.black, reason, sig, cause=Cause.black)
        return Grab(key, camera, slot_at, captured_at, image, CameraStatus.online, note, sig)

    # stage 2: detection, then everything after it -------------------------------------------------
    def analyse(self, grabs: list[Grab]) -> list[Sample]:
        """Both halves of stage 2 for a batch, one after the other."""
        return self.finish(self.detect(grabs))

    def detect(self, grabs: list[Grab]) -> Detected:
        """One detector call for every grab that has a picture worth detecting on (one per tiling setting).
        A sweep runs this on its own thread while the previous batch is finished on another: the detector is
        the sweep's critical path, so nothing else is done here (a frozen picture is detected on too)."""
        todo = [g for g in grabs if g.image is not None and g.status is not CameraStatus.black]
        results: dict[int, tuple[Detections, float]] = {}
        groups: dict[TilingConfig | None, list[Grab]] = {}
        for g in todo:  # one call per tiling setting: most cameras share the plain one
            groups.setdefault(g.camera.tiling, []).append(g)
        for tiling, group in groups.items():
            detector = self._detector if tiling is None else tiled(self._detector, tiling)
            started = time.perf_counter()
            try:
                detections = detector.detect_batch([g.image for g in group if g.image is not None])
            except DetectorError as exc:
                log.error("detection failed for %d camera(s): %s", len(group), exc)
                detections = []
            per_frame_ms = (time.perf_counter() - started) * 1000 / len(group)
            for g, d in zip(group, detections, strict=False):
                results[id(g)] = (d, per_frame_ms)
        return Detected(tuple(grabs), tuple(results.get(id(g)) for g in grabs))

    def finish(self, detected: Detected) -> list[Sample]:
        """Each picture judged against the camera's last one (frozen or not), then counts, what moved, the
        camera's memory and the snapshot of each grab of a detected batch."""
        samples = []
        for grabbed, result in zip(detected.grabs, detected.results, strict=True):
            g = self._judge(grabbed)
            if g.image is None or g.status is CameraStatus.black:
                samples.append(g.failed() if g.image is None else self._without_detection(g))
            elif result is None:
                samples.append(
                    Sample(
                        g.key,
                        g.slot_at,
                        g.captured_at,
                        g.status,
                        reason="detection failed",
                        cause=Cause.detection_failed,
                    )
                )
            else:
                samples.append(self._finish(g, *result))
        return samples

    def _judge(self, g: Grab) -> Grab:
        """Frozen or not, against what the camera showed last time."""
        if g.image is None or g.sig is None or g.status is not CameraStatus.online:
            return g
        # Only grabs judged online come here: grab() already found the picture not blank.
        judged = judge_picture(self.memory.previous(g.key), g.sig, self._picture, uniform=False)
        reason = judged.reason or g.reason  # a working camera keeps its source's note
        cause = Cause.frozen if judged.frozen else g.cause
        if judged.status is not CameraStatus.online:
            log.warning("camera %s: %s (%s)", g.key, judged.status.value, reason)
        return Grab(
            g.key,
            g.camera,
            g.slot_at,
            g.captured_at,
            g.image,
            judged.status,
            reason,
            g.sig,
            judged.unchanged,
            cause,
            judged,
        )

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
            cause=g.cause,
            snapshot_path=self._write_snapshot(g, None),
        )

    def _finish(self, g: Grab, detections: Detections, detect_ms: float) -> Sample:
        assert g.image is not None and g.sig is not None
        h, w = g.image.shape[:2]
        camera = g.camera
        detections = self._categories.kept(detections)
        counted = in_zone(detections, w, h, camera.zones.site, [m.polygon for m in camera.masks])
        categories = self._categories.categories_of(detections)
        boxes = [
            Box(c, float(x1) / w, float(y1) / h, float(x2) / w, float(y2) / h)
            for (x1, y1, x2, y2), c, keep in zip(detections.xyxy, categories, counted, strict=True)
            if keep and c is not Category.ignored
        ]
        counts = Counts(
            workers=sum(1 for b in boxes if b.category is Category.worker),
            machinery=sum(1 for b in boxes if b.category is Category.machinery),
            vehicles=sum(1 for b in boxes if b.category is Category.vehicle),
        )
        previous = self.memory.previous(g.key)
        status, reason, cause = g.status, g.reason, g.cause
        views: tuple[ViewMemory, ...] = previous.views if previous is not None else ()
        new_views = 0
        reference_boxes: tuple[Box, ...] = ()
        if g.status is CameraStatus.frozen or previous is None:
            activity = Activity()  # a frozen picture, or a first one, shows no movement
        else:
            match = match_view(previous, g.sig.grey, self._scoring, lambda at: not self._stale_at(at, g.slot_at))
            views, new_views = match.views, match.new_views
            reference_boxes = match.reference.boxes if match.reference is not None else ()
            activity = self._activity(match, g, boxes)
            if match.unstable:
                activity = Activity(camera_shift=activity.camera_shift, camera_turn=activity.camera_turn)
                status, cause = CameraStatus.unstable, Cause.view_unstable
                reason = view_unstable_reason(match.new_views)
                log.warning("camera %s: %s", g.key, reason)
            elif match.new_view:
                reason, cause = view_change_reason(activity), Cause.view_changed
                log.warning("camera %s: %s", g.key, reason)
        judged = g.picture
        state = CameraState(
            g.sig.grey,
            g.unchanged,
            remembered_boxes(boxes, reference_boxes),
            g.sig.texture,
            g.slot_at,
            frozen=judged.frozen if judged else False,
            live=judged.live if judged else 0,
            anchor=judged.anchor if judged else None,
            anchor_texture=judged.anchor_texture if judged else None,
            reencoded=judged.reencoded if judged else False,
            views=views,
            new_views=new_views,
        )
        self.memory.remember(g.key, state)
        return Sample(
            g.key,
            g.slot_at,
            g.captured_at,
            status,
            reason=reason,
            counts=counts,
            detections=len(boxes),
            snapshot_path=self._write_snapshot(g, self._drawn(detections, categories, counted, activity)),
            detect_ms=round(detect_ms, 2),
            activity=activity,
            state=state,
            structure=self._structure_candidate(g, boxes) if status is CameraStatus.online else None,
            cause=cause,
        )

    def _activity(self, match: ViewMatch, g: Grab, boxes: list[Box]) -> Activity:
        """What moved since the last sample of this sample's own view."""
        assert g.sig is not None
        shift, turn = round(match.motion.shift_share, 4), round(match.motion.angle, 2)
        if match.new_view:
            return Activity(camera_shift=shift, camera_turn=turn, view_changed=True)
        if match.reference is None:  # a view seen before a gap (the night, an outage): nothing to compare
            return Activity(camera_shift=shift, camera_turn=turn, view_returned=match.returned)
        ref = match.reference
        found = compare(ref.grey, ref.boxes, g.sig.grey, g.sig.valid, boxes, self._scoring, match.motion)
        return replace(found, view_returned=match.returned) if match.returned else found

    def _stale_at(self, at: dt.datetime | None, slot_at: dt.datetime) -> bool:
        """A memory from before a gap (the night, an outage) is no "previous sample": what changed since
        is not this sample's activity, nor a knock."""
        if at is None:
            return False
        gap = max(3 * self._sampling.interval_seconds, STALE_AFTER_S)
        return (slot_at - at).total_seconds() > gap

    def _structure_candidate(self, g: Grab, boxes: list[Box]) -> tuple[dt.date, StructureCandidate] | None:
        zone = g.camera.zones.structure
        if zone is None or g.image is None or g.status is not CameraStatus.online:
            return None
        crop = zone_crop(g.image, zone)
        hidden = occluded_share([(b.x1, b.y1, b.x2, b.y2) for b in boxes], zone)
        day = self._calendar.day_of(g.captured_at)
        return day, StructureCandidate(crop, reference_quality(crop, hidden))

    def _drawn(
        self,
        detections: Detections,
        categories: list[Category],
        counted: npt.NDArray[np.bool_],
        activity: Activity,
    ) -> list[Drawn]:
        """The counted boxes above the display confidence, each with whether it moved (the order of
        ``activity.moving`` is the counted boxes' order)."""
        kept = [
            (box, conf, category)
            for box, conf, category, keep in zip(
                detections.xyxy, detections.confidence, categories, counted, strict=True
            )
            if keep and category is not Category.ignored
        ]
        moving = activity.moving if len(activity.moving) == len(kept) else (False,) * len(kept)
        floor = self._sampling.snapshot_min_confidence
        return [
            Drawn(int(box[0]), int(box[1]), int(box[2]), int(box[3]), category, moved)
            for (box, conf, category), moved in zip(kept, moving, strict=True)
            if float(conf) >= floor or moved
        ]

    def _write_snapshot(self, g: Grab, drawn: list[Drawn] | None) -> str | None:
        assert g.image is not None
        language = self._sampling.snapshot_language
        image = annotate(g.image, drawn, g.camera, language) if drawn is not None else g.image
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
            self.snapshot_writes.failed(exc)
            return None
        self.snapshot_writes.succeeded()
        return str(relpath)
