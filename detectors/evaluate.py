"""AP50, precision and recall on a YOLO-format dataset, per class and per category, through any Detector."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np
import numpy.typing as npt
import yaml

from detectors.base import Detections, Detector, ModelLoadError

log = logging.getLogger(__name__)
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".bmp")


@dataclass(frozen=True)
class GroundTruth:
    boxes: npt.NDArray[np.float64]  # N x 4, pixels, xyxy
    labels: list[str]


@dataclass(frozen=True)
class Score:
    name: str
    instances: int
    ap50: float
    precision: float
    recall: float


@dataclass(frozen=True)
class Report:
    images: int
    classes: list[Score]
    categories: list[Score]
    sizes: list[Score] = field(default_factory=list)
    """Per category and object size (``worker/small``): COCO's small, medium and large by box area."""


SIZES = (("small", 0.0, 32.0**2), ("medium", 32.0**2, 96.0**2), ("large", 96.0**2, float("inf")))
"""COCO's object sizes by box area in the image's own pixels: under 32 x 32, up to 96 x 96, above."""


def dataset_split(data_yaml: Path, split: str = "val") -> tuple[list[Path], list[str]]:
    """Image paths of a split and the class names, resolved as Ultralytics does (relative to the yaml)."""
    if not data_yaml.is_file():
        raise ModelLoadError(f"dataset yaml not found: {data_yaml}")
    spec = yaml.safe_load(data_yaml.read_text(encoding="utf-8"))
    names = spec["names"]
    names = [names[i] for i in sorted(names)] if isinstance(names, dict) else list(names)
    base = data_yaml.parent / spec.get("path", ".")
    folder = base / spec[split]
    images = sorted(p for p in folder.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
    return images, names


def read_image(path: Path) -> npt.NDArray[np.uint8]:
    image = cv2.imread(str(path))
    if image is None:
        raise ModelLoadError(f"cannot read image {path}")
    return np.asarray(image, np.uint8)


def read_labels(image: Path, names: Sequence[str], width: int, height: int) -> GroundTruth:
    label = Path(str(image.parent).replace("/images", "/labels")) / (image.stem + ".txt")
    boxes, labels = [], []
    if label.is_file():
        for line in label.read_text().split("\n"):
            parts = line.split()
            if len(parts) < 5:
                continue
            cls, cx, cy, w, h = int(parts[0]), *map(float, parts[1:5])
            boxes.append([(cx - w / 2) * width, (cy - h / 2) * height, (cx + w / 2) * width, (cy + h / 2) * height])
            labels.append(names[cls])
    return GroundTruth(np.array(boxes, np.float64).reshape(-1, 4), labels)


def iou_matrix(a: npt.NDArray[np.floating], b: npt.NDArray[np.floating]) -> npt.NDArray[np.float64]:
    ix1 = np.maximum(a[:, None, 0], b[None, :, 0])
    iy1 = np.maximum(a[:, None, 1], b[None, :, 1])
    ix2 = np.minimum(a[:, None, 2], b[None, :, 2])
    iy2 = np.minimum(a[:, None, 3], b[None, :, 3])
    inter = np.clip(ix2 - ix1, 0, None) * np.clip(iy2 - iy1, 0, None)
    area_a = (a[:, 2] - a[:, 0]) * (a[:, 3] - a[:, 1])
    area_b = (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])
    return np.asarray(inter / np.maximum(area_a[:, None] + area_b[None, :] - inter, 1e-9), np.float64)


def average_precision(tp: npt.NDArray[np.bool_], conf: npt.NDArray[np.floating], n_gt: int) -> float:
    """All-point interpolated AP (the area under the precision envelope), as COCO/Ultralytics compute it."""
    if n_gt == 0 or tp.size == 0:
        return 0.0
    order = np.argsort(-conf, kind="stable")
    hits = np.cumsum(tp[order])
    recall = hits / n_gt
    precision = hits / np.arange(1, len(hits) + 1)
    r = np.concatenate([[0.0], recall, [1.0]])
    p = np.concatenate([[1.0], precision, [0.0]])
    p = np.flip(np.maximum.accumulate(np.flip(p)))
    x = np.linspace(0, 1, 101)
    return float(np.trapezoid(np.interp(x, r, p), x))


def _match(
    pred_boxes: npt.NDArray[np.floating], pred_conf: npt.NDArray[np.floating], gt_boxes: npt.NDArray[np.floating]
) -> npt.NDArray[np.bool_]:
    """Greedy matching at IoU 0.5, highest confidence first; each truth box matches once."""
    return _matched_truth(pred_boxes, pred_conf, gt_boxes) >= 0


def _matched_truth(
    pred_boxes: npt.NDArray[np.floating], pred_conf: npt.NDArray[np.floating], gt_boxes: npt.NDArray[np.floating]
) -> npt.NDArray[np.intp]:
    """The truth box each prediction matched (-1: none)."""
    matched = np.full(len(pred_boxes), -1, np.intp)
    if len(pred_boxes) == 0 or len(gt_boxes) == 0:
        return matched
    ious = iou_matrix(pred_boxes, gt_boxes)
    taken = np.zeros(len(gt_boxes), bool)
    for i in np.argsort(-pred_conf, kind="stable"):
        candidates = np.where((ious[i] >= 0.5) & ~taken)[0]
        if candidates.size:
            j = candidates[np.argmax(ious[i, candidates])]
            taken[j] = True
            matched[i] = j
    return matched


