"""Snapshots that tell the story: what moved in colour with a label in the dispatcher's language, what stood still
thin and grey, weak boxes not drawn."""

from __future__ import annotations

import numpy as np
from pydantic import SecretStr

from monitor.config import CameraConfig, Category
from monitor.sampling.snapshots import MOVING_COLOURS, STILL_COLOUR, Drawn, annotate, label

CAMERA = CameraConfig.model_validate({"id": "c", "url": SecretStr("replay://")})


def test_a_moving_worker_is_drawn_in_colour_a_still_machine_thin_and_grey() -> None:
    image = np.full((360, 640, 3), 90, np.uint8)
    worker = Drawn(100, 150, 140, 260, Category.worker, moving=True)
    machine = Drawn(300, 120, 500, 300, Category.machinery, moving=False)
    out = annotate(image, [worker, machine], CAMERA)
    assert tuple(int(v) for v in out[200, 100]) == MOVING_COLOURS[Category.worker]  # its left edge, 3 px wide
    assert tuple(int(v) for v in out[200, 102]) == MOVING_COLOURS[Category.worker]
    assert tuple(int(v) for v in out[200, 300]) == STILL_COLOUR  # the parked machine's edge, 1 px wide
    assert tuple(int(v) for v in out[200, 301]) == (90, 90, 90)
    above = out[120:150, 100:180]  # the moving worker's label sits above its box
    assert (np.abs(above.astype(int) - 90).sum(axis=2) > 0).mean() > 0.3


def test_labels_speak_the_dispatchers_language() -> None:
    moving, parked = Drawn(0, 0, 1, 1, Category.machinery, True), Drawn(0, 0, 1, 1, Category.machinery, False)
    assert (label(moving, "zh"), label(parked, "zh")) == ("机械·作业", "机械·停放")
    assert label(Drawn(0, 0, 1, 1, Category.worker, True), "en") == "worker, moving"
    assert not any(c.isascii() and c.isalpha() for c in label(moving, "zh"))


def test_a_still_yard_draws_no_label_at_all() -> None:
    image = np.full((360, 640, 3), 90, np.uint8)
    still = [Drawn(50 + 60 * k, 100, 90 + 60 * k, 200, Category.worker, moving=False) for k in range(8)]
    out = annotate(image, still, CAMERA)
    assert np.abs(out[60:99].astype(int) - 90).sum() == 0  # nothing above the boxes: no labels
