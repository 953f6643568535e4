"""The camera's own movement between two samples, estimated and undone before any pixel is compared.

A pole camera sways in the wind, vibrates when a truck passes, and a PTZ camera drifts off its preset: the
whole picture moves by a few pixels and turns by a fraction of a degree. Compared pixel by pixel, every edge
of a parked machine then "moves". So the movement is estimated on the two grey signatures (phase correlation
for the shift, refined by ECC to a Euclidean transform: shift and rotation, to a tenth of a pixel) and the
previous picture is warped onto the current one. A movement larger than sway or drift explains is a knock to
a new view: reported, never counted as activity. Pure functions; about 1 ms per sample (bench/activity_suite.py).
"""

from __future__ import annotations

import contextlib
import math
from dataclasses import dataclass

import cv2
import numpy as np
import numpy.typing as npt

ESTIMATE_WIDTH = 160  # the movement is estimated at this width, then scaled to the signature
ECC_CRITERIA = (cv2.TERM_CRITERIA_EPS | cv2.TERM_CRITERIA_COUNT, 30, 1e-4)

Grey = npt.NDArray[np.uint8]


@dataclass(frozen=True)
class CameraMotion:
    """previous -> current, in pixels of the signature it was estimated for, and degrees."""

    dx: float
    dy: float
    angle: float
    width: int
    """Width of the picture the shift is measured in."""
    similarity: float = math.nan
    """How alike the two pictures are once aligned (ECC's correlation coefficient, -1..1); NaN when ECC did not
    converge. The same view scores 0.88 or more on the scenario suite, even with a crew at work, in rain or
    across the IR switch; another preset of a dome or a moving platform's next view 0.67 or less."""

    @property
    def shift_share(self) -> float:
        """The shift as a share of the picture's width."""
        return math.hypot(self.dx, self.dy) / self.width

    def matrix(self) -> npt.NDArray[np.float32]:
        """The 2x3 affine matrix mapping previous pixel coordinates onto current ones."""
        a = math.radians(self.angle)
        c, s = math.cos(a), math.sin(a)
        return np.array([[c, -s, self.dx], [s, c, self.dy]], np.float32)


STILL = CameraMotion(0.0, 0.0, 0.0, 1)


def estimate_motion(previous: Grey, current: Grey) -> CameraMotion:
    """The Euclidean movement (shift and rotation) that maps ``previous`` onto ``current``.

    Moving workers and machines are a small part of the picture: the estimate follows the background.
    When ECC does not converge (a new view, a blank picture) the phase-correlation shift stands alone.
    """
    h, w = current.shape
    scale = w / ESTIMATE_WIDTH if w > ESTIMATE_WIDTH else 1.0
    size = (round(w / scale), round(h / scale))
    a = cv2.resize(previous, size, interpolation=cv2.INTER_AREA).astype(np.float32)
    b = cv2.resize(current, size, interpolation=cv2.INTER_AREA).astype(np.float32)
    window = cv2.createHanningWindow(size, cv2.CV_32F)
    (sx, sy), _ = cv2.phaseCorrelate(a, b, window)
    warp: npt.NDArray[np.float32] = np.array([[1, 0, sx], [0, 1, sy]], np.float32)
    everywhere = np.full(a.shape, 255, np.uint8)
    similarity = math.nan
    with contextlib.suppress(cv2.error):  # not converged: the shift alone stands
        rho, refined = cv2.findTransformECC(a, b, warp, cv2.MOTION_EUCLIDEAN, ECC_CRITERIA, everywhere, 3)
        warp, similarity = np.asarray(refined, np.float32), float(rho)
    # With previous as ECC's template, previous(x) ~ current(warp(x)): warp maps previous onto current.
    angle = math.degrees(math.atan2(float(warp[1, 0]), float(warp[0, 0])))
    return CameraMotion(float(warp[0, 2]) * scale, float(warp[1, 2]) * scale, angle, w, similarity)


def align(previous: Grey, valid: npt.NDArray[np.bool_], motion: CameraMotion) -> tuple[Grey, npt.NDArray[np.bool_]]:
    """``previous`` warped onto the current picture, and where it has pixels (edges moved out of view)."""
    h, w = previous.shape
    m = motion.matrix()
    warped = cv2.warpAffine(previous, m, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    inside = cv2.warpAffine(valid.astype(np.uint8), m, (w, h), flags=cv2.INTER_NEAREST, borderValue=0)
    return np.asarray(warped, np.uint8), np.asarray(inside, bool)
