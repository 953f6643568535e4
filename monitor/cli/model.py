"""Detector commands: train, evaluate, export to OpenVINO."""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

from monitor.cli.common import CommandError

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
