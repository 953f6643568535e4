"""Training on a class subset: the dataset copy, the narrowed checkpoint, and scoring a subset model."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import numpy.typing as npt
import pytest
import yaml

from detectors import Detections, ModelLoadError
from detectors.categories import CategoryMap
from detectors.evaluate import evaluate
from detectors.subset import default_folder, parse_classes, write_subset
from monitor.config.settings import Category

NAMES = ["Hardhat", "Mask", "NO-Hardhat", "NO-Mask", "NO-Safety Vest", "Person", "Safety Cone", "Safety Vest"]
NAMES += ["machinery", "vehicle"]
WANTED = ["Person", "machinery", "vehicle"]
ROOT = Path(__file__).resolve().parents[2]
PUBLISHED = ROOT / "models" / "sitemon-construction-yolov8n.pt"


def _dataset(root: Path, labels: dict[str, dict[str, str]], names: object = NAMES) -> Path:
    """A 10-class YOLO dataset: ``labels[split][stem]`` is the label text (None: no label file)."""
    for split, files in labels.items():
        (root / "images" / split).mkdir(parents=True)
        (root / "labels" / split).mkdir(parents=True)
        for stem, text in files.items():
            cv2.imwrite(str(root / "images" / split / f"{stem}.jpg"), np.full((64, 64, 3), 128, np.uint8))
            if text is not None:
                (root / "labels" / split / f"{stem}.txt").write_text(text)
    spec = {"train": "images/train", "val": "images/val", "nc": 10, "names": names}
    (root / "data.yaml").write_text(yaml.safe_dump(spec))
    return root / "data.yaml"


def test_the_subset_keeps_the_named_classes_renumbered_and_links_the_images(tmp_path: Path) -> None:
    data = _dataset(
        tmp_path / "base",
        {
            "train": {"a": "0 0.5 0.5 0.1 0.1\n5 0.2 0.3 0.1 0.2\n9 0.7 0.7 0.2 0.2\n", "b": "1 0.5 0.5 0.1 0.1\n"},
            "val": {"c": "8 0.4 0.4 0.3 0.3\n\n5 0.1 0.1 0.05 0.05\n", "d": None},
        },
    )
    subset = write_subset(data, WANTED, tmp_path / "out")

    assert subset.class_ids == (5, 8, 9) and subset.names == tuple(WANTED)
    assert (subset.boxes, subset.dropped) == (4, 2)
    out = tmp_path / "out"
    assert (out / "labels/train/a.txt").read_text() == "0 0.2 0.3 0.1 0.2\n2 0.7 0.7 0.2 0.2\n"
    assert (out / "labels/train/b.txt").read_text() == ""  # a background image now: kept, no boxes
    assert (out / "labels/val/c.txt").read_text() == "1 0.4 0.4 0.3 0.3\n0 0.1 0.1 0.05 0.05\n"
    assert (out / "labels/val/d.txt").read_text() == ""
    for split, stem in (("train", "a"), ("train", "b"), ("val", "c"), ("val", "d")):
        image = out / "images" / split / f"{stem}.jpg"
        assert image.is_symlink() and image.resolve() == (tmp_path / "base/images" / split / f"{stem}.jpg").resolve()
    spec = yaml.safe_load(subset.data.read_text())
    assert spec == {"nc": 3, "names": WANTED, "train": "images/train", "val": "images/val"}
    # The labels of the base dataset are untouched.
    assert (tmp_path / "base/labels/train/a.txt").read_text().startswith("0 0.5")


def test_writing_the_subset_again_replaces_it_and_drops_ultralytics_stale_label_cache(tmp_path: Path) -> None:
    data = _dataset(tmp_path / "base", {"train": {"a": "5 0.5 0.5 0.1 0.1\n"}, "val": {"c": "9 0.5 0.5 0.1 0.1\n"}})
    write_subset(data, WANTED, tmp_path / "out")
    (tmp_path / "out/labels/train.cache").write_text("stale")
    subset = write_subset(data, ["vehicle", "Person"], tmp_path / "out")
    assert not (tmp_path / "out/labels/train.cache").exists()
    assert (tmp_path / "out/labels/train/a.txt").read_text() == "1 0.5 0.5 0.1 0.1\n"
    assert (tmp_path / "out/labels/val/c.txt").read_text() == "0 0.5 0.5 0.1 0.1\n"
    assert yaml.safe_load(subset.data.read_text())["names"] == ["vehicle", "Person"]


def test_a_class_the_dataset_lacks_is_named_with_the_dataset_classes(tmp_path: Path) -> None:
    data = _dataset(tmp_path / "base", {"train": {"a": "5 0.5 0.5 0.1 0.1\n"}, "val": {}})
    with pytest.raises(ModelLoadError, match=r"\['excavator'\].*'Person'"):
        write_subset(data, ["Person", "excavator"], tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_names_as_a_mapping_and_a_missing_dataset(tmp_path: Path) -> None:
    data = _dataset(tmp_path / "base", {"train": {"a": "2 0.5 0.5 0.1 0.1\n"}, "val": {}}, dict(enumerate(NAMES)))
    assert write_subset(data, ["NO-Hardhat"], tmp_path / "out").boxes == 1
    with pytest.raises(ModelLoadError, match="dataset yaml not found"):
        write_subset(tmp_path / "nowhere.yaml", WANTED, tmp_path / "out2")


@pytest.mark.parametrize(
    ("text", "error"),
    [("Person,,vehicle", "empty class name"), ("Person,Person", r"\['Person'\] named twice"), ("", "empty")],
)
def test_bad_classes_option(text: str, error: str) -> None:
    with pytest.raises(ValueError, match=error):
        parse_classes(text)


def test_classes_option_and_default_folder() -> None:
    assert parse_classes("Person, machinery,vehicle") == WANTED
    folder = default_folder(Path("/data/construction-site-safety/data.yaml"), ["Person", "Safety Vest"])
    assert folder == Path("runs/datasets/construction-site-safety-Person-Safety_Vest")


def test_sitemon_train_names_an_unknown_class_and_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from monitor.cli import main

    data = _dataset(tmp_path / "base", {"train": {"a": "5 0.5 0.5 0.1 0.1\n"}, "val": {}})
    base = tmp_path / "base.pt"
    base.write_bytes(b"never read")
    argv = ["train", "--data", str(data), "--base", str(base), "--out", str(tmp_path / "runs")]
    assert main([*argv, "--classes", "Person,digger"]) == 2
    assert "--classes names class(es) ['digger']" in capsys.readouterr().err
    assert main([*argv, "--classes", "Person,,vehicle"]) == 2
    assert "empty class name" in capsys.readouterr().err


class _Fixed:
    """A Detector answering fixed detections of a 3-class model (names Person, machinery, vehicle)."""

    class_names = tuple(WANTED)

    def __init__(self, dets: Detections) -> None:
        self._dets = dets

    def detect(self, frame: npt.NDArray[np.uint8]) -> Detections:
        return self._dets

    def detect_batch(self, frames: list[npt.NDArray[np.uint8]]) -> list[Detections]:
        return [self._dets for _ in frames]


def test_a_three_class_model_is_scored_by_class_name_against_ten_class_truth(tmp_path: Path) -> None:
    # One 64 x 64 image: a Person (class 5), a machinery (8) and a Hardhat (0) in the ground truth.
    data = _dataset(
        tmp_path / "base",
        {"train": {}, "val": {"a": "5 0.25 0.25 0.25 0.25\n8 0.75 0.75 0.25 0.25\n0 0.5 0.5 0.1 0.1\n"}},
    )
    # Model class 0 is Person, 1 machinery: in the 10-class numbering they would be Hardhat and Mask.
    person, machinery = [8, 8, 24, 24], [40, 40, 56, 56]
    boxes, conf = np.array([person, machinery], np.float32), np.array([0.9, 0.8], np.float32)
    dets = Detections(boxes, conf, np.array([0, 1], np.int32), tuple(WANTED))
    report = evaluate(_Fixed(dets), data, {"Person": "worker", "machinery": "machinery", "vehicle": "vehicle"})

    by_class = {s.name: s for s in report.classes}
    found = pytest.approx(1.0, abs=0.01)  # 0.995: AP is integrated over 101 recall points
    assert by_class["Person"].ap50 == found and by_class["machinery"].ap50 == found
    assert by_class["Hardhat"].instances == 1 and by_class["Hardhat"].ap50 == 0.0  # the model has no Hardhat
    assert by_class["Mask"].instances == 0
    categories = {s.name: s for s in report.categories}
    assert categories["worker"].ap50 == found and categories["machinery"].ap50 == found
    assert categories["vehicle"].instances == 0


def test_sitemon_categories_fit_a_three_class_model() -> None:
    mapping = {"Person": Category.worker, "machinery": Category.machinery, "vehicle": Category.vehicle}
    cmap = CategoryMap.build(mapping, WANTED)
    assert cmap.by_class_id == (Category.worker, Category.machinery, Category.vehicle)
    dets = Detections(np.zeros((2, 4), np.float32), np.ones(2, np.float32), np.array([2, 0], np.int32), WANTED)
    assert cmap.categories_of(dets) == [Category.vehicle, Category.worker]
    with pytest.raises(ModelLoadError, match=r"\['Hardhat'\]"):
        CategoryMap.build({**mapping, "Hardhat": Category.ignored}, WANTED)


@pytest.mark.slow
def test_the_narrowed_checkpoint_finds_what_the_full_model_finds_for_its_classes(tmp_path: Path) -> None:
    from detectors.subset import narrow_checkpoint
    from detectors.ultralytics_backend import UltralyticsDetector
    from tests.fixtures.servers import SHARED

    narrowed = narrow_checkpoint(PUBLISHED, WANTED, tmp_path / "narrow.pt")
    full = UltralyticsDetector(PUBLISHED, image_size=416, confidence=0.25)
    small = UltralyticsDetector(narrowed, image_size=416, confidence=0.25)
    assert list(small.class_names) == WANTED
    val = sorted((SHARED / "datasets/construction-site-safety/images/val").iterdir())[:4]
    frames = [np.asarray(cv2.imread(str(p)), np.uint8) for p in val]
    kept = 0
    for a, b in zip(full.detect_batch(frames), small.detect_batch(frames), strict=True):
        want = np.isin(np.array(a.names()), WANTED)
        kept += int(want.sum())
        assert sorted(np.array(a.names())[want].tolist()) == sorted(b.names())
        order_a = np.lexsort((a.confidence[want], a.xyxy[want, 0]))
        order_b = np.lexsort((b.confidence, b.xyxy[:, 0]))
        np.testing.assert_allclose(a.xyxy[want][order_a], b.xyxy[order_b], atol=0.5)
        np.testing.assert_allclose(a.confidence[want][order_a], b.confidence[order_b], atol=1e-3)
    assert kept > 0
    # Already these classes: used as it is; in another order: narrowed again, by the checkpoint's own names.
    assert narrow_checkpoint(narrowed, WANTED, tmp_path / "again.pt") == narrowed
    reordered = narrow_checkpoint(narrowed, ["vehicle", "Person"], tmp_path / "two.pt")
    assert list(UltralyticsDetector(reordered, image_size=416).class_names) == ["vehicle", "Person"]


@pytest.mark.slow
def test_a_base_without_the_classes_is_used_as_it_is(tmp_path: Path) -> None:
    from detectors.subset import narrow_checkpoint
    from tests.fixtures.servers import SHARED

    coco = SHARED / "models/yolov8n-coco-base.pt"
    assert narrow_checkpoint(coco, WANTED, tmp_path / "n.pt") == coco  # COCO has "person", no "machinery"
    assert not (tmp_path / "n.pt").exists()
    with pytest.raises(ModelLoadError, match="base weights not found"):
        narrow_checkpoint(tmp_path / "none.pt", WANTED, tmp_path / "n.pt")


def test_train_options_for_a_subset_run() -> None:
    from monitor.cli import build_parser

    args = build_parser().parse_args(
        ["train", "--classes", "Person,vehicle", "--lr0", "0.000714", "--close-mosaic", "9"]
    )
    assert (args.classes, args.lr0, args.close_mosaic) == ("Person,vehicle", 0.000714, 9)
    args = build_parser().parse_args(["train"])
    assert (args.classes, args.lr0, args.close_mosaic) == (None, None, 10)  # Ultralytics' own defaults
