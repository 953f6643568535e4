"""Is the picture alive? Frozen and blank pictures, judged outside the masks.

The rules are pure functions of small grey signatures; ``PictureTracker`` only remembers the last
signature per camera.
"""

from __future__ import annotations

import functools
import math
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


COARSE_SIZE = (80, 45)  # the picture at the scale light and objects show and compression does not
COARSE_CELL = 5  # coarse pixels: a worker or a vehicle changes a 5x5 cell by far more than a re-encoding
LIGHT_CHANGE = 0.004  # at most this change of the mean light: daylight, clouds and exposure always change more
REENCODE_GAIN = 0.01  # and of the contrast (a re-encoding at another quantiser changes it by up to 0.6 %)
INLIER_LEVEL = 3.0  # grey levels: coarse pixels that changed more are left out of the light's fit
FLAT_PICTURE = 8.0  # grey levels of spread: a coarse picture this flat gives no gain, only a mean
REENCODE_MEAN = 2.0  # grey levels: mean difference of the coarse pictures once light is accounted for
REENCODE_CELL = 4.0  # grey levels: a coarse cell whose mean changed more than this changed for real
REENCODE_CELLS = 0.03  # share of cells that may have changed for real: a clock the recorder burns in
REENCODED_RUN = 2  # a run of re-encoded repeats must be this many times frozen_after_samples long
NOISE_STEP = 4  # grey levels: a flat pixel that changed by more carries sensor noise
NOISE_FLOOR = 0.08  # share of flat pixels changed by more than NOISE_STEP: at least this much is a live sensor
FLAT_SPREAD = 3.0  # grey levels: a texture pixel whose 3x3 neighbourhood spreads less is flat
LIVE_TO_RECOVER = 2  # live pictures in a row that end a frozen spell


def coarse(grey: Grey) -> Grey:
    """The picture at 80x45: what the re-encoding rule compares."""
    return np.asarray(cv2.resize(grey, COARSE_SIZE, interpolation=cv2.INTER_AREA), np.uint8)


def _valid_at(valid: npt.NDArray[np.bool_], shape: tuple[int, ...]) -> npt.NDArray[np.bool_]:
    h, w = shape[:2]
    return np.asarray(cv2.resize(valid.astype(np.uint8), (w, h), interpolation=cv2.INTER_NEAREST), bool)


@dataclass(frozen=True)
class Light:
    """How the light changed from one coarse picture to another, fitted on the pixels that did not change."""

    gain: float
    offset: float
    mean_change: float
    """Relative change of the mean brightness."""
    same: bool
    """No change of light a live camera would show (``LIGHT_CHANGE``, ``REENCODE_GAIN``)."""


def light_change(anchor: Grey, current: Grey, inside: npt.NDArray[np.bool_]) -> Light:
    """Least squares of current = gain x anchor + offset, then again without the pixels that changed for
    another reason (a clock, a worker): their share must stay small, or the picture changed, not the light."""
    if anchor.shape != current.shape or np.count_nonzero(inside) < inside.size // 4:
        return Light(math.inf, 0.0, math.inf, False)
    a, b = anchor[inside].astype(np.float32), current[inside].astype(np.float32)
    design = np.stack([a, np.ones_like(a)], 1)
    (gain, offset), *_ = np.linalg.lstsq(design, b, rcond=None)
    kept = np.abs(b - (a * gain + offset)) <= INLIER_LEVEL
    if np.count_nonzero(kept) < a.size // 2:
        return Light(float(gain), float(offset), math.inf, False)
    (gain, offset), *_ = np.linalg.lstsq(design[kept], b[kept], rcond=None)
    mean_change = float(b[kept].mean() / max(float(a[kept].mean()), 1.0) - 1)
    flat = float(a[kept].std()) < FLAT_PICTURE  # too little contrast to measure a gain: the mean alone tells
    same = abs(mean_change) <= LIGHT_CHANGE and (flat or abs(float(gain) - 1) <= REENCODE_GAIN)
    return Light(float(gain), float(offset), mean_change, same)


def reencoded_repeat(
    anchor: Grey,
    current: Grey,
    anchor_texture: Grey,
    texture: Grey,
    valid: npt.NDArray[np.bool_],
    light: Light,
) -> bool:
    """The same picture as ``anchor`` (the first of the run), only re-encoded: a recorder or a platform
    decoding a frozen camera's one picture and encoding it again at a quality that varies. Its pixels differ
    by up to a dozen grey levels along edges and in blocks, so the texture rule sees a live picture; but at
    coarse scale (80x45, where compression leaves no mark) nothing changed beyond ``max_area`` of the cells (a
    clock the recorder burns in: ``REENCODE_CELLS``), and the flat areas of the picture carry no temporally independent sensor
    noise (``NOISE_FLOOR``). The light was found unchanged before (``REENCODE_GAIN``). See docs/ingestion.md
    for the figures and the limit."""
    if anchor.shape != current.shape or anchor_texture.shape != texture.shape:
        return False
    gain, offset = light.gain, light.offset
    inside = _valid_at(valid, current.shape)
    residual = np.abs(current.astype(np.float32) - (anchor.astype(np.float32) * gain + offset)) * inside
    if float(residual[inside].mean()) > REENCODE_MEAN:
        return False
    h, w = current.shape
    rows, cols = h // COARSE_CELL, w // COARSE_CELL
    crop = (slice(0, rows * COARSE_CELL), slice(0, cols * COARSE_CELL))
    cells = residual[crop].reshape(rows, COARSE_CELL, cols, COARSE_CELL).mean(axis=(1, 3))
    if float(np.count_nonzero(cells > REENCODE_CELL)) / cells.size > REENCODE_CELLS:
        return False
    t0, t1 = anchor_texture.astype(np.float32), texture.astype(np.float32)
    mean = cv2.blur(t0, (3, 3))
    spread = np.sqrt(np.maximum(cv2.blur(t0 * t0, (3, 3)) - mean * mean, 0))
    flat = (spread < FLAT_SPREAD) & _valid_at(valid, t0.shape)
    if np.count_nonzero(flat) < flat.size // 20:
        return False  # hardly a flat pixel: no way to tell a sensor's noise
    noisy = np.abs(t1 - (t0 * gain + offset)) > NOISE_STEP
    return float(np.count_nonzero(noisy & flat)) / float(np.count_nonzero(flat)) < NOISE_FLOOR


