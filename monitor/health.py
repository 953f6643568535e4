"""Is the picture alive? Frozen and blank pictures, judged outside the masks.

The rules are pure functions of small grey signatures; ``PictureTracker`` only remembers the last
signature per camera.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import numpy as np
import numpy.typing as npt

from monitor.activity import Box
from monitor.config import HealthConfig
from monitor.types import CameraKey, CameraStatus

SIGNATURE_SIZE = (160, 90)  # width, height: small enough to be cheap, large enough to see a worker move
CHANGE_LEVEL = 12  # grey levels; below this a pixel difference is compression noise

PolygonPoints = Sequence[tuple[float, float]]


@dataclass(frozen=True, eq=False)
class Signature:
    grey: npt.NDArray[np.uint8]
    valid: npt.NDArray[np.bool_]
    """Pixels outside every mask."""


def signature(image: npt.NDArray[np.uint8], masks: Sequence[PolygonPoints] = ()) -> Signature:
    w, h = SIGNATURE_SIZE
    grey = cv2.resize(cv2.cvtColor(image, cv2.COLOR_BGR2GRAY), (w, h), interpolation=cv2.INTER_AREA)
    valid = np.ones((h, w), np.uint8)
    for mask in masks:
        pts = np.array([[round(x * w), round(y * h)] for x, y in mask], np.int32)
        cv2.fillPoly(valid, [pts], 0)
    if masks:
        # Grow the masks by a pixel: a clock's edge must not count as motion.
        valid = np.asarray(cv2.erode(valid, np.ones((3, 3), np.uint8)), np.uint8)
    return Signature(np.asarray(grey, np.uint8), valid.astype(bool))


def is_uniform(sig: Signature, max_std: float) -> bool:
    """Black, white or single-colour picture (lens covered, no video signal)."""
    pixels = sig.grey[sig.valid]
    return pixels.size == 0 or float(pixels.std()) < max_std


def changed_fraction(a: Signature, b: Signature) -> float:
    """Share of unmasked pixels that changed by more than compression noise."""
    valid = a.valid & b.valid
    total = int(valid.sum())
    if total == 0 or a.grey.shape != b.grey.shape:
        return 1.0
    diff = cv2.absdiff(a.grey, b.grey)
    return float(np.count_nonzero((diff > CHANGE_LEVEL) & valid)) / total


def picture_status(unchanged_in_a_row: int, uniform: bool, rules: HealthConfig) -> CameraStatus:
    """The status a good connection gets from what its picture shows."""
    if uniform:
        return CameraStatus.black
    if unchanged_in_a_row + 1 >= rules.frozen_after_samples:
        return CameraStatus.frozen
    return CameraStatus.online


@dataclass(frozen=True, eq=False)
class CameraState:
    """What sampling remembers of a camera between samples (kept in the database across restarts)."""

    grey: npt.NDArray[np.uint8]
    unchanged: int
    machines: tuple[Box, ...]


def judge_picture(previous: CameraState | None, sig: Signature, rules: HealthConfig) -> tuple[CameraStatus, str, int]:
    """Status, reason and the new count of unchanged pictures in a row."""
    uniform = is_uniform(sig, rules.uniform_max_std)
    same = (
        previous is not None
        and previous.grey.shape == sig.grey.shape
        and changed_fraction(Signature(previous.grey, sig.valid), sig) <= rules.frozen_max_changed_fraction
    )
    unchanged = previous.unchanged + 1 if (previous is not None and same) else 0
    status = picture_status(unchanged, uniform, rules)
    if status is CameraStatus.black:
        return status, "picture is blank (black or a single colour)", unchanged
    if status is CameraStatus.frozen:
        return status, f"picture unchanged for {unchanged + 1} samples (frozen)", unchanged
    return status, "", unchanged


class CameraMemory:
    """The last CameraState of every camera; thread-safe."""

    def __init__(self, states: dict[CameraKey, CameraState] | None = None) -> None:
        self._states = dict(states or {})
        self._lock = threading.Lock()

    def previous(self, key: CameraKey) -> CameraState | None:
        with self._lock:
            return self._states.get(key)

    def remember(self, key: CameraKey, state: CameraState) -> None:
        with self._lock:
            self._states[key] = state

    def replace(self, states: dict[CameraKey, CameraState | None]) -> None:
        """Take these cameras' memory from elsewhere (the database); None forgets a camera."""
        with self._lock:
            for key, state in states.items():
                if state is None:
                    self._states.pop(key, None)
                else:
                    self._states[key] = state
