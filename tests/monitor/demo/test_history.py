"""The demo's scripted month: every state on purpose, the same every time, and the cache that skips it."""

from __future__ import annotations

import datetime as dt
import json
import time
from pathlib import Path

import numpy as np

from monitor.config import parse_config
from monitor.demo import config as demo
from monitor.demo.history import CachedDetector, SimClock
from monitor.demo.scenes import FrameBank, Scene, Shot, shot, still_frame
from monitor.demo.setup import cache_key, ensure_history, write_clips
from tests.fixtures.clock import fixed
from tests.fixtures.servers import SAMPLE_VIDEO

SHARED = SAMPLE_VIDEO.parents[1]
TODAY = dt.date(2026, 11, 28)
NOW = dt.datetime(2026, 11, 28, 4, 0, tzinfo=dt.UTC)


def _month(scene: Scene) -> set[Shot]:
    return {shot(scene, days_ago, slot) for days_ago in range(1, 31) for slot in range(5)}


def test_every_state_is_scripted_and_each_at_its_time(tmp_path: Path) -> None:
    scenes = {scene for scene, _ in demo.scenes(demo.demo_config(SHARED, today=TODAY, clock=fixed())).values()}
    assert scenes == set(Scene)
    assert _month(Scene.working) == {Shot.moving}
    assert _month(Scene.low) == {Shot.moving, Shot.still}
    assert shot(Scene.stopped, 8, 0) is Shot.moving and shot(Scene.stopped, 7, 0) is Shot.still
    assert shot(Scene.offline, 4, 0) is Shot.moving and shot(Scene.offline, 3, 0) is Shot.offline
    assert shot(Scene.frozen, 3, 0) is Shot.moving and shot(Scene.frozen, 2, 0) is Shot.frozen
    videos = {v: (SHARED / "videos" / v, s[:2]) for v, s in demo.VIDEO_SECONDS.items()}
    write_clips(FrameBank.load(videos, 2), tmp_path / "clips")
    config = parse_config(demo.history_config(demo.demo_config(SHARED, today=TODAY, clock=fixed(), folder=tmp_path)))
    batches = {s.id: s.batch.value for s in config.sites}
    assert batches["jk-chip"] == "signed"  # the signed site not started
    assert config.holidays == [TODAY - dt.timedelta(days=demo.HOLIDAY_DAYS_AGO)]
    assert config.calendar.expected_slots(TODAY) == 5


def test_the_live_demo_counts_at_any_hour() -> None:
    late = dt.datetime(2026, 11, 28, 15, 30, tzinfo=dt.UTC)  # 23:30 in Shanghai
    mapping = demo.demo_config(SHARED, clock=lambda: late)
    assert mapping["working_hours"] == {"start": "23:26", "end": "23:59"}
    night = dt.datetime(2026, 11, 28, 18, 5, tzinfo=dt.UTC)  # 02:05
    assert demo.demo_config(SHARED, clock=lambda: night)["working_hours"]["start"] == "02:01"
    assert cache_key(demo.demo_config(SHARED, clock=lambda: late)) == cache_key(mapping)  # same day, same month
    other_day = demo.demo_config(SHARED, clock=lambda: late + dt.timedelta(days=1))
    assert cache_key(other_day) != cache_key(mapping)


def test_the_month_is_the_same_every_time() -> None:
    base = np.full((36, 64, 3), 120, np.uint8)
    assert np.array_equal(still_frame(base, 3), still_frame(base, 3))
    assert not np.array_equal(still_frame(base, 3), still_frame(base, 4))  # sensor noise: not frozen
    videos = {v: (SHARED / "videos" / v, s[:2]) for v, s in demo.VIDEO_SECONDS.items()}
    one, two = FrameBank.load(videos, 2), FrameBank.load(videos, 2)
    for video in videos:
        for what in (Shot.moving, Shot.still, Shot.frozen):
            assert np.array_equal(one.frame(video, what, 1), two.frame(video, what, 1))
        assert not np.array_equal(one.frame(video, Shot.moving, 0), one.frame(video, Shot.moving, 1))
        assert one.frame(video, Shot.frozen, 0) is one.frame(video, Shot.frozen, 5)


def test_the_detector_is_asked_once_per_picture() -> None:
    from detectors import Detections

    asked: list[int] = []

    class Inner:
        class_names = ("Person",)

        def detect_batch(self, frames: list[np.ndarray]) -> list[Detections]:
            asked.append(len(frames))
            return [Detections.empty() for _ in frames]

    cached = CachedDetector(Inner())  # type: ignore[arg-type]
    a, b = np.zeros((8, 8, 3), np.uint8), np.ones((8, 8, 3), np.uint8)
    cached.detect_batch([a, b, a.copy()])
    cached.detect_batch([b, a])
    assert asked == [2] and cached.calls == 2
    clock = SimClock(NOW)
    clock.now += dt.timedelta(hours=1)
    assert clock() == NOW + dt.timedelta(hours=1)


def test_a_second_start_finds_the_month_in_the_cache(tmp_path: Path) -> None:
    mapping = demo.demo_config(SHARED, today=TODAY, clock=lambda: NOW, folder=tmp_path)
    (tmp_path / "history.json").write_text(json.dumps({"key": cache_key(mapping)}), encoding="utf-8")
    (tmp_path / "sitemon.db").write_bytes(b"kept")
    started = time.perf_counter()
    assert ensure_history(mapping, SHARED, f"sqlite:///{tmp_path / 'sitemon.db'}", NOW, folder=tmp_path) is None
    print(f"cached start: {(time.perf_counter() - started) * 1000:.2f} ms")
    assert (tmp_path / "sitemon.db").read_bytes() == b"kept"  # nothing rebuilt, nothing wiped


def test_the_live_clips_hold_the_stopped_and_frozen_states(tmp_path: Path) -> None:
    videos = {v: (SHARED / "videos" / v, s[:2]) for v, s in demo.VIDEO_SECONDS.items()}
    write_clips(FrameBank.load(videos, 2), tmp_path)
    import cv2

    for name in (f"frozen-{demo.CCTV}", f"stopped-{demo.SYNTHETIC}"):
        capture = cv2.VideoCapture(str(tmp_path / name))
        ok, _ = capture.read()
        capture.release()
        assert ok, name


def test_just_after_midnight_the_day_starts_at_midnight() -> None:
    midnight = dt.datetime(2026, 11, 28, 16, 2, tzinfo=dt.UTC)  # 00:02 in Shanghai
    assert demo.demo_config(SHARED, clock=lambda: midnight)["working_hours"]["start"] == "00:00"
