"""The day as a time-lapse: the encoder (decoded back with PyAV), a site-day's frames, the cache, the daily job."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import av
import cv2
import numpy as np
import pytest
from sqlalchemy.orm import Session, sessionmaker

from monitor.config import parse_config
from monitor.core.calendar import Calendar
from monitor.core.values import CameraKey, CameraStatus, Counts, Sample
from monitor.export.timelapse import (
    CACHE_DIR,
    Frame,
    cache_path,
    day_frames,
    encode,
    frame_size,
    h264_codec,
    make_day,
    thin,
    timelapse_for,
)
from monitor.sampling.snapshots import snapshot_relpath, write_jpeg
from monitor.store.repo import camera_pks, record_sample, sync_config
from tests.fixtures.clock import fixed
from tests.helpers import config_dict

TZ = Calendar(ZoneInfo("Asia/Shanghai"))
DAY = dt.date(2026, 11, 27)
MORNING = dt.datetime(2026, 11, 27, 1, 0, tzinfo=dt.UTC)  # 09:00 in Shanghai


def decoded(path: Path) -> tuple[str, int, int, str, list[float]]:
    """codec, width, height, pixel format and the mean brightness of each frame."""
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        frames = [f.to_ndarray(format="gray") for f in container.decode(stream)]
        return (
            stream.codec_context.name,
            stream.width,
            stream.height,
            stream.codec_context.pix_fmt,
            [float(f[60:, :].mean()) for f in frames],
        )


def _pictures(folder: Path, n: int, size: tuple[int, int] = (321, 181)) -> list[Frame]:
    folder.mkdir(parents=True, exist_ok=True)
    frames = []
    for i in range(n):
        path = folder / f"{i:03d}.jpg"
        cv2.imwrite(str(path), np.full((size[1], size[0], 3), min(250, 20 + i * 10), np.uint8))
        frames.append(Frame(path, f"cam1 08:{i:02d}"))
    return frames


def test_snapshots_become_an_h264_video_of_even_size_frame_by_frame_in_order(tmp_path: Path) -> None:
    frames = _pictures(tmp_path / "pics", 12)
    result = encode(frames, tmp_path / "out/day.mp4")
    codec, width, height, pix_fmt, brightness = decoded(tmp_path / "out/day.mp4")
    assert (codec, pix_fmt) == ("h264", "yuv420p")
    assert (width, height) == (result.width, result.height) == (320, 180)  # 321x181 made even
    assert result.frames == 12 and len(brightness) == 80  # each picture held 6 or 7 frames: 10 s at 8 a second
    assert result.seconds == 10
    assert brightness == sorted(brightness) and brightness[-1] - brightness[0] > 80  # in the order given


@pytest.mark.parametrize("pictures", [1, 2, 5, 79, 81, 400])
def test_a_day_lasts_ten_seconds_at_least_whatever_its_number_of_snapshots(tmp_path: Path, pictures: int) -> None:
    result = encode(_pictures(tmp_path / "p", pictures, (64, 36)), tmp_path / "v.mp4")
    with av.open(str(tmp_path / "v.mp4")) as container:
        stream = container.streams.video[0]
        frames = sum(1 for _ in container.decode(stream))
    assert result.frames == pictures and result.seconds == frames / 8 == max(10, pictures / 8)
    assert result.codec == h264_codec() and not list((tmp_path / "out").glob(".*tmp"))


def test_wide_pictures_are_scaled_down_and_other_shapes_letterboxed(tmp_path: Path) -> None:
    frames = _pictures(tmp_path / "wide", 2, (1921, 1081)) + _pictures(tmp_path / "tall", 1, (400, 800))
    result = encode(frames, tmp_path / "v.mp4")
    assert (result.width, result.height, result.frames) == (960, 540, 3)
    assert frame_size(1920, 1080, 960) == (960, 540) and frame_size(101, 51) == (100, 50)
    with pytest.raises(ValueError, match="too small"):
        frame_size(1, 1)


def test_unreadable_snapshots_are_left_out_and_none_readable_is_an_error(tmp_path: Path) -> None:
    frames = _pictures(tmp_path / "p", 3)
    frames[1].path.write_bytes(b"not a jpeg")
    assert encode([*frames, Frame(tmp_path / "gone.jpg", "x")], tmp_path / "v.mp4").frames == 2
    with pytest.raises(ValueError, match="no readable snapshot"):
        encode([Frame(tmp_path / "gone.jpg", "x")], tmp_path / "w.mp4")
    assert not (tmp_path / "w.mp4").exists()


def test_a_long_day_is_thinned_evenly_keeping_both_ends() -> None:
    frames = [Frame(Path(f"{i}.jpg"), str(i)) for i in range(1000)]
    kept = thin(frames, 10)
    assert len(kept) == 10 and kept[0] is frames[0] and kept[-1] is frames[-1]
    assert thin(frames[:5], 10) == frames[:5]


def _seed_day(sessions: sessionmaker[Session], root: Path, slots: list[dt.datetime], site: str = "site1") -> None:
    """Snapshots of two cameras of ``site`` at each slot (cam2's darker)."""
    data = config_dict()
    data["sites"][0]["cameras"].append({**data["sites"][0]["cameras"][0], "id": "cam2"})
    with sessions() as s:
        sync_config(s, parse_config(data), fixed())
        pks = camera_pks(s)
        for camera, shade in (("cam1", 200), ("cam2", 40)):
            key = CameraKey(site, camera)
            for slot in slots:
                rel = snapshot_relpath(key, slot)
                write_jpeg(root, rel, np.full((120, 160, 3), shade, np.uint8), 80)
                sample = Sample(key, slot, slot, CameraStatus.online, counts=Counts(1, 0, 0), snapshot_path=str(rel))
                record_sample(s, pks[key], sample)


def test_a_site_day_is_camera_by_camera_in_time_order_within_the_local_day(
    sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    slots = [MORNING + dt.timedelta(minutes=5 * i) for i in range(3)]
    late = dt.datetime(2026, 11, 27, 16, 30, tzinfo=dt.UTC)  # 00:30 on the 28th in Shanghai: the next day
    _seed_day(sessions, tmp_path, [*slots, late])
    with sessions() as s:
        frames = day_frames(s, tmp_path, "site1", DAY, TZ)
        assert [f.caption for f in frames][:4] == [  # the site's and the camera's names, local time
            "测试工地1 · cam1 · 2026-11-27 09:00",
            "测试工地1 · cam1 · 2026-11-27 09:05",
            "测试工地1 · cam1 · 2026-11-27 09:10",
            "测试工地1 · cam2 · 2026-11-27 09:00",
        ]
        assert len(frames) == 6
        assert [f.caption for f in day_frames(s, tmp_path, "site1", DAY + dt.timedelta(days=1), TZ)] == [
            "测试工地1 · cam1 · 2026-11-28 00:30",
            "测试工地1 · cam2 · 2026-11-28 00:30",
        ]


def test_a_finished_day_is_made_once_and_today_again_after_each_new_snapshot(
    sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    slots = [MORNING + dt.timedelta(minutes=5 * i) for i in range(3)]
    _seed_day(sessions, tmp_path, slots)
    later = MORNING + dt.timedelta(days=1)
    with sessions() as s:
        past = timelapse_for(s, tmp_path, "site1", DAY, TZ, later)
        assert past == cache_path(tmp_path, "site1", DAY) and past.parent == tmp_path / CACHE_DIR / "site1"
        made_at = past.stat().st_mtime_ns
        assert timelapse_for(s, tmp_path, "site1", DAY, TZ, later + dt.timedelta(hours=1)) == past
        assert past.stat().st_mtime_ns == made_at  # served from the cache
        assert timelapse_for(s, tmp_path, "site1", DAY - dt.timedelta(days=1), TZ, later) is None

        today = timelapse_for(s, tmp_path, "site1", DAY, TZ, MORNING + dt.timedelta(hours=1))
        assert today is not None and today != past and today.name.startswith("2026-11-27-")
        shades = decoded(today)[4]
        assert len(shades) == 80 and min(shades) < 100 < max(shades)  # both cameras' pictures, held for 10 s
    _seed_day(sessions, tmp_path, [MORNING + dt.timedelta(minutes=30)])
    with sessions() as s:
        newer = timelapse_for(s, tmp_path, "site1", DAY, TZ, MORNING + dt.timedelta(hours=1))
        assert newer is not None and newer != today and not today.exists()  # the stale one is gone
        assert len(decoded(newer)[4]) == 80


def test_the_daily_job_makes_each_sites_video_of_the_day_and_prunes_the_cache(
    sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    _seed_day(sessions, tmp_path, [MORNING, MORNING + dt.timedelta(minutes=5)])
    cache = tmp_path / CACHE_DIR / "site1"
    cache.mkdir(parents=True)
    (cache / "2026-11-27-41.mp4").write_bytes(b"today's, now stale")
    (cache / "2026-10-01.mp4").write_bytes(b"past the retention")
    (cache / "2026-11-20.mp4").write_bytes(b"kept")
    with sessions() as s:
        made = make_day(s, tmp_path, DAY, TZ, keep_days=30)
    assert list(made) == ["site1"] and made["site1"] == cache / "2026-11-27.mp4"
    assert decoded(made["site1"])[0] == "h264"
    assert sorted(p.name for p in cache.iterdir()) == ["2026-11-20.mp4", "2026-11-27.mp4"]
