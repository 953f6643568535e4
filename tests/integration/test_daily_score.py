"""Daily scores from real footage through the whole pipeline, and a restart in the middle of the day."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import yaml

from detectors import CategoryMap, Detector
from monitor.config import AppConfig, parse_config
from monitor.demo.config import SAMPLE_CCTV_SECONDS
from monitor.execution.local import LocalSweeper, load_detector
from monitor.scoring.daily import score_days
from monitor.scoring.score import DayScore, DayStatus
from monitor.service.runtime import Runtime, build_runtime
from tests.fixtures import videos
from tests.fixtures.servers import ROOT, SAMPLE_VIDEO
from tests.helpers import config_dict

pytestmark = pytest.mark.slow
DAY = dt.date(2026, 11, 27)
START = dt.datetime(2026, 11, 27, 0, 0, tzinfo=dt.UTC)  # 08:00 in Shanghai
SLOTS = 24  # 08:00-10:00 every 5 minutes
LOOP = SAMPLE_CCTV_SECONDS  # the sample footage ends with a fade to black and a video end card
MASKS = [
    {"name": "clock", "polygon": videos.CLOCK_MASK},
    {"name": "watermark", "polygon": [[0.7, 0.9], [1, 0.9], [1, 1], [0.7, 1]]},
]


def _shipped_detector() -> dict[str, Any]:
    """The detector settings camera_config.yaml ships (the project's model, its threshold, its classes)."""
    detector: dict[str, Any] = yaml.safe_load((ROOT / "camera_config.yaml").read_text(encoding="utf-8"))["detector"]
    return {**detector, "model": str(ROOT / detector["model"])}


@pytest.fixture(scope="module")
def detector() -> tuple[Detector, CategoryMap]:
    return load_detector(parse_config(config_dict(detector=_shipped_detector())))


@pytest.fixture(scope="module")
def idle_clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A still frame of the same camera, its clock ticking, the light drifting: an idle site, live camera."""
    return videos.still(tmp_path_factory.mktemp("idle") / "idle.mp4", ticking_clock=True, light_drift=True)


def _config(tmp_path: Path, sites: dict[str, Path]) -> AppConfig:
    data: dict[str, Any] = config_dict(detector=_shipped_detector())
    data["working_hours"] = {"start": "08:00", "end": "10:00"}
    data["sampling"].update({"interval_seconds": 300, "snapshot_dir": str(tmp_path / "snaps")})
    data["sites"] = [
        {
            "id": sid,
            "name": sid,
            "district": "城东区",
            "batch": "started",
            "cameras": [{"id": "cam1", "url": str(video), "masks": MASKS, "file_loop_seconds": LOOP}],
        }
        for sid, video in sites.items()
    ]
    return parse_config(data)


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> dt.datetime:
        return self.now


def _run(runtime: Runtime, clock: Clock, slots: range) -> None:
    for i in slots:
        clock.now = START + dt.timedelta(minutes=5 * i, seconds=7)
        runtime.sweep()


def _scores(runtime: Runtime) -> dict[str, DayScore]:
    with runtime.sessions() as session:
        return {s.site_id: s for s in score_days(session, runtime.config, [DAY], now=START + dt.timedelta(hours=12))}


def test_real_construction_footage_scores_clearly_above_an_idle_clip(
    tmp_path: Path, detector: tuple[Detector, CategoryMap], idle_clip: Path
) -> None:
    clock = Clock()
    config = _config(tmp_path, {"busy": SAMPLE_VIDEO, "idle": idle_clip})
    runtime = build_runtime(config, f"sqlite:///{tmp_path / 'db.sqlite'}", clock=clock, detector=detector)
    try:
        _run(runtime, clock, range(SLOTS))
        scores = _scores(runtime)
    finally:
        runtime.close()
    busy, idle = scores["busy"], scores["idle"]
    assert busy.components["coverage"] == 1.0 and idle.components["coverage"] == 1.0  # the idle camera is alive
    assert idle.status is DayStatus.idle, idle
    assert busy.score is not None and idle.score is not None
    assert busy.score >= idle.score + 15, (busy, idle)
    assert busy.status is not DayStatus.idle
    assert busy.components["active_share"] > 0.3
    assert idle.components["active_share"] == 0.0


def test_a_restart_in_the_middle_of_the_day_gives_the_same_score(
    tmp_path: Path, detector: tuple[Detector, CategoryMap]
) -> None:
    sites = {"busy": SAMPLE_VIDEO}
    clock = Clock()
    straight = build_runtime(
        _config(tmp_path / "a", sites), f"sqlite:///{tmp_path / 'a.sqlite'}", clock=clock, detector=detector
    )
    _run(straight, clock, range(SLOTS))
    uninterrupted = _scores(straight)["busy"]
    straight.close()

    clock = Clock()
    url = f"sqlite:///{tmp_path / 'b.sqlite'}"
    first = build_runtime(_config(tmp_path / "b", sites), url, clock=clock, detector=detector)
    _run(first, clock, range(13))
    assert isinstance(first.sweeper, LocalSweeper)
    first.sweeper.writer.flush()
    del first  # killed: no orderly close, the camera memory exists only in the database now
    second = build_runtime(_config(tmp_path / "b", sites), url, clock=clock, detector=detector)
    _run(second, clock, range(12, SLOTS))  # the slot of the crash comes round again
    restarted = _scores(second)["busy"]
    second.close()

    assert restarted.components["samples_seen"] == SLOTS  # nothing lost, nothing counted twice
    assert restarted == uninterrupted
