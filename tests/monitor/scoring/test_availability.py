from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session, sessionmaker

from monitor.config import parse_config
from monitor.core.calendar import Calendar, expected_samples, local_window
from monitor.core.values import CameraKey, CameraStatus, Counts, Sample
from monitor.scoring.availability import camera_availability
from monitor.store.repo import camera_pks, record_sample, sync_config
from tests.fixtures.clock import fixed
from tests.fixtures.servers import SAMPLE_VIDEO
from tests.helpers import config_dict

SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_the_local_day_is_cut_in_the_configured_zone() -> None:
    a, b = local_window(dt.date(2026, 11, 28), SHANGHAI, dt.time(7), dt.time(19))
    assert (a, b) == (dt.datetime(2026, 11, 27, 23, tzinfo=dt.UTC), dt.datetime(2026, 11, 28, 11, tzinfo=dt.UTC))
    assert expected_samples((a, b), 300) == 144


def test_uptime_and_coverage_from_samples(sessions: sessionmaker[Session]) -> None:
    key = CameraKey("site1", "cam1")
    start = dt.datetime(2026, 11, 27, 23, tzinfo=dt.UTC)  # 07:00 in Shanghai
    with sessions() as s:
        sync_config(s, parse_config(config_dict([str(SAMPLE_VIDEO)] * 2)), fixed())
        pk = camera_pks(s)[key]
        # 12 hours at 5 minutes = 144 expected; 100 taken, 75 of them online.
        for i in range(100):
            slot = start + dt.timedelta(minutes=5 * i)
            status = CameraStatus.online if i < 75 else CameraStatus.offline
            record_sample(s, pk, Sample(key, slot, slot, status, counts=Counts() if i < 75 else None))
        # A sample of the previous local day does not count.
        before = start - dt.timedelta(minutes=5)
        record_sample(s, pk, Sample(key, before, before, CameraStatus.online, counts=Counts()))
    with sessions() as s:
        rows = camera_availability(
            s, dt.date(2026, 11, 28), Calendar(SHANGHAI, interval_seconds=300), dt.time(7), dt.time(19)
        )
    by_site = {r.site_id: r for r in rows}
    assert (by_site["site1"].expected, by_site["site1"].taken, by_site["site1"].online) == (144, 100, 75)
    assert round(by_site["site1"].coverage, 3) == round(100 / 144, 3)
    assert round(by_site["site1"].uptime, 3) == round(75 / 144, 3)
    assert (by_site["site2"].taken, by_site["site2"].uptime) == (0, 0.0)
