from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from detectors.evaluate import dataset_split, read_image
from detectors.export import agreement, export_openvino
from detectors.ultralytics_backend import UltralyticsDetector
from tests.fixtures.servers import SHARED
from tests.monitor.fakes import FakeDetector


def test_agreement_counts_the_reference_boxes_found_again() -> None:
    frames = [np.zeros((100, 100, 3), np.uint8)]
    same = agreement(FakeDetector([(10, 10, 50, 50, 0)]), FakeDetector([(11, 11, 50, 50, 0)]), frames)
    assert (same.reference_boxes, same.matched, same.match_rate) == (1, 1, 1.0)
    other_class = agreement(FakeDetector([(10, 10, 50, 50, 0)]), FakeDetector([(10, 10, 50, 50, 1)]), frames)
    assert other_class.match_rate == 0.0


@pytest.mark.slow
def test_an_openvino_export_agrees_with_its_pt_model(tmp_path: Path) -> None:
    weights = tmp_path / "base.pt"
    weights.write_bytes((SHARED / "models/yolov8n-coco-base.pt").read_bytes())
    shipped = tmp_path / "base_openvino_model"  # another size's export beside the weights stays as it is
    shipped.mkdir()
    (shipped / "keep.txt").write_text("416")
    out = export_openvino(weights, 320, tmp_path / "base-320_openvino_model")
    assert out.name == "base-320_openvino_model" and (out / "metadata.yaml").is_file()
    assert [p.name for p in shipped.iterdir()] == ["keep.txt"]
    images, _ = dataset_split(SHARED / "datasets/construction-site-safety/data.yaml", "val")
    frames = [read_image(p) for p in images[:12]]
    result = agreement(UltralyticsDetector(weights, 320), UltralyticsDetector(out, 320), frames)
    assert result.reference_boxes > 10
    assert result.match_rate >= 0.9
