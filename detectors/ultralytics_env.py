"""Where Ultralytics keeps its settings, and how it is imported: once, quietly, offline.

Ultralytics writes a settings file on first use (by default in the user's home) and announces it with a
banner on stdout; its logger writes to stdout too. Either would spoil ``--json`` output, and a server must not
write to its user's home. So every import of Ultralytics goes through ``yolo_class``: settings and caches under
the project's ``var/ultralytics`` (``YOLO_CONFIG_DIR``, unless set), downloads off (``YOLO_OFFLINE``), the import
itself with stdout sent to stderr, and Ultralytics' records through our own logging afterwards.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
CONFIG_DIR = ROOT / "var" / "ultralytics"


def prepare_environment() -> Path:
    """Set Ultralytics' environment before its first import; returns its settings folder."""
    os.environ.setdefault("YOLO_OFFLINE", "1")
    folder = Path(os.environ.setdefault("YOLO_CONFIG_DIR", str(CONFIG_DIR)))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def route_logs() -> None:
    """Ultralytics prints to stdout with its own handler; send its records through ours (stderr) instead."""
    ul = logging.getLogger("ultralytics")
    ul.handlers.clear()
    ul.propagate = True


def yolo_class() -> Any:
    """Ultralytics' ``YOLO``, imported with nothing on stdout (the settings banner of a first use included)."""
    prepare_environment()
    with contextlib.redirect_stdout(sys.stderr):
        from ultralytics import YOLO  # type: ignore[attr-defined]
    route_logs()
    return YOLO
