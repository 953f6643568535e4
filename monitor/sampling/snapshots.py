"""Annotated snapshot JPEGs: boxes with category labels, masks shaded."""

from __future__ import annotations

import datetime as dt
import errno
import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import numpy.typing as npt

from detectors.base import Detections
from monitor.config import CameraConfig, Category
from monitor.core.values import CameraKey

log = logging.getLogger(__name__)
COLOURS: dict[Category, tuple[int, int, int]] = {
    Category.worker: (0, 200, 255),
    Category.machinery: (0, 80, 255),
    Category.vehicle: (255, 160, 0),
    Category.ignored: (160, 160, 160),
}


def _pixels(polygon: Sequence[tuple[float, float]], width: int, height: int) -> npt.NDArray[np.int32]:
    return np.array([[round(x * width), round(y * height)] for x, y in polygon], np.int32)


def annotate(
    image: npt.NDArray[np.uint8],
    detections: Detections,
    categories: Sequence[Category],
    counted: npt.NDArray[np.bool_],
    camera: CameraConfig,
) -> npt.NDArray[np.uint8]:
    """A copy of ``image`` with zones, masks and every counted box drawn."""
    out = image.copy()
    h, w = out.shape[:2]
    for mask in camera.masks:
        pts = _pixels(mask.polygon, w, h)
        overlay = out.copy()
        cv2.fillPoly(overlay, [pts], (40, 40, 40))
        out = np.asarray(cv2.addWeighted(overlay, 0.75, out, 0.25, 0), dtype=np.uint8)
    if camera.zones.site is not None:
        cv2.polylines(out, [_pixels(camera.zones.site, w, h)], True, (0, 255, 0), 1, cv2.LINE_AA)
    for box, conf, category, keep in zip(detections.xyxy, detections.confidence, categories, counted, strict=True):
        if not keep or category is Category.ignored:
            continue
        x1, y1, x2, y2 = (int(v) for v in box)
        colour = COLOURS[category]
        cv2.rectangle(out, (x1, y1), (x2, y2), colour, 2)
        label = f"{category.value} {conf:.2f}"
        (tw, th), _ = cv2.getTextSize(label, cv2.FONT_HERSHEY_SIMPLEX, 0.45, 1)
        cv2.rectangle(out, (x1, max(0, y1 - th - 4)), (x1 + tw + 2, y1), colour, -1)
        cv2.putText(out, label, (x1 + 1, y1 - 3), cv2.FONT_HERSHEY_SIMPLEX, 0.45, (0, 0, 0), 1, cv2.LINE_AA)
    return out


def snapshot_relpath(camera: CameraKey, captured_at: dt.datetime) -> Path:
    """site/camera/YYYY-MM-DD/HHMMSS.jpg, in UTC."""
    return Path(camera.site_id, camera.camera_id, f"{captured_at:%Y-%m-%d}", f"{captured_at:%H%M%S}.jpg")


def write_jpeg(root: Path, relpath: Path, image: npt.NDArray[np.uint8], quality: int) -> None:
    """Write atomically, so a reader never sees half a file."""
    target = root / relpath
    target.parent.mkdir(parents=True, exist_ok=True)
    ok, data = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, quality])
    if not ok:
        raise OSError(f"cannot encode JPEG for {relpath}")
    tmp = target.with_suffix(".jpg.tmp")
    try:
        tmp.write_bytes(data.tobytes())
        tmp.replace(target)
    except OSError:
        tmp.unlink(missing_ok=True)  # a full disk must not leave half files behind
        raise


SNAPSHOT_FAULT_TEXT = {
    "disk_full": "the snapshot folder's disk is full",
    "read_only": "the snapshot folder is read-only",
    "no_permission": "the snapshot folder may not be written",
    "failed": "snapshots cannot be written",
}


def snapshot_fault(exc: OSError) -> str:
    """The kind of a failed snapshot write, for health and metrics (the path stays in the log)."""
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return "disk_full"
    if exc.errno == errno.EROFS:
        return "read_only"
    if exc.errno in (errno.EACCES, errno.EPERM):
        return "no_permission"
    return "failed"


@dataclass(frozen=True)
class SnapshotWriteState:
    writable: bool = True
    fault: str | None = None
    failures: int = 0
    """Snapshot writes that failed since the process started."""


class SnapshotWrites:
    """Thread-safe: whether the last snapshot write worked, and how many failed, for /api/health and /metrics.
    Samples go on without their picture while the folder cannot be written (a full disk, a read-only mount)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._state = SnapshotWriteState()

    def failed(self, exc: OSError) -> None:
        fault = snapshot_fault(exc)
        with self._lock:
            old = self._state
            self._state = SnapshotWriteState(False, fault, old.failures + 1)
        if old.fault != fault:
            log.error("snapshots are not written: %s (%s)", SNAPSHOT_FAULT_TEXT[fault], exc)

    def succeeded(self) -> None:
        with self._lock:
            old = self._state
            if old.writable:
                return
            self._state = SnapshotWriteState(True, None, old.failures)
        log.info("snapshots are written again (%s before)", old.fault)

    @property
    def state(self) -> SnapshotWriteState:
        with self._lock:
            return self._state
