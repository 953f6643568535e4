from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from monitor.config import CameraConfig, parse_config
from monitor.core.values import CameraKey, CameraStatus, Cause, Sample
from monitor.sampling.sampler import Grab
from monitor.sampling.sweep import ABANDONED, run_sweep
from tests.fixtures.servers import SAMPLE_VIDEO, wait_for
from tests.helpers import config_dict

SLOT = dt.datetime(2026, 11, 28, 2, 0, tzinfo=dt.UTC)


def _targets(n: int):  # type: ignore[no-untyped-def]
    return list(parse_config(config_dict([str(SAMPLE_VIDEO)] * n)).cameras())


def _ok(key: CameraKey, camera: CameraConfig, slot: dt.datetime) -> Grab:
    return Grab(key, camera, slot, slot, None, CameraStatus.online)


def _analyse(grabs: list[Grab]) -> list[Sample]:
    return [Sample(g.key, g.slot_at, g.captured_at, g.status, g.reason) for g in grabs]


@dataclass(frozen=True)
class InOneStep:
    """An analysis with no detection half of its own: all of it runs when the batch is finished."""

    analyse: Callable[[list[Grab]], list[Sample]]

    def detect(self, grabs: list[Grab]) -> list[Grab]:
        return grabs

    def finish(self, detected: list[Grab]) -> list[Sample]:
        return self.analyse(detected)


def test_one_failing_camera_analysis_or_sink_never_stops_the_sweep() -> None:
    stored: list[Sample] = []

    def grab(key: CameraKey, camera: CameraConfig, slot: dt.datetime) -> Grab:
        if key.site_id == "site2":
            raise RuntimeError("bug")
        return _ok(key, camera, slot)

    def sink(samples: list[Sample]) -> None:
        if any(s.camera.site_id == "site4" for s in samples):
            raise OSError("disk full")
        stored.extend(samples)

    result = run_sweep(
        _targets(5), grab, InOneStep(_analyse), sink, SLOT, max_workers=2, deadline_s=5, batch_size=1, now=lambda: SLOT
    )
    assert [s.camera.site_id for s in result.samples] == ["site1", "site2", "site3", "site4", "site5"]
    failed = result.samples[1]
    assert failed.status is CameraStatus.unknown and "bug" in failed.reason
    assert sorted(s.camera.site_id for s in stored) == ["site1", "site2", "site3", "site5"]


def test_a_hanging_camera_is_given_up_at_its_deadline_and_the_others_finish() -> None:
    release = threading.Event()

    def grab(key: CameraKey, camera: CameraConfig, slot: dt.datetime) -> Grab:
        if key.site_id == "site1":
            release.wait(10)  # a camera that never answers
        return _ok(key, camera, slot)

    started = time.monotonic()
    result = run_sweep(
        _targets(6), grab, InOneStep(_analyse), lambda s: None, SLOT, max_workers=3, deadline_s=0.5, now=lambda: SLOT
    )
    elapsed = time.monotonic() - started
    release.set()
    assert elapsed < 5
    assert result.samples[0].status is CameraStatus.offline
    assert "deadline" in result.samples[0].reason
    assert all(s.status is CameraStatus.online for s in result.samples[1:])


def test_cameras_are_grabbed_in_parallel_and_analysed_in_batches() -> None:
    active, peak, lock = 0, 0, threading.Lock()
    batches: list[int] = []

    def grab(key: CameraKey, camera: CameraConfig, slot: dt.datetime) -> Grab:
        nonlocal active, peak
        with lock:
            active += 1
            peak = max(peak, active)
        time.sleep(0.1)
        with lock:
            active -= 1
        return _ok(key, camera, slot)

    def analyse(grabs: list[Grab]) -> list[Sample]:
        batches.append(len(grabs))
        return _analyse(grabs)

    result = run_sweep(
        _targets(12),
        grab,
        InOneStep(analyse),
        lambda s: None,
        SLOT,
        max_workers=4,
        deadline_s=5,
        batch_size=3,
        now=lambda: SLOT,
    )
    assert peak == 4
    assert sum(batches) == 12 and max(batches) <= 3
    assert result.online == 12


def test_a_stuck_grab_is_abandoned_counted_and_replaced() -> None:
    release = threading.Event()

    def grab(key: CameraKey, camera: CameraConfig, slot: dt.datetime) -> Grab:
        if key.site_id in ("site1", "site2"):
            release.wait(30)  # stuck past every deadline, as a source that kept none would be
        return _ok(key, camera, slot)

    before = ABANDONED.total
    try:
        result = run_sweep(
            _targets(6),
            grab,
            InOneStep(_analyse),
            lambda s: None,
            SLOT,
            max_workers=2,
            deadline_s=0.5,
            now=lambda: SLOT,
        )
        # Both workers were stuck: the cameras still waiting got threads of their own.
        assert [s.cause for s in result.samples[:2]] == [Cause.deadline, Cause.deadline]
        assert all(s.status is CameraStatus.online for s in result.samples[2:])
        assert ABANDONED.total == before + 2 and ABANDONED.running() == 2
        # Daemon threads: a stuck grab never keeps the process from exiting.
        assert all(t.daemon for t in threading.enumerate() if t.name.startswith("grab-"))
    finally:
        release.set()
    assert wait_for(lambda: ABANDONED.running() == 0, 5)


