from __future__ import annotations

import numpy as np
import pytest

from detectors import Detections
from monitor.sampling.zones import in_zone, points_in_polygon

SQUARE = [(0.25, 0.25), (0.75, 0.25), (0.75, 0.75), (0.25, 0.75)]
L_SHAPE = [(0, 0), (1, 0), (1, 0.5), (0.5, 0.5), (0.5, 1), (0, 1)]


@pytest.mark.parametrize(
    ("polygon", "point", "inside"),
    [
        (SQUARE, (0.5, 0.5), True),
        (SQUARE, (0.1, 0.5), False),
        (SQUARE, (0.5, 0.9), False),
        (L_SHAPE, (0.25, 0.75), True),
        (L_SHAPE, (0.75, 0.75), False),  # the notch of the L
        (L_SHAPE, (0.75, 0.25), True),
    ],
)
def test_points_in_polygon(polygon: list[tuple[float, float]], point: tuple[float, float], inside: bool) -> None:
    assert points_in_polygon(np.array([point]), polygon).tolist() == [inside]


def _boxes(*xyxy: tuple[float, float, float, float]) -> Detections:
    n = len(xyxy)
    return Detections(np.array(xyxy, np.float32).reshape(n, 4), np.ones(n, np.float32), np.zeros(n, np.int32), ("x",))


def test_boxes_count_by_their_foot_point_inside_the_zone_and_outside_masks() -> None:
    # 100x100 frame: feet at (50,60) inside the square, (50,95) below it, (10,10) in the mask corner.
    dets = _boxes((40, 20, 60, 60), (40, 80, 60, 95), (0, 0, 20, 10))
    assert in_zone(dets, 100, 100, None).tolist() == [True, True, True]
    assert in_zone(dets, 100, 100, SQUARE).tolist() == [True, False, False]
    mask = [(0, 0), (0.3, 0), (0.3, 0.2), (0, 0.2)]
    assert in_zone(dets, 100, 100, None, [mask]).tolist() == [True, True, False]


def test_no_detections_gives_an_empty_selection() -> None:
    assert in_zone(Detections.empty(("x",)), 10, 10, SQUARE).shape == (0,)
