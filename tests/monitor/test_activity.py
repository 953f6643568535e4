from __future__ import annotations

import numpy as np
import pytest

from monitor.activity import Activity, Box, box_motion, change_map, moved, sample_activity
from monitor.config import Category, ScoringConfig

RULES = ScoringConfig()
W, M, V = Category.worker, Category.machinery, Category.vehicle


def _grey(seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).integers(40, 200, (90, 160), dtype=np.uint8)


VALID = np.ones((90, 160), bool)


def test_a_change_of_light_is_not_motion() -> None:
    base = _grey()
    brighter = np.clip(base.astype(int) * 1.2 + 20, 0, 255).astype(np.uint8)
    assert not change_map(base, brighter, VALID).any()


def test_something_new_in_a_region_is_motion_there_only() -> None:
    base = _grey()
    later = base.copy()
    later[0:30, 0:40] = _grey(1)[0:30, 0:40]
    change = change_map(base, later, VALID)
    assert box_motion(change, Box(W, 0.0, 0.0, 0.25, 0.33)) > 0.5
    assert box_motion(change, Box(W, 0.5, 0.5, 0.9, 0.9)) == 0.0


@pytest.mark.parametrize(
    ("box", "previous", "expected"),
    [
        (Box(M, 0.1, 0.1, 0.3, 0.3), [Box(M, 0.1, 0.1, 0.3, 0.3)], False),  # parked
        (Box(M, 0.1, 0.1, 0.3, 0.3), [Box(M, 0.11, 0.1, 0.31, 0.3)], False),  # detector jitter
        (Box(M, 0.1, 0.1, 0.3, 0.3), [Box(M, 0.2, 0.1, 0.4, 0.3)], True),  # drove on
        (Box(M, 0.1, 0.1, 0.3, 0.3), [Box(V, 0.1, 0.1, 0.3, 0.3)], True),  # no machine there before
        (Box(M, 0.1, 0.1, 0.3, 0.3), [], True),  # arrived
    ],
)
def test_a_machine_moved(box: Box, previous: list[Box], expected: bool) -> None:
    assert moved(box, previous) is expected


def test_sample_activity_counts_what_moved() -> None:
    base = _grey()
    later = base.copy()
    later[0:45, 0:80] = _grey(2)[0:45, 0:80]  # the top-left quarter changed
    change = change_map(base, later, VALID)
    boxes = [
        Box(W, 0.05, 0.05, 0.2, 0.4),  # in the changed quarter: moving
        Box(W, 0.6, 0.6, 0.7, 0.9),  # still
        Box(M, 0.6, 0.1, 0.9, 0.4),  # parked where it was
        Box(V, 0.6, 0.5, 0.8, 0.7),  # a truck that arrived
    ]
    previous = [Box(M, 0.6, 0.1, 0.9, 0.4)]
    activity = sample_activity(boxes, previous, change, RULES)
    assert (activity.moving_workers, activity.working_machines, activity.moving_vehicles) == (1, 0, 1)
    assert activity.level == pytest.approx(2 / RULES.activity_saturation)
    assert 0.1 < activity.motion < 0.3  # a quarter changed (random pixels may change little)


def test_without_a_previous_sample_nothing_is_claimed_to_move() -> None:
    assert sample_activity([Box(W, 0, 0, 1, 1)], None, None, RULES) == Activity()
