"""What moved between two samples of a camera, and how active a sample is. Pure functions.

Motion is measured on photometrically normalised signatures (each picture scaled to zero mean and unit
spread), so a change of light (a passing cloud, dusk) is not motion; masked regions (the clock) never are.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from monitor.config import Category, ScoringConfig

NORMALISED_CHANGE = 0.6  # in units of the picture's own spread; below this a pixel did not change
MOVED_IOU = 0.85  # a machine whose best match from the previous sample overlaps less than this has moved


@dataclass(frozen=True)
class Box:
    """A counted detection, in normalised image coordinates (0..1)."""

    category: Category
    x1: float
    y1: float
    x2: float
    y2: float


@dataclass(frozen=True)
class Activity:
    moving_workers: int = 0
    working_machines: int = 0
    moving_vehicles: int = 0
    motion: float = 0.0
    """Share of the unmasked picture that changed since the previous sample."""
    level: float = 0.0
    """0..1: how much construction activity this sample shows."""


def normalise(grey: npt.NDArray[np.uint8], valid: npt.NDArray[np.bool_]) -> npt.NDArray[np.float32]:
    pixels = grey[valid].astype(np.float32)
    if pixels.size == 0:
        return np.zeros(grey.shape, np.float32)
    return np.asarray((grey.astype(np.float32) - pixels.mean()) / max(float(pixels.std()), 1.0), np.float32)


def change_map(
    previous: npt.NDArray[np.uint8], current: npt.NDArray[np.uint8], valid: npt.NDArray[np.bool_]
) -> npt.NDArray[np.bool_]:
    """Pixels that changed beyond what a change of light explains."""
    if previous.shape != current.shape:
        return np.zeros(current.shape, bool)
    diff = np.abs(normalise(current, valid) - normalise(previous, valid))
    return np.asarray((diff > NORMALISED_CHANGE) & valid, bool)


def box_motion(change: npt.NDArray[np.bool_], box: Box) -> float:
    h, w = change.shape
    x1, x2 = int(box.x1 * w), max(int(box.x1 * w) + 1, int(np.ceil(box.x2 * w)))
    y1, y2 = int(box.y1 * h), max(int(box.y1 * h) + 1, int(np.ceil(box.y2 * h)))
    region = change[max(0, y1) : min(h, y2), max(0, x1) : min(w, x2)]
    return float(region.mean()) if region.size else 0.0


def box_iou(a: Box, b: Box) -> float:
    ix = max(0.0, min(a.x2, b.x2) - max(a.x1, b.x1))
    iy = max(0.0, min(a.y2, b.y2) - max(a.y1, b.y1))
    inter = ix * iy
    union = (a.x2 - a.x1) * (a.y2 - a.y1) + (b.x2 - b.x1) * (b.y2 - b.y1) - inter
    return inter / union if union > 0 else 0.0


def moved(box: Box, previous: Sequence[Box]) -> bool:
    """A machine not where any machine of the same kind stood in the previous sample."""
    same = [p for p in previous if p.category is box.category]
    return not same or max(box_iou(box, p) for p in same) < MOVED_IOU


def sample_activity(
    boxes: Sequence[Box],
    previous_boxes: Sequence[Box] | None,
    change: npt.NDArray[np.bool_] | None,
    rules: ScoringConfig,
) -> Activity:
    """Moving workers, working machines and moving vehicles in one sample.

    Without a previous sample (``change`` is None) nothing can be shown to move: the sample counts as
    inactive rather than guessing.
    """
    if change is None or previous_boxes is None:
        return Activity()

    def moving(box: Box) -> bool:
        if box_motion(change, box) >= rules.motion_in_box:
            return True
        return box.category is not Category.worker and moved(box, previous_boxes)

    workers = sum(1 for b in boxes if b.category is Category.worker and moving(b))
    machines = sum(1 for b in boxes if b.category is Category.machinery and moving(b))
    vehicles = sum(1 for b in boxes if b.category is Category.vehicle and moving(b))
    valid_share = float(change.size) if change.size else 1.0
    level = min(1.0, (workers + 2 * machines + vehicles) / rules.activity_saturation)
    return Activity(workers, machines, vehicles, round(float(change.sum()) / valid_share, 4), round(level, 4))
