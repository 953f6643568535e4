"""Fine-tune a YOLO checkpoint on a YOLO-format dataset (wraps Ultralytics training)."""

from __future__ import annotations

import logging
import shutil
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from detectors.base import ModelLoadError
from detectors.subset import default_folder, narrow_checkpoint, write_subset
from detectors.ultralytics_env import yolo_class

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TrainingRun:
    weights: Path
    run_dir: Path
    seconds: float
    epochs: int
    image_size: int


def train(
    data: Path,
    base: Path,
    epochs: int,
    image_size: int,
    out_dir: Path,
    name: str = "construction",
    device: str = "cpu",
    batch: int = 16,
    workers: int = 2,
    seed: int = 0,
    hours: float | None = None,
    fraction: float = 1.0,
    warmup_epochs: float = 3.0,
    classes: Sequence[str] | None = None,
    subset_dir: Path | None = None,
    lr0: float | None = None,
    close_mosaic: int = 10,
) -> TrainingRun:
    """Train from ``base`` on ``data``; returns where the best weights are.

    ``hours``: a time budget instead of ``epochs`` (Ultralytics times the first epoch and fits the epochs and
    the learning-rate schedule to it). ``fraction``: train on this share of the training images (a dry run).
    ``warmup_epochs``: 0 to continue trained weights without Ultralytics' warm-up (its bias learning rate
    starts at 0.1). ``classes``: learn only these classes of the dataset (names): a renumbered copy of the
    dataset is written to ``subset_dir`` (default ``runs/datasets/<dataset>-<classes>``) and the base
    checkpoint is narrowed to them there (detectors/subset.py). ``lr0``: a fixed AdamW learning rate instead
    of Ultralytics' automatic choice, which depends on the number of classes (0.002 * 5 / (4 + classes):
    0.000714 for 10, 0.001429 for 3). ``close_mosaic``: the last epochs trained without mosaic."""
    for path, what in ((data, "dataset yaml"), (base, "base weights")):
        if not path.exists():
            raise ModelLoadError(f"{what} not found: {path}")
    if classes:
        folder = subset_dir or default_folder(data, classes)
        subset = write_subset(data, classes, folder)
        base = narrow_checkpoint(base, subset.names, folder / f"{base.stem}.{len(classes)}class.pt")
        data = subset.data
    YOLO = yolo_class()

    started = time.monotonic()
    model = YOLO(str(base), task="detect")
    model.train(
        data=str(data.resolve()),
        epochs=epochs,
        imgsz=image_size,
        device=device,
        batch=batch,
        workers=workers,
        project=str(out_dir.resolve()),
        name=name,
        exist_ok=True,
        seed=seed,
        deterministic=True,
        plots=False,
        verbose=False,
        amp=False,
        fraction=fraction,
        warmup_epochs=warmup_epochs,
        close_mosaic=close_mosaic,
        **({"time": hours} if hours else {}),
        **({"optimizer": "AdamW", "lr0": lr0, "momentum": 0.9} if lr0 else {}),
    )
    run_dir = out_dir.resolve() / name
    best = run_dir / "weights" / "best.pt"
    if not best.is_file():
        raise ModelLoadError(f"training finished without weights in {run_dir / 'weights'}")
    trained = len((run_dir / "results.csv").read_text().splitlines()) - 1 if (run_dir / "results.csv").is_file() else 0
    return TrainingRun(best, run_dir, time.monotonic() - started, trained or epochs, image_size)


def publish(run: TrainingRun, target: Path) -> Path:
    """Copy the best weights into models/ (the results table goes beside them)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(run.weights, target)
    results = run.run_dir / "results.csv"
    if results.is_file():
        shutil.copyfile(results, target.with_suffix(".results.csv"))
    return target
