from __future__ import annotations

import datetime as dt
from pathlib import Path

import cv2
import numpy as np

from detectors import CategoryMap, Detector
from monitor.config import AppConfig, Category, TilingConfig, parse_config
from monitor.core.clock import Clock
from monitor.core.values import CameraKey, CameraStatus, Counts
from monitor.sampling.sampler import CameraSampler
from monitor.sources import SourceOpenError
from monitor.sources.base import Sources
from tests.fixtures.servers import SAMPLE_VIDEO
from tests.helpers import config_dict
from tests.monitor.fakes import NAMES, FakeDetector, FakeSource, FakeSources

NOW = dt.datetime(2026, 11, 28, 2, 0, 3, tzinfo=dt.UTC)
SLOT = NOW.replace(second=0)
CATS = CategoryMap.build({"person": Category.worker, "truck": Category.vehicle}, NAMES)


def _camera(**camera: object):  # type: ignore[no-untyped-def]
    data = config_dict([str(SAMPLE_VIDEO)])
    data["sites"][0]["cameras"][0].update(camera)
    config = parse_config(data)
    return config, config.sites[0].cameras[0]


def _sampler(config: AppConfig, root: Path, detector: Detector, sources: Sources, clock: Clock) -> CameraSampler:
    return CameraSampler(
        detector, CATS, config.sampling, config.picture, root, sources, clock=clock, calendar=config.calendar
    )


def test_counts_only_what_stands_in_the_site_zone_and_outside_masks(tmp_path: Path) -> None:
    config, camera = _camera(
        zones={"site": [[0, 0.2], [1, 0.2], [1, 1], [0, 1]]},
        masks=[{"name": "clock", "polygon": [[0, 0], [0.5, 0], [0.5, 0.5], [0, 0.5]]}],
    )
    boxes = [
        (60, 40, 70, 80, 0),  # worker, foot at (65, 80): counted
        (10, 10, 20, 15, 0),  # worker above the zone: not counted
        (10, 20, 30, 40, 1),  # truck with its foot in the clock mask: not counted
        (50, 50, 90, 95, 1),  # truck: counted
        (30, 60, 40, 90, 2),  # dog: ignored class
    ]
    source = FakeSource()
    sampler = _sampler(config, tmp_path, FakeDetector(boxes), FakeSources({"cam1": source}), lambda: NOW)
    sample = sampler.sample("site1", camera, SLOT)
    assert sample.status is CameraStatus.online
    assert sample.counts == Counts(workers=1, machinery=0, vehicles=1)
    assert sample.detections == 2
    assert (sample.slot_at, sample.captured_at) == (SLOT, NOW)
    assert source.closed
    assert sample.snapshot_path == "site1/cam1/2026-11-28/020003.jpg"
    image = cv2.imread(str(tmp_path / sample.snapshot_path))
    assert image is not None and image.shape == (100, 100, 3)
    assert image[5, 5].mean() < source.image[5, 5].mean() - 20  # the mask is shaded on the snapshot


def test_a_camera_fault_becomes_a_sample_with_status_and_reason(tmp_path: Path) -> None:
    config, camera = _camera()
    detector = FakeDetector()
    error = SourceOpenError("cannot open stream rtsp://admin:***@cam/1")
    sampler = _sampler(config, tmp_path, detector, FakeSources({"cam1": FakeSource(error=error)}), lambda: NOW)
    sample = sampler.sample("site1", camera, SLOT)
    assert sample.status is CameraStatus.offline
    assert sample.counts is None and sample.snapshot_path is None
    assert "cannot open stream" in sample.reason
    assert detector.calls == 0


def test_frozen_and_black_pictures_get_their_status(tmp_path: Path) -> None:
    config, camera = _camera()
    source = FakeSource()
    detector = FakeDetector([(60, 40, 70, 80, 0)])
    sampler = _sampler(config, tmp_path, detector, FakeSources({"cam1": source}), lambda: NOW)
    statuses = [sampler.sample("site1", camera, SLOT).status for _ in range(3)]
    assert statuses == [CameraStatus.online, CameraStatus.online, CameraStatus.frozen]
    source.image = np.zeros((100, 100, 3), np.uint8)
    black = sampler.sample("site1", camera, SLOT)
    assert black.status is CameraStatus.black and black.counts is None
    assert detector.calls == 3  # nothing to detect on a blank picture
    assert black.snapshot_path is not None  # the operator can see what the camera shows


def test_a_tiled_camera_is_detected_on_its_tiles_and_the_others_on_the_whole_picture(tmp_path: Path) -> None:
    config, camera = _camera()
    wide = camera.model_copy(update={"id": "wide", "tiling": TilingConfig(columns=2, rows=1)})
    detector = FakeDetector([(60, 40, 70, 80, 0)])
    sources = FakeSources({"cam1": FakeSource(), "wide": FakeSource()})
    sampler = _sampler(config, tmp_path, detector, sources, lambda: NOW)
    grabs = [sampler.grab(CameraKey("site1", c.id), c, SLOT) for c in (camera, wide)]
    plain, tiled = sampler.analyse(grabs)
    assert detector.calls == 1 + 3  # the plain picture, then two tiles and the whole picture
    assert plain.counts == Counts(workers=1, machinery=0, vehicles=0)
    # the fake finds its box at the same place in every input: the left tile's and the whole picture's
    # merge into one, the right tile's lands one tile offset (44 px) to the right
    assert tiled.counts == Counts(workers=2, machinery=0, vehicles=0)


def test_a_knock_is_reported_but_not_after_a_night_without_samples(tmp_path: Path) -> None:
    """Within the sampling rhythm a camera turned to a new view is reported; against a memory from hours
    before (the night, an outage) nothing is compared: no activity, and no knock."""
    config, camera = _camera()
    first = cv2.resize(cv2.VideoCapture(str(SAMPLE_VIDEO)).read()[1], (640, 352))
    source = FakeSource(first)
    at = [SLOT]
    sampler = _sampler(
        config, tmp_path, FakeDetector([(60, 40, 70, 80, 0)]), FakeSources({"cam1": source}), lambda: at[0]
    )

    def turned(degrees: float) -> np.ndarray:
        m = cv2.getRotationMatrix2D((320, 176), degrees, 1.1)
        return np.asarray(cv2.warpAffine(first, m, (640, 352), borderMode=cv2.BORDER_REFLECT101), np.uint8)

    sampler.sample("site1", camera, at[0])
    at[0] = SLOT + dt.timedelta(minutes=1)  # the next sample of a 60 s interval
    source.image = turned(6)
    knocked = sampler.sample("site1", camera, at[0])
    assert knocked.activity is not None and knocked.activity.view_changed
    assert knocked.reason.startswith("camera view changed")
    at[0] = SLOT + dt.timedelta(hours=10)  # next morning
    source.image = turned(-6)
    morning = sampler.sample("site1", camera, at[0])
    assert morning.activity is not None and not morning.activity.view_changed and morning.activity.level == 0
    assert morning.reason == ""
