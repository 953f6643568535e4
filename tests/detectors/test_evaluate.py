from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from detectors import Detections
from detectors.evaluate import (
    GroundTruth,
    average_precision,
    dataset_split,
    iou_matrix,
    read_labels,
    score_groups,
    score_sizes,
)
from tests.fixtures.servers import SHARED

NAMES = ("Person", "machinery", "Hardhat")


def _dets(*rows: tuple[float, float, float, float, float, int]) -> Detections:
    a = np.array(rows, np.float32).reshape(-1, 6)
    return Detections(a[:, :4], a[:, 4], a[:, 5].astype(np.int32), NAMES)


@pytest.mark.parametrize(
    ("a", "b", "iou"),
    [
        ((0, 0, 10, 10), (0, 0, 10, 10), 1.0),
        ((0, 0, 10, 10), (5, 0, 15, 10), 50 / 150),
        ((0, 0, 10, 10), (20, 20, 30, 30), 0.0),
    ],
)
def test_iou(a: tuple[int, ...], b: tuple[int, ...], iou: float) -> None:
    assert iou_matrix(np.array([a], float), np.array([b], float))[0, 0] == pytest.approx(iou)


@pytest.mark.parametrize(
    ("tp", "conf", "n_gt", "ap"),
    [
        ([True, True], [0.9, 0.8], 2, 1.0),  # perfect
        ([True, False], [0.9, 0.8], 2, 0.6225),  # half found; Ultralytics interpolates to recall 1
        ([False, True], [0.9, 0.8], 1, 0.5),  # the hit ranked second: precision 1/2 at full recall
        ([], [], 3, 0.0),
    ],
)
def test_average_precision(tp: list[bool], conf: list[float], n_gt: int, ap: float) -> None:
    assert average_precision(np.array(tp, bool), np.array(conf), n_gt) == pytest.approx(ap, abs=0.01)


def test_scores_group_classes_into_categories_and_count_each_truth_once() -> None:
    truth = GroundTruth(
        np.array([[0, 0, 10, 10], [20, 20, 30, 30], [50, 50, 60, 60]], float), ["Person", "Person", "machinery"]
    )
    dets = _dets(
        (0, 0, 10, 10, 0.9, 0),  # person, hit
        (1, 1, 10, 10, 0.8, 0),  # duplicate of the same person: a false positive
        (50, 50, 60, 60, 0.7, 1),  # machinery, hit
        (20, 20, 30, 30, 0.1, 2),  # hardhat: no category
    )
    scores = {s.name: s for s in score_groups([(dets, truth)], {"Person": "worker", "machinery": "machinery"}, 0.25)}
    assert scores["worker"].instances == 2
    assert scores["worker"].precision == pytest.approx(0.5) and scores["worker"].recall == pytest.approx(0.5)
    assert scores["machinery"].ap50 == pytest.approx(1.0, abs=0.01)
    assert set(scores) == {"worker", "machinery"}


def test_sizes_score_each_truth_in_its_own_size_and_misses_by_their_own_box() -> None:
    truth = GroundTruth(np.array([[0, 0, 10, 10], [100, 100, 200, 200]], float), ["Person", "Person"])
    dets = _dets(
        (0, 0, 10, 10, 0.9, 0),  # the small worker, found
        (100, 100, 200, 200, 0.8, 0),  # the large worker, found: left out of "small"
        (300, 300, 305, 305, 0.7, 0),  # a small false box: counts against "small" only
    )
    scores = {s.name: s for s in score_sizes([(dets, truth)], {"Person": "worker"}, 0.25)}
    assert list(scores) == ["worker/small", "worker/medium", "worker/large"]
    assert (scores["worker/small"].instances, scores["worker/small"].precision) == (1, pytest.approx(0.5))
    assert scores["worker/medium"].instances == 0 and scores["worker/medium"].ap50 == 0.0
    assert scores["worker/large"].ap50 == pytest.approx(1.0, abs=0.01)


def test_the_shared_dataset_reads_as_ultralytics_reads_it() -> None:
    images, names = dataset_split(SHARED / "datasets/construction-site-safety/data.yaml", "val")
    assert len(images) == 114 and "machinery" in names
    truth = read_labels(images[0], names, 640, 640)
    assert truth.boxes.shape[1] == 4 and len(truth.labels) == len(truth.boxes)
    assert (truth.boxes >= -1).all() and (truth.boxes <= 641).all()


def test_a_missing_dataset_yaml_is_named(tmp_path: Path) -> None:
    with pytest.raises(Exception, match="dataset yaml not found"):
        dataset_split(tmp_path / "data.yaml")
