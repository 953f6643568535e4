"""A responsible unit's photo with its reply: checked by its bytes, re-encoded, kept beside the snapshots.

Only an image gets in: the first bytes must be a JPEG's, a PNG's or a WebP's (never the name or the type the
client claims), and the whole must decode. It is stored re-encoded as a JPEG at most ``MAX_SIDE`` pixels on
its longer side, so nothing but the picture is kept (no EXIF position, nothing appended to the file), under
``<snapshot folder>/_assignments/<id>/``: the snapshot clean-up walks only site/camera/day folders.
"""

from __future__ import annotations

import logging
import uuid
from pathlib import Path

import cv2
import numpy as np

log = logging.getLogger(__name__)
MAX_PHOTO_BYTES = 5 * 1024 * 1024
MAX_SIDE = 1920
FOLDER = "_assignments"
MAGIC = (
    (b"\xff\xd8\xff", "jpeg"),
    (b"\x89PNG\r\n\x1a\n", "png"),
)


class PhotoRefused(ValueError):
    """Not an image sitemon takes (the API answers 415 or 413)."""


def sniff(data: bytes) -> str | None:
    """The image kind by its first bytes: jpeg, png, webp; None for anything else."""
    for magic, kind in MAGIC:
        if data.startswith(magic):
            return kind
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    return None


def save(root: Path, assignment_id: int, data: bytes) -> str:
    """Check ``data``, store it as a JPEG for the assignment and return its path under ``root``."""
    if len(data) > MAX_PHOTO_BYTES:
        raise PhotoRefused(f"the photo is larger than {MAX_PHOTO_BYTES // (1024 * 1024)} MB")
    kind = sniff(data)
    if kind is None:
        raise PhotoRefused("not a JPEG, PNG or WebP image")
    image = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
    if image is None:
        raise PhotoRefused(f"the {kind} image does not decode")
    height, width = image.shape[:2]
    scale = min(1.0, MAX_SIDE / max(height, width))
    if scale < 1.0:
        image = cv2.resize(image, (round(width * scale), round(height * scale)), interpolation=cv2.INTER_AREA)
    ok, encoded = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, 85])
    if not ok:
        raise PhotoRefused("the image could not be stored")
    relative = Path(FOLDER, str(assignment_id), f"{uuid.uuid4().hex}.jpg")
    target = root / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(".tmp")
    tmp.write_bytes(encoded.tobytes())
    tmp.replace(target)
    log.info("assignment %s: photo stored (%s, %dx%d)", assignment_id, kind, image.shape[1], image.shape[0])
    return relative.as_posix()


def photo_file(root: Path, relative: str | None) -> Path | None:
    """The stored photo's file, if it is still on disk under ``root``."""
    if not relative:
        return None
    path = (root / relative).resolve()
    return path if path.is_relative_to(root.resolve()) and path.is_file() else None
