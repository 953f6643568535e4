"""Is the picture alive? Frozen and blank pictures, judged outside the masks.

The rules are pure functions of small grey signatures; ``PictureTracker`` only remembers the last
signature per camera.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import numpy as np
import numpy.typing as npt

from monitor.config import PictureConfig
from monitor.core.values import CameraKey, CameraState, CameraStatus

SIGNATURE_SIZE = (320, 180)  # width, height: cheap, yet a distant worker still covers a hundred pixels
TEXTURE_SIZE = (160, 90)  # single pixels (not averages) of the picture: they carry the sensor's noise
CELL = 10  # texture pixels: the picture is judged in cells of 10 x 10
CELL_CHANGED = 0.02  # share of a cell's pixels that must change for the cell to be alive

PolygonPoints = Sequence[tuple[float, float]]
Grey = npt.NDArray[np.uint8]


@dataclass(frozen=True, eq=False)
class Signature:
    grey: Grey
    """Area-averaged grey picture: what activity compares."""
    valid: npt.NDArray[np.bool_]
    """Pixels outside every mask."""
    texture: Grey | None = None
    """Single pixels of the picture, not averaged: what the frozen rule compares."""


def _valid_mask(masks: Sequence[PolygonPoints], w: int, h: int) -> npt.NDArray[np.bool_]:
    key = tuple(tuple((float(x), float(y)) for x, y in mask) for mask in masks)
    return _cached_valid_mask(key, w, h)


@functools.lru_cache(maxsize=1024)
def _cached_valid_mask(masks: tuple[tuple[tuple[float, float], ...], ...], w: int, h: int) -> npt.NDArray[np.bool_]:
    """A camera's masks never change between samples: drawn once (read-only, shared)."""
    valid = np.ones((h, w), np.uint8)
    for mask in masks:
        pts = np.array([[round(x * w), round(y * h)] for x, y in mask], np.int32)
        cv2.fillPoly(valid, [pts], 0)
    if masks:
        # Grow the masks by a pixel: a clock's edge must not count as motion.
        valid = np.asarray(cv2.erode(valid, np.ones((3, 3), np.uint8)), np.uint8)
    out = valid.astype(bool)
    out.flags.writeable = False
    return out


def signature(image: npt.NDArray[np.uint8], masks: Sequence[PolygonPoints] = ()) -> Signature:
    w, h = SIGNATURE_SIZE
    full = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    grey = cv2.resize(full, (w, h), interpolation=cv2.INTER_AREA)
    texture = cv2.resize(full, TEXTURE_SIZE, interpolation=cv2.INTER_NEAREST)
    return Signature(np.asarray(grey, np.uint8), _valid_mask(masks, w, h), np.asarray(texture, np.uint8))


def is_uniform(sig: Signature, max_std: float) -> bool:
    """Black, white or single-colour picture (lens covered, no video signal)."""
    pixels = sig.grey[sig.valid]
    return pixels.size == 0 or float(pixels.std()) < max_std


def changed_area(previous: Grey, current: Grey, valid: npt.NDArray[np.bool_], noise_level: int) -> float:
    """Share of the picture (in cells, outside the masks) where any pixel changed by more than
    ``noise_level`` grey levels. A live camera's sensor noise touches every cell, however still the scene;
    a stream repeating one picture changes nowhere, or only where a burnt-in clock ticks."""
    if previous.shape != current.shape:
        return 1.0
    h, w = current.shape
    valid = cv2.resize(valid.astype(np.uint8), (w, h), interpolation=cv2.INTER_NEAREST).astype(bool)
    changed = (cv2.absdiff(previous, current) > noise_level) & valid
    rows, cols = h // CELL, w // CELL
    crop = (slice(0, rows * CELL), slice(0, cols * CELL))
    per_cell = changed[crop].reshape(rows, CELL, cols, CELL).sum(axis=(1, 3))
    valid_cell = valid[crop].reshape(rows, CELL, cols, CELL).sum(axis=(1, 3))
    judged = valid_cell >= CELL * CELL // 2
    if not judged.any():
        return 1.0
    alive = per_cell > CELL_CHANGED * np.maximum(valid_cell, 1)
    return float(np.count_nonzero(alive & judged)) / float(np.count_nonzero(judged))


def picture_status(unchanged_in_a_row: int, uniform: bool, rules: PictureConfig) -> CameraStatus:
    """The status a good connection gets from what its picture shows."""
    if uniform:
        return CameraStatus.black
    if unchanged_in_a_row + 1 >= rules.frozen_after_samples:
        return CameraStatus.frozen
    return CameraStatus.online


def judge_picture(
    previous: CameraState | None, sig: Signature, rules: PictureConfig, uniform: bool | None = None
) -> tuple[CameraStatus, str, int]:
    """Status, reason and the new count of repeated pictures in a row. ``uniform``: already known (the
    sampler checks for a blank picture when it grabs), else checked here."""
    if uniform is None:
        uniform = is_uniform(sig, rules.uniform_max_std)
    same = (
        previous is not None
        and previous.texture is not None
        and sig.texture is not None
        and changed_area(previous.texture, sig.texture, sig.valid, rules.frozen_noise_level)
        <= rules.frozen_max_changed_area
    )
    unchanged = previous.unchanged + 1 if (previous is not None and same) else 0
    status = picture_status(unchanged, uniform, rules)
    if status is CameraStatus.black:
        return status, "picture is blank (black or a single colour)", unchanged
    if status is CameraStatus.frozen:
        return status, f"the same picture {unchanged + 1} samples in a row, without sensor noise (frozen)", unchanged
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
