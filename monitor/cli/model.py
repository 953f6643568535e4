"""Detector commands: train, evaluate, export to OpenVINO."""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

from monitor.cli.common import DEFAULT_CONFIG, CommandError, Subparsers, add_db

log = logging.getLogger("sitemon")


def cmd_export_model(args: argparse.Namespace) -> int:
    from detectors.evaluate import dataset_split, read_image
    from detectors.export import agreement, export_openvino
    from detectors.ultralytics_backend import UltralyticsDetector

    out = export_openvino(Path(args.weights), args.imgsz, Path(args.out) if args.out else None)
    images, _ = dataset_split(Path(args.data), "val")
    frames = [read_image(p) for p in images[: args.check_images]]
    reference = UltralyticsDetector(args.weights, image_size=args.imgsz)
    candidate = UltralyticsDetector(out, image_size=args.imgsz)
    result = agreement(reference, candidate, frames)
    print(
        f"{out}: {result.matched}/{result.reference_boxes} boxes of the .pt model found again on "
        f"{result.frames} images ({result.match_rate:.1%}), largest confidence gap {result.max_confidence_gap:.3f}"
    )
    if result.match_rate < args.min_match:
        log.error(
            "the export disagrees with the .pt model (%.1f%% < %.1f%%)", result.match_rate * 100, args.min_match * 100
        )
        return 1
    return 0


def cmd_train(args: argparse.Namespace) -> int:
    from detectors.base import ModelLoadError
    from detectors.subset import parse_classes
    from detectors.training import publish, train

    try:
        classes = parse_classes(args.classes) if args.classes else None
    except ValueError as exc:
        raise CommandError(str(exc)) from exc
    try:
        run = train(
            Path(args.data),
            Path(args.base),
            args.epochs,
            args.imgsz,
            Path(args.out),
            args.name,
            device=args.device,
            batch=args.batch,
            workers=args.workers,
            hours=args.hours,
            fraction=args.fraction,
            warmup_epochs=args.warmup_epochs,
            classes=classes,
            lr0=args.lr0,
            close_mosaic=args.close_mosaic,
        )
    except ModelLoadError as exc:  # a missing dataset or base, a class the dataset lacks
        raise CommandError(str(exc)) from exc
    target = publish(run, Path(args.publish)) if args.publish else run.weights
    log.info("trained %d epochs at %d px in %.0f s: %s", run.epochs, run.image_size, run.seconds, target)
    return 0


def cmd_eval(args: argparse.Namespace) -> int:
    from detectors import Detector
    from detectors.evaluate import evaluate, format_report
    from detectors.tiling import TiledDetector, Tiling
    from detectors.ultralytics_backend import UltralyticsDetector

    detector: Detector = UltralyticsDetector(args.model, image_size=args.imgsz, confidence=0.001)
    if args.tiles:
        columns, _, rows = args.tiles.partition("x")
        detector = TiledDetector(detector, Tiling(int(columns), int(rows or 1)))
    categories = dict(item.split("=", 1) for item in args.category)
    report = evaluate(detector, Path(args.data), categories, split=args.split, threshold=args.conf)
    print(format_report(report))
    if args.json:
        import dataclasses
        import json

        Path(args.json).write_text(json.dumps(dataclasses.asdict(report), indent=2), encoding="utf-8")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    """`--date D`: the day's assessment. A model goes to OpenVINO with `sitemon export-model`."""
    if args.weights:  # the verb once did both; kept working, with a pointer to the command that says it
        log.warning("`sitemon export --weights` is now `sitemon export-model --weights`")
        return cmd_export_model(args)
    if not args.date:
        raise CommandError("give --date YYYY-MM-DD (a model is exported with `sitemon export-model`)")
    from monitor.cli.data import cmd_export_day

    return cmd_export_day(args)