class _Halves:
    """An analyser in two halves that records which batches were detected while another was being finished."""

    def __init__(self, fail_detect: str = "", fail_finish: str = "") -> None:
        self.second_detected = threading.Event()
        self.detected = self.finished = 0
        self.overlapped = False
        self.fail_detect, self.fail_finish = fail_detect, fail_finish

    def detect(self, grabs: list[Grab]) -> list[Grab]:
        if any(g.key.site_id == self.fail_detect for g in grabs):
            raise RuntimeError("detector crashed")
        self.detected += 1
        if self.detected == 2:
            self.second_detected.set()
        return grabs

    def finish(self, grabs: list[Grab]) -> list[Sample]:
        if any(g.key.site_id == self.fail_finish for g in grabs):
            raise ValueError("finishing crashed")
        self.finished += 1
        if self.finished == 1:  # the first batch: the next one is detected meanwhile, not after it
            self.overlapped = self.second_detected.wait(5)
        return _analyse(grabs)


def test_the_next_batch_is_detected_while_the_last_one_is_finished_and_stored() -> None:
    stored: list[Sample] = []
    halves = _Halves()
    result = run_sweep(
        _targets(6), _ok, halves, stored.extend, SLOT, max_workers=3, deadline_s=5, batch_size=2, now=lambda: SLOT
    )
    assert halves.overlapped
    assert result.online == 6
    # Every sample is stored once, and the sweep's samples keep the cameras' order.
    assert sorted(s.camera.site_id for s in stored) == [f"site{i}" for i in range(1, 7)]
    assert [s.camera.site_id for s in result.samples] == [f"site{i}" for i in range(1, 7)]


def test_a_failing_detection_or_finishing_marks_its_batch_and_the_sweep_goes_on() -> None:
    stored: list[Sample] = []
    halves = _Halves(fail_detect="site2", fail_finish="site5")
    result = run_sweep(
        _targets(6), _ok, halves, stored.extend, SLOT, max_workers=1, deadline_s=5, batch_size=1, now=lambda: SLOT
    )
    by_site = {s.camera.site_id: s for s in result.samples}
    assert by_site["site2"].cause is Cause.internal and "detector crashed" in by_site["site2"].reason
    assert by_site["site5"].cause is Cause.internal and "finishing crashed" in by_site["site5"].reason
    assert all(by_site[f"site{i}"].status is CameraStatus.online for i in (1, 3, 4, 6))
    assert sorted(s.camera.site_id for s in stored) == [f"site{i}" for i in range(1, 7)]


def test_a_sweep_holds_no_more_pictures_than_its_bound_while_the_detector_is_behind() -> None:
    """Grabs are quicker than the detector: without a bound, a sweep of thousands of cameras would hold most
    of their pictures at once."""
    held, peak, lock = 0, 0, threading.Lock()

    def grab(key: CameraKey, camera: CameraConfig, slot: dt.datetime) -> Grab:
        nonlocal held, peak
        with lock:
            held += 1
            peak = max(peak, held)
        return _ok(key, camera, slot)

    def analyse(grabs: list[Grab]) -> list[Sample]:
        nonlocal held
        time.sleep(0.02)  # a slow detector
        with lock:
            held -= len(grabs)
        return _analyse(grabs)

    result = run_sweep(
        _targets(40),
        grab,
        InOneStep(analyse),
        lambda s: None,
        SLOT,
        max_workers=8,
        deadline_s=5,
        batch_size=2,
        max_frames=6,
        now=lambda: SLOT,
    )
    assert result.online == 40
    assert peak <= 6


def test_a_finishing_that_returns_too_few_samples_marks_its_batch_and_never_hangs_the_sweep() -> None:
    def short(grabs: list[Grab]) -> list[Sample]:
        return _analyse(grabs)[1:] if any(g.key.site_id == "site3" for g in grabs) else _analyse(grabs)

    result = run_sweep(
        _targets(8),
        _ok,
        InOneStep(short),
        lambda s: None,
        SLOT,
        max_workers=2,
        deadline_s=5,
        batch_size=1,
        max_frames=2,
        now=lambda: SLOT,
    )
    by_site = {s.camera.site_id: s for s in result.samples}
    assert by_site["site3"].cause is Cause.internal and "0 sample(s) for 1 camera(s)" in by_site["site3"].reason
    assert sum(1 for s in result.samples if s.status is CameraStatus.online) == 7
