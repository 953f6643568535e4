from __future__ import annotations

import numpy as np

from detectors import CategoryMap, Detections
from monitor.core.values import Category

NAMES = ("Person", "machinery", "vehicle", "Hardhat")
MAPPING = {"Person": Category.worker, "machinery": Category.machinery, "vehicle": Category.vehicle}


def _detections(*boxes: tuple[int, float]) -> Detections:
    return Detections(
        xyxy=np.array([[0, 0, 10, 10]] * len(boxes), np.float32).reshape(-1, 4),
        confidence=np.array([c for _, c in boxes], np.float32),
        class_id=np.array([k for k, _ in boxes], np.int32),
        class_names=NAMES,
    )


def test_a_category_with_its_own_minimum_keeps_its_weaker_boxes_and_only_those() -> None:
    categories = CategoryMap.build(MAPPING, NAMES, 0.15, {Category.worker: 0.10})
    found = _detections((0, 0.12), (1, 0.12), (2, 0.14), (0, 0.09), (1, 0.2), (3, 0.12))
    kept = categories.kept(found)
    assert kept.class_id.tolist() == [0, 1]  # the worker at 0.12 and the machine at 0.20
    assert kept.confidence.tolist() == [np.float32(0.12), np.float32(0.2)]
    assert categories.lowest_confidence == 0.10  # the model must be run this low for the workers


def test_without_a_minimum_every_box_the_model_gave_is_kept() -> None:
    found = _detections((0, 0.01), (1, 0.5))
    assert len(CategoryMap.build(MAPPING, NAMES).kept(found)) == 2
    assert len(CategoryMap.build(MAPPING, NAMES, 0.15).kept(found)) == 1
