"""What moved between two samples of a camera, and how active a sample is. Pure functions.

Each rule was decided on the labelled scenario suite (tests/fixtures/scenarios.py, docs/scoring.md):

1. The camera's own movement is undone first (`monitor.sampling.motion`): sway and drift are not activity. A
   movement beyond sway (``view_change_shift``, ``view_change_turn``) is a new view: reported, no activity.
2. Pixels are compared after *local* photometric normalisation (each pixel against the mean and spread of
   its neighbourhood), so light that changes over large areas -- a cloud shadow, dusk, exposure, the IR
   switch -- is not motion; masked regions (the clock) never are.
3. A pixel changed only if it lies outside what the other picture shows within one pixel around it: the
   residual of the compensation (a fraction of a pixel) is not motion. Isolated changed pixels (sensor
   noise, raindrops) are removed by a morphological opening.
4. When most of the picture changed at once (``global_change_share``) nothing local can be told from a
   lighting or weather event: the sample shows no activity.
5. A worker moves, and a machine works, when enough of its own box changed (``motion_in_box``: an arm, a
   bucket, a load, a walking person). A machine also works when it stands further from where it stood
   than detector jitter explains for a box of its size (``machine_jitter``), paired with its previous box
   by nearness, and a quarter of the pixel evidence confirms it (detector boxes of parked machines jump by
   up to a box's size under noise and sway, their pixels unchanged). A machine the detector missed in the
   previous sample is not thereby moving: it is compared by its pixels alone.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import replace

import cv2
import numpy as np
import numpy.typing as npt

from monitor.config import Category, ScoringConfig
from monitor.core.values import Activity, Box
from monitor.sampling.motion import CameraMotion, align, estimate_motion

NORMALISED_CHANGE = 0.8  # in units of the neighbourhood's own spread; below this a pixel did not change
LOCAL_SIGMA = 5.0  # pixels of the signature: the neighbourhood of the local normalisation
CONTRAST_FLOOR = 6.0  # grey levels: flat areas are not blown up into noise
MATCH_DISTANCE = 1.5  # sizes: a previous machine of its kind this near (and of a similar size) is the same one
_NEIGHBOURS = np.ones((3, 3), np.uint8)
_SPECKLE = np.ones((2, 2), np.uint8)

Grey = npt.NDArray[np.uint8]
Mask = npt.NDArray[np.bool_]


def local_normalise(grey: Grey) -> npt.NDArray[np.float32]:
    """Each pixel against its neighbourhood's mean and spread: invariant to light over large areas."""
    g = grey.astype(np.float32)
    dev = g - cv2.GaussianBlur(g, (0, 0), LOCAL_SIGMA)
    spread = np.sqrt(cv2.GaussianBlur(dev * dev, (0, 0), LOCAL_SIGMA))
    return np.asarray(dev / (spread + CONTRAST_FLOOR), np.float32)


