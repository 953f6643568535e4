"""Annotated snapshot JPEGs: what moved or worked in colour with a label in the dispatcher's language, what stood
still thin and grey, masks shaded."""

from __future__ import annotations

import datetime as dt
import errno
import functools
import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import numpy.typing as npt
from PIL import Image, ImageDraw, ImageFont

from monitor.config import CameraConfig, Category
from monitor.core.values import CameraKey
from monitor.core.wording import Lang, word

log = logging.getLogger(__name__)
MOVING_COLOURS: dict[Category, tuple[int, int, int]] = {
    Category.worker: (0, 165, 255),  # orange (BGR)
    Category.machinery: (40, 40, 230),  # red
    Category.vehicle: (230, 140, 0),  # blue
}
STILL_COLOUR = (170, 170, 170)
"""What did not move since the previous sample is drawn thin and grey: a parked yard does not look busy."""
FONT_FILES = (
    Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"),
    Path("/usr/share/fonts/truetype/noto/NotoSansCJK-Regular.ttc"),
    Path("/System/Library/Fonts/PingFang.ttc"),
    Path("C:/Windows/Fonts/msyh.ttc"),
)


@dataclass(frozen=True)
class Drawn:
    """A counted box as the snapshot shows it: in pixels, its kind, and whether it moved or worked."""

    x1: int
    y1: int
    x2: int
    y2: int
    category: Category
    moving: bool


def _pixels(polygon: Sequence[tuple[float, float]], width: int, height: int) -> npt.NDArray[np.int32]:
    return np.array([[round(x * width), round(y * height)] for x, y in polygon], np.int32)


@functools.lru_cache(maxsize=4)
def _font(size: int) -> ImageFont.FreeTypeFont | None:
    for path in FONT_FILES:
        if path.is_file():
            return ImageFont.truetype(str(path), size)
    log.warning("no CJK font found (%s): snapshot boxes are drawn without labels", ", ".join(map(str, FONT_FILES)))
    return None


def label(box: Drawn, language: Lang) -> str:
    """What a box's label says, in the snapshot's language: its kind, moving or not."""
    key = f"{box.category.value}_moving" if box.moving else box.category.value
    return word("box", key, language)


def annotate(
    image: npt.NDArray[np.uint8], boxes: Sequence[Drawn], camera: CameraConfig, language: Lang = "zh"
) -> npt.NDArray[np.uint8]:
    """A copy of ``image`` with zones, masks and the boxes that tell the story: what moved or worked since the
    previous sample in colour with its label, what stood still thin and grey; boxes below the display
    confidence are not drawn at all (the sampler leaves them out)."""
    out = image.copy()
    h, w = out.shape[:2]
    for mask in camera.masks:
        pts = _pixels(mask.polygon, w, h)
        overlay = out.copy()
        cv2.fillPoly(overlay, [pts], (40, 40, 40))
        out = np.asarray(cv2.addWeighted(overlay, 0.75, out, 0.25, 0), dtype=np.uint8)
    if camera.zones.site is not None:
        cv2.polylines(out, [_pixels(camera.zones.site, w, h)], True, (0, 255, 0), 1, cv2.LINE_AA)
    for box in sorted(boxes, key=lambda b: b.moving):  # what moved on top
        colour = MOVING_COLOURS.get(box.category, STILL_COLOUR) if box.moving else STILL_COLOUR
        cv2.rectangle(out, (box.x1, box.y1), (box.x2, box.y2), colour, 3 if box.moving else 1)
    labelled = [b for b in boxes if b.moving]
    font = _font(max(12, min(24, w // 60))) if labelled else None
    if font is None:
        return out
    picture = Image.fromarray(np.ascontiguousarray(out[:, :, ::-1]))
    draw = ImageDraw.Draw(picture)
    for box in labelled:
        text = label(box, language)
        left, top, right, bottom = draw.textbbox((0, 0), text, font=font)
        y = max(0, box.y1 - (bottom - top) - 4)
        b, g, r = MOVING_COLOURS.get(box.category, STILL_COLOUR)
        draw.rectangle((box.x1, y, box.x1 + right - left + 4, y + bottom - top + 4), fill=(r, g, b))
        draw.text((box.x1 + 2 - left, y + 2 - top), text, font=font, fill=(255, 255, 255))
    return np.ascontiguousarray(np.asarray(picture)[:, :, ::-1], dtype=np.uint8)


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
