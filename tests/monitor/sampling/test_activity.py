from __future__ import annotations

import cv2
import numpy as np
import pytest

from monitor.config import Category, ScoringConfig
from monitor.core.values import Activity, Box
from monitor.sampling.activity import box_motion, change_map, compare, displaced, follow, sample_activity
from monitor.sampling.motion import STILL, CameraMotion, estimate_motion

RULES = ScoringConfig()
W, M, V = Category.worker, Category.machinery, Category.vehicle
SHAPE = (180, 320)
VALID = np.ones(SHAPE, bool)


def _scene(seed: int = 0) -> np.ndarray:
    """A textured, smooth picture (blurred noise): edges and flat parts, as a real scene has."""
    rng = np.random.default_rng(seed)
    big = rng.integers(0, 255, (SHAPE[0] // 4, SHAPE[1] // 4), dtype=np.uint8)
    return np.asarray(cv2.resize(big, SHAPE[::-1], interpolation=cv2.INTER_CUBIC), np.uint8)


def _noisy(grey: np.ndarray, seed: int, sigma: float = 1.5) -> np.ndarray:
    noise = np.random.default_rng(seed).normal(0, sigma, grey.shape)
    return np.clip(grey + noise, 0, 255).astype(np.uint8)


def _sway_matrix(dx: float, dy: float, angle: float) -> np.ndarray:
    m = cv2.getRotationMatrix2D((SHAPE[1] / 2, SHAPE[0] / 2), angle, 1.0)
    m[:, 2] += (dx, dy)
    return m


def _warp(grey: np.ndarray, dx: float, dy: float, angle: float) -> np.ndarray:
    m = _sway_matrix(dx, dy, angle)
    return np.asarray(cv2.warpAffine(grey, m, SHAPE[::-1], borderMode=cv2.BORDER_REFLECT101), np.uint8)


def test_a_change_of_light_is_not_motion() -> None:
    base = _scene()
    brighter = np.clip(base.astype(int) * 1.2 + 20, 0, 255).astype(np.uint8)
    assert not change_map(base, brighter, VALID, STILL).any()


def test_a_soft_shadow_over_part_of_the_picture_is_not_motion() -> None:
    base = _scene()
    yy, xx = np.mgrid[0 : SHAPE[0], 0 : SHAPE[1]]
    shade = 1 - 0.45 * np.exp(-((xx - 100) ** 2 + (yy - 90) ** 2) / (2 * 50.0**2))
    assert change_map(base, np.clip(base * shade, 0, 255).astype(np.uint8), VALID, STILL).mean() < 0.001


def test_sensor_noise_is_not_motion() -> None:
    base = _scene()
    assert not change_map(_noisy(base, 1), _noisy(base, 2), VALID, STILL).any()


@pytest.mark.parametrize(("dx", "dy", "angle"), [(2.5, 0.0, 0.0), (-1.5, 1.2, 0.3), (0.8, -1.6, -0.5)])
def test_sway_is_measured_and_undone(dx: float, dy: float, angle: float) -> None:
    base = _scene()
    swayed = _warp(base, dx, dy, angle)
    motion = estimate_motion(base, swayed)
    # cv2's rotation is clockwise for a positive angle in image coordinates: compare the matrices.
    assert motion.matrix()[:, 2] == pytest.approx(_sway_matrix(dx, dy, angle)[:, 2], abs=0.4)
    assert abs(motion.angle) == pytest.approx(abs(angle), abs=0.1)
    assert change_map(base, swayed, VALID, motion).mean() < 0.002
    assert change_map(base, swayed, VALID, None).mean() > 10 * max(
        change_map(base, swayed, VALID, motion).mean(), 0.001
    )


def test_something_new_in_a_region_is_motion_there_only() -> None:
    base = _scene()
    later = base.copy()
    later[0:60, 0:80] = _scene(1)[0:60, 0:80]
    change = change_map(base, later, VALID, STILL)
    assert box_motion(change, Box(W, 0.0, 0.0, 0.25, 0.33)) > 0.2
    assert box_motion(change, Box(W, 0.5, 0.5, 0.9, 0.9)) == 0.0


def test_masked_pixels_never_change() -> None:
    base = _scene()
    later = base.copy()
    later[0:30, 0:100] = 255 - later[0:30, 0:100]
    valid = VALID.copy()
    valid[0:35, 0:105] = False
    assert not change_map(base, later, valid, STILL).any()


@pytest.mark.parametrize(
    ("box", "previous", "expected"),
    [
        (Box(M, 0.1, 0.1, 0.3, 0.3), [Box(M, 0.1, 0.1, 0.3, 0.3)], False),  # parked
        (Box(M, 0.1, 0.1, 0.3, 0.3), [Box(M, 0.12, 0.11, 0.31, 0.3)], False),  # detector jitter
        (Box(M, 0.3, 0.3, 0.5, 0.5), [Box(M, 0.3 - 0.3 * 0.2, 0.3, 0.5 - 0.3 * 0.2, 0.5)], False),  # 0.3 sizes
        (Box(M, 0.3, 0.3, 0.5, 0.5), [Box(M, 0.3 - 0.6 * 0.2, 0.3, 0.5 - 0.6 * 0.2, 0.5)], True),  # 0.6 sizes
        (Box(M, 0.3, 0.3, 0.5, 0.5), [Box(M, 0.2, 0.2, 0.4, 0.4)], True),  # diagonal, 0.7 sizes
        (Box(M, 0.3, 0.3, 0.5, 0.5), [Box(M, 0.1, 0.3, 0.3, 0.5)], True),  # 1.0 size away, still the same one
        (Box(M, 0.1, 0.1, 0.3, 0.3), [Box(V, 0.1, 0.1, 0.3, 0.3)], False),  # no machine there before
        (Box(M, 0.1, 0.1, 0.3, 0.3), [], False),  # missed in the previous sample (flicker): not evidence
        (Box(M, 0.1, 0.1, 0.3, 0.3), [Box(M, 0.6, 0.6, 0.8, 0.8)], False),  # another machine far away
        (Box(M, 0.1, 0.1, 0.3, 0.3), [Box(M, 0.15, 0.1, 0.2, 0.15)], False),  # much smaller: another thing
    ],
)
def test_a_machine_displaced_beyond_jitter(box: Box, previous: list[Box], expected: bool) -> None:
    assert (displaced([box], previous, RULES.machine_jitter, aspect=1.0) == {0}) is expected


def test_each_previous_machine_pairs_once_nearest_first() -> None:
    """Two parked machines side by side, one missed last time: the other is not taken for it."""
    left, right = Box(M, 0.1, 0.4, 0.3, 0.6), Box(M, 0.32, 0.4, 0.52, 0.6)
    assert displaced([left, right], [right], RULES.machine_jitter, aspect=1.0) == set()


def test_previous_boxes_follow_the_camera() -> None:
    moved = follow(Box(M, 0.1, 0.1, 0.3, 0.3), CameraMotion(32.0, 18.0, 0.0, 320), SHAPE)
    assert (moved.x1, moved.y1, moved.x2, moved.y2) == pytest.approx((0.2, 0.2, 0.4, 0.4))


def test_sample_activity_counts_what_moved() -> None:
    base = _scene()
    later = base.copy()
    later[0:90, 0:160] = _scene(2)[0:90, 0:160]  # the top-left quarter changed
    change = change_map(base, later, VALID, STILL)
    boxes = [
        Box(W, 0.05, 0.05, 0.2, 0.4),  # in the changed quarter: moving
        Box(W, 0.6, 0.6, 0.7, 0.9),  # still
        Box(M, 0.6, 0.1, 0.9, 0.4),  # parked where it was
        Box(V, 0.1, 0.1, 0.3, 0.45),  # a truck that arrived in the changed quarter
        Box(M, 0.55, 0.5, 0.75, 0.7),  # a machine missed last time, its pixels unchanged: not working
    ]
    previous = [Box(M, 0.6, 0.1, 0.9, 0.4)]
    activity = sample_activity(boxes, previous, change, RULES)
    assert (activity.moving_workers, activity.working_machines, activity.moving_vehicles) == (1, 0, 1)
    assert activity.level == pytest.approx(2 / RULES.activity_saturation)


def test_a_knock_is_a_new_view_not_activity() -> None:
    base = _scene()
    knocked = _warp(base, 20.0, -12.0, 4.0)
    activity = compare(base, [], knocked, VALID, [Box(W, 0.1, 0.1, 0.3, 0.5)], RULES)
    assert activity.view_changed and activity.level == 0
    assert activity.camera_shift > RULES.view_change_shift


def test_a_picture_that_changed_everywhere_shows_no_activity() -> None:
    activity = compare(_scene(0), [], _scene(5), VALID, [Box(W, 0.1, 0.1, 0.3, 0.5)], RULES)
    assert activity.global_change or activity.view_changed
    assert activity.level == 0


def test_without_a_previous_sample_nothing_is_claimed_to_move() -> None:
    assert sample_activity([Box(W, 0, 0, 1, 1)], None, None, RULES) == Activity()


def test_a_displaced_machine_works_only_with_some_pixel_evidence() -> None:
    """A parked machine's box may jump with the detector's jitter, its pixels unchanged: not working."""
    box, before = Box(M, 0.3, 0.3, 0.5, 0.5), [Box(M, 0.18, 0.3, 0.38, 0.5)]  # 0.6 sizes away
    still = np.zeros(SHAPE, bool)
    assert sample_activity([box], before, still, RULES).working_machines == 0
    some = still.copy()
    some[60:64, 100:105] = True  # a little of the box changed (0.9 %): below motion_in_box, above a quarter of it
    assert 0 < box_motion(some, box) < RULES.motion_in_box
    assert sample_activity([box], before, some, RULES).working_machines == 1
    assert sample_activity([box], [], some, RULES).working_machines == 0  # not displaced: pixels alone decide


def test_a_worker_the_detector_misses_now_moved_if_his_place_changed() -> None:
    """Far, small workers are found in one sample and missed in the next: where one stood changed, so he moved."""
    before = [Box(W, 0.2, 0.2, 0.25, 0.4), Box(W, 0.6, 0.2, 0.65, 0.4)]
    change = np.zeros(SHAPE, bool)
    change[40:70, 66:78] = True  # the first one's place
    assert sample_activity([], before, change, RULES).moving_workers == 1
    assert sample_activity([], before, np.zeros(SHAPE, bool), RULES).moving_workers == 0  # both stood still


def test_a_worker_who_walked_from_one_place_to_another_counts_once() -> None:
    before, now = [Box(W, 0.2, 0.2, 0.25, 0.4)], [Box(W, 0.5, 0.2, 0.55, 0.4)]
    change = np.zeros(SHAPE, bool)
    change[36:72, 64:80] = True  # where he was
    change[36:72, 160:176] = True  # where he is
    assert sample_activity(now, before, change, RULES).moving_workers == 1