def _area(boxes: npt.NDArray[np.floating]) -> npt.NDArray[np.float64]:
    return np.asarray((boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1]), np.float64)


def _by_group(
    samples: Iterable[tuple[Detections, GroundTruth]], group_of: Mapping[str, str]
) -> Iterator[tuple[str, npt.NDArray[np.float32], npt.NDArray[np.float32], npt.NDArray[np.float32]]]:
    """Per sample and group: the predicted boxes, their confidences and the truth boxes of that group."""
    for dets, truth in samples:
        pred_groups = np.array([group_of.get(n, "") for n in dets.names()], dtype=object)
        gt_groups = np.array([group_of.get(n, "") for n in truth.labels], dtype=object)
        for group in set(group_of.values()):
            p, g = pred_groups == group, gt_groups == group
            yield group, dets.xyxy[p], dets.confidence[p], truth.boxes[g]


def score_sizes(
    samples: Iterable[tuple[Detections, GroundTruth]], group_of: Mapping[str, str], threshold: float
) -> list[Score]:
    """AP50 per group and COCO object size. As in COCO, a prediction matched to a truth box of another size
    is left out, and an unmatched one counts against the size of its own box."""
    tps: dict[str, list[npt.NDArray[np.bool_]]] = {}
    confs: dict[str, list[npt.NDArray[np.float32]]] = {}
    n_gt: dict[str, int] = {}
    for group, boxes, conf, gt in _by_group(samples, group_of):
        matched = _matched_truth(boxes, conf, gt)
        gt_area, pred_area = _area(gt), _area(boxes)
        for size, low, high in SIZES:
            key = f"{group}/{size}"
            gt_in = (gt_area >= low) & (gt_area < high)
            hit = np.array([m >= 0 and bool(gt_in[m]) for m in matched], bool)
            miss = (matched < 0) & (pred_area >= low) & (pred_area < high)
            n_gt[key] = n_gt.get(key, 0) + int(gt_in.sum())
            tps.setdefault(key, []).append(hit[hit | miss])
            confs.setdefault(key, []).append(conf[hit | miss])
    sizes = [s for s, _, _ in SIZES]
    order = sorted(n_gt, key=lambda k: (k.split("/")[0], sizes.index(k.split("/")[1])))
    return _scores(order, tps, confs, n_gt, threshold)


def score_groups(
    samples: Iterable[tuple[Detections, GroundTruth]],
    group_of: Mapping[str, str],
    threshold: float,
) -> list[Score]:
    """Scores per group (a class, or a category of classes); names mapped to no group are left out."""
    tps: dict[str, list[npt.NDArray[np.bool_]]] = {}
    confs: dict[str, list[npt.NDArray[np.float32]]] = {}
    n_gt: dict[str, int] = {}
    for group, boxes, conf, gt in _by_group(samples, group_of):
        n_gt[group] = n_gt.get(group, 0) + len(gt)
        tps.setdefault(group, []).append(_match(boxes, conf, gt))
        confs.setdefault(group, []).append(conf)
    return _scores(sorted(n_gt), tps, confs, n_gt, threshold)


def _scores(
    keys: Iterable[str],
    tps: Mapping[str, list[npt.NDArray[np.bool_]]],
    confs: Mapping[str, list[npt.NDArray[np.float32]]],
    n_gt: Mapping[str, int],
    threshold: float,
) -> list[Score]:
    """AP50, and precision and recall at ``threshold``, of each key's matches."""
    out = []
    for key in keys:
        tp = np.concatenate(tps[key]) if tps[key] else np.zeros(0, bool)
        conf = np.concatenate(confs[key]) if confs[key] else np.zeros(0, np.float32)
        kept = conf >= threshold
        precision = float(tp[kept].mean()) if kept.any() else 0.0
        recall = float(tp[kept].sum() / n_gt[key]) if n_gt[key] else 0.0
        out.append(Score(key, n_gt[key], average_precision(tp, conf, n_gt[key]), precision, recall))
    return out


def evaluate(
    detector: Detector,
    data_yaml: Path,
    categories: Mapping[str, str],
    split: str = "val",
    threshold: float = 0.25,
    batch: int = 8,
) -> Report:
    """Run ``detector`` (with a low confidence floor) over the split and score it."""
    images, names = dataset_split(data_yaml, split)
    samples: list[tuple[Detections, GroundTruth]] = []
    for start in range(0, len(images), batch):
        chunk = images[start : start + batch]
        frames = [read_image(p) for p in chunk]
        for path, frame, dets in zip(chunk, frames, detector.detect_batch(frames), strict=True):
            h, w = frame.shape[:2]
            samples.append((dets, read_labels(path, names, w, h)))
    classes = score_groups(samples, {n: n for n in names}, threshold)
    category_of = {cls: cat for cls, cat in categories.items() if cat != "ignored"}
    return Report(
        len(images),
        classes,
        score_groups(samples, category_of, threshold),
        score_sizes(samples, category_of, threshold),
    )


def format_report(report: Report) -> str:
    lines = [f"{report.images} images", f"{'class':<18}{'inst':>6}{'AP50':>8}{'P':>8}{'R':>8}"]
    for title, rows in (("class", report.classes), ("category", report.categories), ("size", report.sizes)):
        if title != "class":
            lines.append(f"{title:<18}{'inst':>6}{'AP50':>8}{'P':>8}{'R':>8}")
        lines += [f"{s.name:<18}{s.instances:>6}{s.ap50:>8.3f}{s.precision:>8.3f}{s.recall:>8.3f}" for s in rows]
    return "\n".join(lines)
