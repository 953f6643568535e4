"""Which detections stand inside the site zone and outside the masks. Pure functions."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from detectors.base import Detections

PolygonPoints = Sequence[tuple[float, float]]


def points_in_polygon(points: npt.NDArray[np.floating], polygon: PolygonPoints) -> npt.NDArray[np.bool_]:
    """Even-odd rule, vectorised over ``points`` (N x 2); polygon and points in the same units."""
    poly = np.asarray(polygon, dtype=np.float64)
    x, y = points[:, 0][:, None], points[:, 1][:, None]
    x1, y1 = poly[:, 0][None, :], poly[:, 1][None, :]
    x2, y2 = np.roll(poly[:, 0], -1)[None, :], np.roll(poly[:, 1], -1)[None, :]
    crosses = (y1 > y) != (y2 > y)
    with np.errstate(divide="ignore", invalid="ignore"):
        x_at_y = x1 + (y - y1) * (x2 - x1) / (y2 - y1)
    inside = crosses & (x < x_at_y)
    return np.asarray(np.count_nonzero(inside, axis=1) % 2 == 1)


def anchor_points(detections: Detections, width: int, height: int) -> npt.NDArray[np.float64]:
    """Bottom centre of each box, normalised to 0..1: where a worker or machine stands on the ground."""
    xyxy = detections.xyxy.astype(np.float64)
    return np.stack([(xyxy[:, 0] + xyxy[:, 2]) / 2 / width, xyxy[:, 3] / height], axis=1)


def in_zone(
    detections: Detections,
    width: int,
    height: int,
    site_zone: PolygonPoints | None,
    masks: Sequence[PolygonPoints] = (),
) -> npt.NDArray[np.bool_]:
    """True for detections whose anchor is inside the site zone (whole frame if none) and in no mask."""
    if len(detections) == 0:
        return np.zeros(0, dtype=bool)
    anchors = anchor_points(detections, width, height)
    keep = np.ones(len(detections), dtype=bool) if site_zone is None else points_in_polygon(anchors, site_zone)
    for mask in masks:
        keep &= ~points_in_polygon(anchors, mask)
    return keep