def repeats(
    previous: CameraState, anchor: Grey, anchor_texture: Grey, current: Grey, sig: Signature, rules: PictureConfig
) -> tuple[bool, bool]:
    """(the picture repeats the run's, it does so only once re-encoding is accounted for). Never when the
    light changed: daylight, clouds and auto-exposure change it between any two samples of a live camera."""
    assert previous.texture is not None and sig.texture is not None
    light = light_change(anchor, current, _valid_at(sig.valid, current.shape))
    if not light.same:
        return False, False
    limit, level = rules.frozen_max_changed_area, rules.frozen_noise_level
    for before in (previous.texture, anchor_texture):
        if before.shape == sig.texture.shape and changed_area(before, sig.texture, sig.valid, level) <= limit:
            return True, False
    found = reencoded_repeat(anchor, current, anchor_texture, sig.texture, sig.valid, light)
    return found, found


def picture_status(unchanged_in_a_row: int, uniform: bool, rules: PictureConfig) -> CameraStatus:
    """The status a good connection gets from what its picture shows."""
    if uniform:
        return CameraStatus.black
    if unchanged_in_a_row + 1 >= rules.frozen_after_samples:
        return CameraStatus.frozen
    return CameraStatus.online


@dataclass(frozen=True, eq=False)
class PictureJudgement:
    """What a picture says of the camera, and what the camera's memory keeps of it."""

    status: CameraStatus
    reason: str
    unchanged: int
    """Repeated pictures in a row before this one."""
    live: int
    """Live pictures in a row, this one included."""
    frozen: bool
    anchor: Grey
    """The coarse picture the next one is compared with: the first of the current run of repeats."""
    anchor_texture: Grey | None
    """The texture of that first picture."""
    reencoded: bool = False
    """Repeated only once re-encoding is accounted for."""


def judge_picture(
    previous: CameraState | None, sig: Signature, rules: PictureConfig, uniform: bool | None = None
) -> PictureJudgement:
    """Whether the picture repeats the camera's previous ones (frozen after ``frozen_after_samples`` in a
    row), is blank, or is live. ``uniform``: already known (the sampler checks for a blank picture when it
    grabs), else checked here. A frozen camera stays frozen until ``LIVE_TO_RECOVER`` live pictures in a row,
    and meanwhile keeps comparing with its frozen picture: one picture that differs (a re-encoding that changed
    more, a glitch) does not make it flap between states."""
    if uniform is None:
        uniform = is_uniform(sig, rules.uniform_max_std)
    current = coarse(sig.grey)
    if previous is None or previous.texture is None or sig.texture is None:
        status = CameraStatus.black if uniform else CameraStatus.online
        why = "picture is blank (black or a single colour)" if uniform else ""
        return PictureJudgement(status, why, 0, 1, False, current, sig.texture)
    anchor = previous.anchor if previous.anchor is not None else coarse(previous.grey)
    anchor_texture = previous.anchor_texture if previous.anchor_texture is not None else previous.texture
    same, reencoded = repeats(previous, anchor, anchor_texture, current, sig, rules)
    unchanged = previous.unchanged + 1 if same else 0
    live = 0 if same else previous.live + 1
    # A run with re-encoded repeats in it must last longer: a live camera in constant light whose encoder
    # removes all sensor noise looks re-encoded for a while; over REENCODED_RUN times as long, light or work
    # changes it (each picture is compared with the run's first).
    reencoded = same and (reencoded or (previous.reencoded and previous.unchanged > 0))
    needed = rules.frozen_after_samples * (REENCODED_RUN if reencoded else 1)
    status = picture_status(unchanged + rules.frozen_after_samples - needed, uniform, rules)
    held = status is CameraStatus.online and previous.frozen and live < LIVE_TO_RECOVER
    if not (same or held):  # a live picture starts the next possible run
        anchor, anchor_texture = current, sig.texture
    if status is CameraStatus.black:
        why = "picture is blank (black or a single colour)"
        return PictureJudgement(status, why, unchanged, live, False, anchor, anchor_texture)
    if status is CameraStatus.frozen or held:
        if held:
            why = f"still frozen: {live} live picture(s) after the repeated ones; {LIVE_TO_RECOVER} in a row end it"
        else:
            how = "re-encoded: no change of light, no sensor noise" if reencoded else "without sensor noise"
            why = f"the same picture {unchanged + 1} samples in a row, {how} (frozen)"
        return PictureJudgement(CameraStatus.frozen, why, unchanged, live, True, anchor, anchor_texture, reencoded)
    return PictureJudgement(status, "", unchanged, live, False, anchor, anchor_texture, reencoded)


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
