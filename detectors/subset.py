"""Train on a subset of a dataset's classes: a renumbered copy of the labels and a narrowed base checkpoint.

``write_subset`` writes a YOLO dataset that keeps only the named classes (labels renumbered, other boxes
dropped, images linked, not copied) and its data yaml. ``narrow_checkpoint`` cuts a trained checkpoint's
classification outputs down to the same classes, so that training starts from what the model already knew
about them instead of a new, untrained class layer."""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from detectors.base import ModelLoadError

log = logging.getLogger(__name__)
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".bmp", ".webp")
SPLITS = ("train", "val", "test")


@dataclass(frozen=True)
class Subset:
    data: Path
    """The subset's data yaml."""
    names: tuple[str, ...]
    class_ids: tuple[int, ...]
    """Each kept class's id in the base dataset, in the subset's order."""
    boxes: int
    dropped: int


def parse_classes(text: str) -> list[str]:
    """``"Person,machinery, vehicle"`` -> the names; an empty or repeated name is an error naming it."""
    names = [part.strip() for part in text.split(",")]
    if not names or any(not n for n in names):
        raise ValueError(f"--classes: an empty class name in {text!r} (names separated by commas)")
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise ValueError(f"--classes: class(es) {repeated} named twice")
    return names


def class_names(spec: dict[str, Any], data: Path) -> list[str]:
    names = spec.get("names")
    if isinstance(names, dict):
        return [str(names[i]) for i in sorted(names)]
    if isinstance(names, list):
        return [str(n) for n in names]
    raise ModelLoadError(f"dataset yaml {data} has no 'names' list")


def class_ids(names: Sequence[str], wanted: Sequence[str], data: Path) -> tuple[int, ...]:
    unknown = [n for n in wanted if n not in names]
    if unknown:
        raise ModelLoadError(
            f"--classes names class(es) {unknown} that {data} does not have; its classes: {list(names)}"
        )
    return tuple(list(names).index(n) for n in wanted)


def default_folder(data: Path, wanted: Sequence[str], root: Path = Path("runs/datasets")) -> Path:
    """``runs/datasets/<dataset folder>-<classes>`` (ignored by git)."""
    tag = "-".join(re.sub(r"[^A-Za-z0-9]+", "_", n) for n in wanted)
    return root / f"{data.resolve().parent.name}-{tag}"


def _renumber(text: str, new_id: dict[int, int]) -> tuple[list[str], int]:
    kept, dropped = [], 0
    for line in text.splitlines():
        parts = line.split()
        if not parts:
            continue
        cls = int(parts[0])
        if cls in new_id:
            kept.append(" ".join([str(new_id[cls]), *parts[1:]]))
        else:
            dropped += 1
    return kept, dropped


def _link(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.is_symlink() or target.exists():
        target.unlink()
    os.symlink(source.resolve(), target)


def write_subset(data: Path, wanted: Sequence[str], out: Path) -> Subset:
    """Write the ``wanted`` classes of the YOLO dataset ``data`` (its yaml) to ``out``: ``images/<split>``
    (links to the base images), ``labels/<split>`` (kept boxes renumbered 0..n-1 in the order of
    ``wanted``; an image left without boxes stays as a background image) and ``data.yaml``."""
    if not data.is_file():
        raise ModelLoadError(f"dataset yaml not found: {data}")
    spec = yaml.safe_load(data.read_text(encoding="utf-8"))
    if not isinstance(spec, dict):
        raise ModelLoadError(f"dataset yaml {data} is not a mapping")
    names = class_names(spec, data)
    ids = class_ids(names, wanted, data)
    new_id = {old: new for new, old in enumerate(ids)}
    base = data.parent / str(spec.get("path", "."))
    out.mkdir(parents=True, exist_ok=True)
    subset: dict[str, Any] = {"nc": len(ids), "names": list(wanted)}
    boxes = dropped = 0
    for split in SPLITS:
        if split not in spec:
            continue
        folder = base / str(spec[split])
        if not folder.is_dir():
            raise ModelLoadError(f"dataset yaml {data}: {split} folder not found: {folder}")
        labels = Path(str(folder).replace("/images", "/labels"))
        rel = Path("images") / split
        stale = out / "labels" / f"{split}.cache"  # Ultralytics' label cache of an earlier subset
        if stale.exists():
            stale.unlink()
        for image in sorted(p for p in folder.rglob("*") if p.suffix.lower() in IMAGE_SUFFIXES):
            part = image.relative_to(folder)
            _link(image, out / rel / part)
            label = (labels / part).with_suffix(".txt")
            kept, lost = _renumber(label.read_text(encoding="utf-8") if label.is_file() else "", new_id)
            target = (out / "labels" / split / part).with_suffix(".txt")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text("".join(f"{line}\n" for line in kept), encoding="utf-8")
            boxes += len(kept)
            dropped += lost
        subset[split] = str(rel)
    (out / "data.yaml").write_text(
        f"# {list(wanted)} of {data.resolve()} (written by sitemon train --classes)\n"
        + yaml.safe_dump(subset, sort_keys=False),
        encoding="utf-8",
    )
    log.info("class subset %s of %s: %d boxes kept, %d dropped, in %s", list(wanted), data, boxes, dropped, out)
    return Subset(out / "data.yaml", tuple(wanted), ids, boxes, dropped)


def narrow_checkpoint(base: Path, names: Sequence[str], out: Path) -> Path:
    """A checkpoint of ``base`` that knows only the classes ``names``, in that order: the rows of each
    detection head's last classification convolution are kept for them (found by name in the checkpoint's
    own numbering), everything else is unchanged; written to ``out``. ``base`` itself when it already has
    exactly these classes; ``base`` too (with a log line) when it lacks one of them, e.g. a COCO base: then
    Ultralytics starts a new class layer."""
    import torch

    if not base.is_file():
        raise ModelLoadError(f"base weights not found: {base}")
    ckpt = torch.load(base, map_location="cpu", weights_only=False)
    model = (ckpt.get("ema") or ckpt.get("model")) if isinstance(ckpt, dict) else None
    if model is None or not hasattr(model, "model"):
        raise ModelLoadError(f"{base} is not an Ultralytics detection checkpoint")
    own = list(model.names.values()) if isinstance(model.names, dict) else list(model.names)
    if own == list(names):
        return base
    missing = [n for n in names if n not in own]
    if missing:
        log.info(
            "%s has no class(es) %s: its class layer is not carried over, training starts a new one", base, missing
        )
        return base
    index = torch.tensor([own.index(n) for n in names])
    head = model.model[-1]
    for branch in [*head.cv3, *getattr(head, "one2one_cv3", [])]:
        conv = branch[-1]
        conv.weight = torch.nn.Parameter(conv.weight.data[index].clone())
        conv.bias = torch.nn.Parameter(conv.bias.data[index].clone())
        conv.out_channels = len(names)
    head.nc = len(names)
    head.no = head.nc + head.reg_max * 4
    model.nc = len(names)
    model.yaml["nc"] = len(names)
    model.names = dict(enumerate(names))
    out.parent.mkdir(parents=True, exist_ok=True)
    torch.save({**ckpt, "model": model, "ema": None, "optimizer": None, "epoch": -1}, out)
    log.info("narrowed %s to classes %s (its ids %s): %s", base, list(names), index.tolist(), out)
    return out