def add_model_export(p: argparse.ArgumentParser, hidden: bool) -> None:
    """The options of `sitemon export-model` (``hidden``: on `sitemon export`, where they used to be)."""

    def shown(text: str) -> str:
        return argparse.SUPPRESS if hidden else text

    p.add_argument("--weights", required=not hidden, help=shown(".pt weights to export to OpenVINO"))
    p.add_argument("--imgsz", type=int, default=640, help=shown("input size of the exported model"))
    p.add_argument("--out", help=shown("target *_openvino_model folder (default: beside the weights)"))
    p.add_argument(
        "--data", default="../shared/datasets/construction-site-safety/data.yaml", help=shown("images to check on")
    )
    p.add_argument("--check-images", type=int, default=50, help=shown("how many images the check compares"))
    p.add_argument("--min-match", type=float, default=0.95, help=shown("share of the .pt's boxes to match"))


def add_parser(sub: Subparsers) -> None:
    """`train`, `eval`, `export` (a day's assessment; a model, as it once did), `export-model`."""
    tr = sub.add_parser("train", help="fine-tune the detector on a YOLO dataset")
    tr.add_argument("--data", default="../shared/datasets/construction-site-safety/data.yaml")
    tr.add_argument("--base", default="../shared/models/yolov8n-coco-base.pt", help="checkpoint to start from")
    tr.add_argument("--epochs", type=int, default=100)
    tr.add_argument("--hours", type=float, help="a time budget instead of --epochs (epochs fitted to it)")
    tr.add_argument("--fraction", type=float, default=1.0, help="share of the training images (a dry run)")
    tr.add_argument("--warmup-epochs", type=float, default=3.0, help="0 to continue trained weights without warm-up")
    tr.add_argument(
        "--classes", help="learn only these classes of the dataset, e.g. Person,machinery,vehicle (a subset copy)"
    )
    tr.add_argument("--lr0", type=float, help="AdamW learning rate (default: Ultralytics' choice by class count)")
    tr.add_argument("--close-mosaic", type=int, default=10, help="the last epochs trained without mosaic")
    tr.add_argument("--imgsz", type=int, default=640)
    tr.add_argument("--batch", type=int, default=16)
    tr.add_argument("--workers", type=int, default=2, help="data loader processes")
    tr.add_argument("--device", default="cpu", help="cpu or a CUDA device such as 0")
    tr.add_argument("--out", default="runs/train", help="folder for training runs")
    tr.add_argument("--name", default="construction")
    tr.add_argument("--publish", help="copy the best weights here, e.g. models/sitemon-construction.pt")
    tr.set_defaults(func=cmd_train)

    ev = sub.add_parser("eval", help="AP50, precision and recall per class and category on a YOLO dataset")
    ev.add_argument("--model", required=True, help=".pt, .onnx or *_openvino_model")
    ev.add_argument("--data", default="../shared/datasets/construction-site-safety/data.yaml")
    ev.add_argument("--split", default="val")
    ev.add_argument("--imgsz", type=int, default=640)
    ev.add_argument("--conf", type=float, default=0.25, help="threshold for precision and recall")
    ev.add_argument(
        "--category",
        action="append",
        default=["Person=worker", "machinery=machinery", "vehicle=vehicle"],
        help="class=category (repeatable)",
    )
    ev.add_argument("--tiles", help="tiled detection, COLUMNSxROWS (e.g. 2x2): the tiles plus the whole picture")
    ev.add_argument("--json", help="also write the report here")
    ev.set_defaults(func=cmd_eval)

    ex = sub.add_parser("export", help="the day's assessment files (xlsx, csv, json) and their delivery")
    ex.add_argument("--date", help="local day YYYY-MM-DD: write its assessment files and queue its records")
    ex.add_argument("--config", default=DEFAULT_CONFIG)
    ex.add_argument("--period", choices=["week", "month", "quarter"], help="with --date: the summary of its period")
    ex.add_argument("--resend", action="store_true", help="with --date: deliver the day's records again")
    ex.add_argument("--site", action="append", help="with --resend: only these sites")
    add_db(ex)
    add_model_export(ex, hidden=True)
    ex.set_defaults(func=cmd_export)

    exm = sub.add_parser("export-model", help="a trained model (.pt) to OpenVINO, checked against the .pt")
    add_model_export(exm, hidden=False)
    exm.set_defaults(func=cmd_export_model)
