"""Daily scoring from the database: structure references across days, days with no work expected."""

from __future__ import annotations

import datetime as dt

import cv2
import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from monitor.config import parse_config
from monitor.core.values import CameraKey, CameraStatus, Counts, Sample, StructureCandidate
from monitor.sampling.structure import zone_crop
from monitor.scoring.daily import score_days, work_expected
from monitor.store import models
from monitor.store.repo import camera_pks, record_sample, sync_config
from tests.fixtures.clock import fixed
from tests.fixtures.servers import SAMPLE_VIDEO, SYNTHETIC_VIDEO
from tests.helpers import config_dict

ZONE = [[0.1, 0.2], [0.9, 0.2], [0.9, 0.85], [0.1, 0.85]]


def _frame(path: str) -> np.ndarray:
    cap = cv2.VideoCapture(path)
    ok, frame = cap.read()
    cap.release()
    assert ok
    return frame


def test_structure_change_between_reference_days_and_the_growth_curve(sessions: sessionmaker[Session]) -> None:
    data = config_dict()
    data["sites"][0]["cameras"][0]["zones"] = {"structure": ZONE}
    config = parse_config(data)
    key = CameraKey("site1", "cam1")
    scene = _frame(str(SAMPLE_VIDEO))
    built = scene.copy()
    built[120:250, 250:450] = cv2.resize(_frame(str(SYNTHETIC_VIDEO)), (640, 352))[120:250, 250:450]
    zone = [tuple(p) for p in ZONE]
    days = [dt.date(2026, 11, 25), dt.date(2026, 11, 26), dt.date(2026, 11, 27)]
    pictures = [scene, built, built]  # something was built on the 26th, nothing on the 27th
    with sessions() as s:
        sync_config(s, config, fixed())
        pk = camera_pks(s)[key]
        for day, picture in zip(days, pictures, strict=True):
            slot = dt.datetime.combine(day, dt.time(2, 0), dt.UTC)  # 10:00 in Shanghai
            candidate = StructureCandidate(zone_crop(picture, zone), 0.9)
            sample = Sample(key, slot, slot, CameraStatus.online, counts=Counts(), structure=(day, candidate))
            record_sample(s, pk, sample)
            # A worse candidate later that day does not replace the reference.
            later = slot + dt.timedelta(hours=1)
            worse = StructureCandidate(zone_crop(scene, zone), 0.2)
            record_sample(
                s, pk, Sample(key, later, later, CameraStatus.online, counts=Counts(), structure=(day, worse))
            )
        assert len(s.scalars(select(models.StructureRef)).all()) == 3
        results = {r.day: r for r in score_days(s, config, days, now=dt.datetime(2026, 11, 28, 12, tzinfo=dt.UTC))}
        stored = {r.day: r for r in s.scalars(select(models.DailyScore))}
    assert results[days[0]].components["structure_change"] is None  # nothing earlier to compare with
    assert results[days[1]].components["structure_change"] > 0.04
    assert results[days[2]].components["structure_change"] < 0.005
    growth = [stored[d].components["structure_cumulative"] for d in days]
    assert (
        growth[0] == 0.0
        and growth[1] > 0.04
        and growth[2] == growth[1] + results[days[2]].components["structure_change"]
    )


def test_work_is_expected_on_working_days_of_started_sites_only() -> None:
    data = config_dict([str(SAMPLE_VIDEO)] * 2)
    data["sites"][1]["batch"] = "signed"
    data["holidays"] = ["2026-10-01"]
    data["working_hours"] = {"start": "07:00", "end": "19:00", "weekdays": [1, 2, 3, 4, 5, 6]}
    config = parse_config(data)
    started, signed = config.sites
    assert work_expected(config, started, dt.date(2026, 11, 27))  # a Friday
    assert not work_expected(config, started, dt.date(2026, 11, 29))  # Sunday: not a working day here
    assert not work_expected(config, started, dt.date(2026, 10, 1))  # National Day
    assert not work_expected(config, signed, dt.date(2026, 11, 27))  # signed, not started


def test_the_running_status_before_the_working_day_is_not_started_never_an_outage(
    sessions: sessionmaker[Session],
) -> None:
    """At 06:58 every camera is online but no working slot has passed: 未到施工时段, not 视频中断."""
    config = parse_config(config_dict())  # working hours 07:00-19:00 Asia/Shanghai, a sample every 60 s
    day = dt.date(2026, 11, 27)
    key = CameraKey("site1", "cam1")
    with sessions() as s:
        sync_config(s, config, fixed())
        pk = camera_pks(s)[key]
        at = dt.datetime(2026, 11, 26, 22, 58, tzinfo=dt.UTC)  # 06:58 local: sampled, outside working hours
        record_sample(s, pk, Sample(key, at, at, CameraStatus.online, counts=Counts()))

        def status(local: dt.time) -> str:
            now = dt.datetime.combine(day, local, config.tz)
            return score_days(s, config, [day], now=now)[0].status.value

        assert status(dt.time(6, 58)) == "not_started"
        assert status(dt.time(7, 0, 30)) == "not_started"  # inside the first slot: nothing expected yet
        assert status(dt.time(7, 5)) == "camera_outage"  # five slots gone by and not one sample
        assert status(dt.time(21, 0)) == "camera_outage"
