"""Structure growth: how much the structure zone changed between two days' reference pictures.

Compared on normalised gradients (edges), not raw pixels: light, weather and exposure change the
brightness and contrast of a picture, not where its edges are. Pure functions.
"""

from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np
import numpy.typing as npt

PolygonPoints = Sequence[tuple[float, float]]
REF_WIDTH = 320
EDGE_LEVEL = 0.35  # share of the zone's 95th-percentile gradient above which a pixel is an edge
DAYLIGHT = (45.0, 215.0)  # mean grey level of a usable (not night, not blown out) zone


def zone_crop(image: npt.NDArray[np.uint8], zone: PolygonPoints) -> npt.NDArray[np.uint8]:
    """The zone's bounding box, grey, scaled to a fixed width so days compare pixel for pixel."""
    h, w = image.shape[:2]
    xs = [p[0] for p in zone]
    ys = [p[1] for p in zone]
    x1, x2 = int(min(xs) * w), max(int(min(xs) * w) + 2, int(np.ceil(max(xs) * w)))
    y1, y2 = int(min(ys) * h), max(int(min(ys) * h) + 2, int(np.ceil(max(ys) * h)))
    crop = cv2.cvtColor(image[y1:y2, x1:x2], cv2.COLOR_BGR2GRAY)
    height = max(2, round(crop.shape[0] * REF_WIDTH / crop.shape[1]))
    return np.asarray(cv2.resize(crop, (REF_WIDTH, height), interpolation=cv2.INTER_AREA), np.uint8)


def zone_mask(zone: PolygonPoints, shape: tuple[int, int]) -> npt.NDArray[np.bool_]:
    """The polygon inside its own bounding box, at ``shape`` (height, width)."""
    xs = [p[0] for p in zone]
    ys = [p[1] for p in zone]
    span_x, span_y = max(max(xs) - min(xs), 1e-6), max(max(ys) - min(ys), 1e-6)
    h, w = shape
    pts = np.array([[(x - min(xs)) / span_x * w, (y - min(ys)) / span_y * h] for x, y in zone], np.int32)
    mask = np.zeros(shape, np.uint8)
    cv2.fillPoly(mask, [pts], 1)
    return mask.astype(bool)


def reference_quality(crop: npt.NDArray[np.uint8], occluded_share: float) -> float:
    """0 at night or blown out; otherwise the less the zone is hidden by workers and machines, the better."""
    brightness = float(crop.mean())
    if not DAYLIGHT[0] <= brightness <= DAYLIGHT[1] or float(crop.std()) < 4:
        return 0.0
    return round(max(0.0, 1.0 - occluded_share), 4)


def occluded_share(boxes: Sequence[tuple[float, float, float, float]], zone: PolygonPoints) -> float:
    """Share of the zone's bounding box covered by detection boxes (normalised image coordinates)."""
    xs = [p[0] for p in zone]
    ys = [p[1] for p in zone]
    zx1, zy1, zx2, zy2 = min(xs), min(ys), max(xs), max(ys)
    grid = np.zeros((50, 50), bool)
    for x1, y1, x2, y2 in boxes:
        gx1 = int(np.clip((x1 - zx1) / (zx2 - zx1), 0, 1) * 50)
        gx2 = int(np.ceil(np.clip((x2 - zx1) / (zx2 - zx1), 0, 1) * 50))
        gy1 = int(np.clip((y1 - zy1) / (zy2 - zy1), 0, 1) * 50)
        gy2 = int(np.ceil(np.clip((y2 - zy1) / (zy2 - zy1), 0, 1) * 50))
        grid[gy1:gy2, gx1:gx2] = True
    return float(grid.mean())


def edges(grey: npt.NDArray[np.uint8], mask: npt.NDArray[np.bool_]) -> npt.NDArray[np.bool_]:
    """Edge map, normalised by the zone's own gradient strength (so contrast changes cancel)."""
    g = cv2.GaussianBlur(grey, (3, 3), 0).astype(np.float32)
    magnitude = cv2.magnitude(cv2.Sobel(g, cv2.CV_32F, 1, 0), cv2.Sobel(g, cv2.CV_32F, 0, 1))
    inside = magnitude[mask]
    scale = float(np.percentile(inside, 95)) if inside.size else 0.0
    if scale < 1e-3:
        return np.zeros(grey.shape, bool)
    return np.asarray((magnitude / scale > EDGE_LEVEL) & mask, bool)


def change_map(
    reference: npt.NDArray[np.uint8], current: npt.NDArray[np.uint8], mask: npt.NDArray[np.bool_]
) -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.bool_]]:
    """Where edges appeared (new structure) and where they vanished, with two pixels of tolerance for shake."""
    if reference.shape != current.shape or not mask.any():
        empty = np.zeros(current.shape[:2], bool)
        return empty, empty
    a, b = edges(reference, mask), edges(current, mask)
    kernel = np.ones((5, 5), np.uint8)
    grown_a = cv2.dilate(a.astype(np.uint8), kernel).astype(bool)
    grown_b = cv2.dilate(b.astype(np.uint8), kernel).astype(bool)
    return b & ~grown_a, a & ~grown_b


def structure_change(
    reference: npt.NDArray[np.uint8], current: npt.NDArray[np.uint8], mask: npt.NDArray[np.bool_]
) -> float:
    """Share of the zone where edges appeared or vanished (with two pixels of tolerance for shake)."""
    appeared, vanished = change_map(reference, current, mask)
    if not mask.any() or reference.shape != current.shape:
        return 0.0
    return round(float((appeared | vanished)[mask].mean()), 4)


def change_picture(
    reference: npt.NDArray[np.uint8], current: npt.NDArray[np.uint8], mask: npt.NDArray[np.bool_]
) -> npt.NDArray[np.uint8]:
    """The later day's zone in grey, outside the zone dimmed, edges that appeared in orange and edges that
    vanished in blue (thickened to be seen): where the structure changed between the two days (BGR)."""
    appeared, vanished = change_map(reference, current, mask)
    picture = cv2.cvtColor(current, cv2.COLOR_GRAY2BGR)
    picture[~mask] = (picture[~mask] * 0.35).astype(np.uint8)
    kernel = np.ones((3, 3), np.uint8)
    picture[cv2.dilate(vanished.astype(np.uint8), kernel).astype(bool)] = (235, 140, 20)
    picture[cv2.dilate(appeared.astype(np.uint8), kernel).astype(bool)] = (0, 140, 255)
    return np.asarray(picture, np.uint8)