def _outside(a: npt.NDArray[np.float32], b: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
    """How far each pixel of ``b`` lies outside the range ``a`` shows within one pixel around it."""
    low = cv2.erode(a, _NEIGHBOURS)
    high = cv2.dilate(a, _NEIGHBOURS)
    return np.asarray(np.maximum(np.maximum(low - b, b - high), 0), np.float32)


def change_map(previous: Grey, current: Grey, valid: Mask, motion: CameraMotion | None = None) -> Mask:
    """Pixels that changed beyond what the camera's movement, light and noise explain."""
    if previous.shape != current.shape:
        return np.zeros(current.shape, bool)
    inside = valid
    if motion is not None:
        previous, inside = align(previous, valid, motion)
        inside = inside & valid
    a, b = local_normalise(previous), local_normalise(current)
    diff = np.maximum(_outside(a, b), _outside(b, a))
    changed = ((diff > NORMALISED_CHANGE) & inside).astype(np.uint8)
    return np.asarray(cv2.morphologyEx(changed, cv2.MORPH_OPEN, _SPECKLE), bool)


def box_motion(change: Mask, box: Box) -> float:
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


def follow(box: Box, motion: CameraMotion, shape: tuple[int, int]) -> Box:
    """Where ``box`` of the previous picture stands in the current one after the camera's movement."""
    h, w = shape
    m = motion.matrix()
    corners = np.array([[box.x1 * w, box.y1 * h, 1], [box.x2 * w, box.y1 * h, 1], [box.x1 * w, box.y2 * h, 1]])
    moved = corners @ m.T.astype(np.float64)
    xs, ys = moved[:, 0], moved[:, 1]
    x2 = xs[1] + (xs[2] - xs[0])
    y2 = ys[2] + (ys[1] - ys[0])
    return Box(box.category, min(xs[0], x2) / w, min(ys[0], y2) / h, max(xs[0], x2) / w, max(ys[0], y2) / h)


def _centre(box: Box, aspect: float) -> tuple[float, float, float]:
    """Centre and size (square root of the area), in units of the picture's height."""
    size = math.sqrt(max((box.x2 - box.x1) * aspect * (box.y2 - box.y1), 1e-9))
    return (box.x1 + box.x2) / 2 * aspect, (box.y1 + box.y2) / 2, size


def displaced(boxes: Sequence[Box], previous: Sequence[Box], jitter: float, aspect: float = 16 / 9) -> set[int]:
    """Indices of ``boxes`` that stand further than detector jitter explains (``jitter`` x the box's size)
    from the same machine's previous box. The same machine: same kind, a size within a factor of 2, the
    centre within ``MATCH_DISTANCE`` sizes, paired nearest first, each previous box once. A machine with no
    such previous box (missed last time, or new) is not displaced: its pixels alone can show it works."""
    pairs = []
    for i, box in enumerate(boxes):
        cx, cy, size = _centre(box, aspect)
        for j, before in enumerate(previous):
            if before.category is not box.category or box.category is Category.worker:
                continue
            px, py, psize = _centre(before, aspect)
            distance = math.hypot(cx - px, cy - py) / size
            if 0.5 <= psize / size <= 2 and distance <= MATCH_DISTANCE:
                pairs.append((distance, i, j))
    moved: set[int] = set()
    used_boxes: set[int] = set()
    used_previous: set[int] = set()
    for distance, i, j in sorted(pairs):
        if i in used_boxes or j in used_previous:
            continue
        used_boxes.add(i)
        used_previous.add(j)
        if distance > jitter:
            moved.add(i)
    return moved


VIEW_CHANGED = "camera view changed"
"""How a sample's reason starts when the camera was knocked to a new view (the alert rules look for it)."""


def view_change_reason(activity: Activity) -> str:
    return (
        f"{VIEW_CHANGED}: moved {activity.camera_shift:.1%} of the picture, turned {activity.camera_turn:+.1f} deg"
        " since the previous sample (knocked or turned?); activity not counted, check the zones"
    )


def view_unstable_reason(new_views: int) -> str:
    return (
        f"view unstable: {new_views} new views in a row, none seen twice within sway (a moving platform, a dome"
        " that never stops?); no activity counted until the view holds still"
    )


def is_view_change(motion: CameraMotion, rules: ScoringConfig) -> bool:
    return motion.shift_share > rules.view_change_shift or abs(motion.angle) > rules.view_change_turn


def compare(
    previous: Grey,
    previous_boxes: Sequence[Box],
    current: Grey,
    valid: Mask,
    boxes: Sequence[Box],
    rules: ScoringConfig,
    motion: CameraMotion | None = None,
) -> Activity:
    """The activity of a sample against the camera's previous one (compensated for the camera's movement).
    ``motion``: the camera's movement between the two, when already estimated (the view was matched)."""
    if previous.shape != current.shape:
        return Activity()  # a different signature size (after an upgrade): nothing to compare yet
    motion = motion or estimate_motion(previous, current)
    shift, turn = round(motion.shift_share, 4), round(motion.angle, 2)
    if is_view_change(motion, rules):
        return Activity(camera_shift=shift, camera_turn=turn, view_changed=True)
    if not boxes and not any(b.category is Category.worker for b in previous_boxes):
        return Activity(camera_shift=shift, camera_turn=turn)  # nothing that could move: no pixel compared
    change = change_map(previous, current, valid, motion)
    valid_pixels = int(np.count_nonzero(valid))
    share = round(float(np.count_nonzero(change)) / valid_pixels, 4) if valid_pixels else 0.0
    if share > rules.global_change_share:
        return Activity(motion=share, camera_shift=shift, camera_turn=turn, global_change=True)
    h, w = current.shape
    followed = [follow(p, motion, (h, w)) for p in previous_boxes]
    return sample_activity(boxes, followed, change, rules, aspect=w / h, shift=shift, turn=turn, share=share)


def sample_activity(
    boxes: Sequence[Box],
    previous_boxes: Sequence[Box] | None,
    change: Mask | None,
    rules: ScoringConfig,
    aspect: float = 16 / 9,
    shift: float = 0.0,
    turn: float = 0.0,
    share: float | None = None,
) -> Activity:
    """Moving workers, working machines and moving vehicles in one sample, from a compensated change map.

    Without a previous sample (``change`` is None) nothing can be shown to move: the sample counts as
    inactive rather than guessing.
    """
    if change is None or previous_boxes is None:
        return Activity()

    machines_before = [b for b in previous_boxes if b.category is not Category.worker and not b.missed]
    far = displaced(boxes, machines_before, rules.machine_jitter, aspect)
    # A box that jumped with its pixels unchanged is the detector's jitter (measured on parked fleets up to
    # a box's size under noise and sway): a displacement counts with a quarter of the pixel evidence.
    moving = [
        m >= rules.motion_in_box or (i in far and m >= rules.motion_in_box / 4)
        for i, m in enumerate(box_motion(change, b) for b in boxes)
    ]

    def count(category: Category) -> int:
        return sum(1 for b, m in zip(boxes, moving, strict=True) if m and b.category is category)

    workers, machines, vehicles = count(Category.worker), count(Category.machinery), count(Category.vehicle)
    workers += lost_workers_moving(boxes, previous_boxes, change, rules)
    if share is None:
        share = round(float(change.sum()) / change.size, 4) if change.size else 0.0
    level = min(1.0, (workers + 2 * machines + vehicles) / rules.activity_saturation)
    return Activity(workers, machines, vehicles, share, round(level, 4), shift, turn, moving=tuple(moving))


def lost_workers_moving(boxes: Sequence[Box], previous_boxes: Sequence[Box], change: Mask, rules: ScoringConfig) -> int:
    """Workers of the previous sample the detector does not find now, where the picture changed: they moved
    (walked off, bent down, turned away). A small, far worker is found in one sample and missed in the next
    (on the suite's real CCTV, samples 12-23); where he stood changed, so somebody moved. At most as many as
    the previous sample had workers more than this one (a worker who walked from A to B is counted at B only);
    a worker standing still leaves his place unchanged, whatever the detector does."""
    now = [b for b in boxes if b.category is Category.worker]
    before = [b for b in previous_boxes if b.category is Category.worker]
    missing = len(before) - len(now)
    if missing <= 0:
        return 0
    unmatched = [b for b in before if all(box_iou(b, n) < LOST_IOU for n in now)]
    return min(missing, sum(1 for b in unmatched if box_motion(change, b) >= rules.motion_in_box))


LOST_IOU = 0.1
"""A previous worker box overlapping a current one this much is that worker, found again."""
REMEMBER_MISSED = 2
"""Samples a worker the detector stopped finding is remembered (his place watched) before he is forgotten."""


def remembered_boxes(boxes: Sequence[Box], previous_boxes: Sequence[Box]) -> tuple[Box, ...]:
    """What the camera's memory keeps of this sample: its boxes, and the workers of the previous sample the
    detector does not find now (for ``REMEMBER_MISSED`` samples): far, small workers flicker in and out of
    detection, and where one stood is worth watching while he is not found."""
    now = [b for b in boxes if b.category is Category.worker]
    kept = [
        replace(b, missed=b.missed + 1)
        for b in previous_boxes
        if b.category is Category.worker and b.missed < REMEMBER_MISSED and all(box_iou(b, n) < LOST_IOU for n in now)
    ]
    return (*boxes, *kept)
