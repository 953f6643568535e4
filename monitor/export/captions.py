"""Captions burnt into pictures (the time-lapse): Chinese text drawn with the Simplified Chinese face of Noto
Sans CJK through matplotlib's FreeType (OpenCV draws ASCII only); ASCII with OpenCV where no such font is."""

from __future__ import annotations

import logging
import threading
from functools import cache

import cv2
import numpy as np
import numpy.typing as npt
from matplotlib import font_manager
from matplotlib.ft2font import FT2Font, LoadFlags

log = logging.getLogger(__name__)
FAMILIES = ("Noto Sans CJK SC", "Noto Serif CJK SC", "WenQuanYi Zen Hei", "Source Han Sans SC")
Image = npt.NDArray[np.uint8]
_drawing = threading.Lock()  # the one FreeType face is shared: one caption at a time


@cache
def _font() -> FT2Font | None:
    """The first installed face with Simplified Chinese glyphs (within a collection, its SC face)."""
    for family in FAMILIES:
        path = font_manager.findfont(font_manager.FontProperties(family=family), fallback_to_default=False)
        if not path:
            continue
        for index in range(16):
            try:
                face = FT2Font(path, face_index=index)
            except (RuntimeError, OSError, ValueError):
                break
            if face.family_name == family:
                return face
    log.warning("no Chinese font found (install fonts-noto-cjk): time-lapse captions in ASCII only")
    return None


def burn(canvas: Image, text: str, height: int) -> None:
    """Write ``text`` in white on a black band ``height`` px tall across the top of ``canvas`` (BGR), in place."""
    cv2.rectangle(canvas, (0, 0), (canvas.shape[1], height), (0, 0, 0), -1)
    face = _font()
    if face is None or text.isascii():
        scale = height / 42
        cv2.putText(
            canvas,
            text.encode("ascii", "replace").decode(),
            (8, int(height * 0.74)),
            cv2.FONT_HERSHEY_SIMPLEX,
            scale,
            (255, 255, 255),
            2,
        )
        return
    with _drawing:
        face.set_size(height * 0.6, 72)
        face.set_text(text, 0.0, flags=LoadFlags.DEFAULT)
        face.draw_glyphs_to_bitmap()
        glyphs = np.array(face.get_image(), np.uint8)
    h, w = glyphs.shape
    top, left = max(0, (height - h) // 2), 8
    h, w = min(h, canvas.shape[0] - top), min(w, canvas.shape[1] - left)
    if h <= 0 or w <= 0:
        return
    alpha = glyphs[:h, :w, None].astype(np.float32) / 255.0
    region = canvas[top : top + h, left : left + w].astype(np.float32)
    canvas[top : top + h, left : left + w] = (region * (1 - alpha) + 255 * alpha).astype(np.uint8)
