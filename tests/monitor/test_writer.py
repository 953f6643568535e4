"""A database outage holds samples; they are all written when it returns."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import psycopg
import pytest
from sqlalchemy import func, select

from monitor.config import parse_config
from monitor.store import make_engine, make_session_factory, migrate, models
from monitor.store.repo import sync_config
from monitor.types import CameraKey, CameraStatus, Counts, Sample
from monitor.writer import SampleWriter
from tests.fixtures.servers import PG_ADMIN_URL, SAMPLE_VIDEO, postgres_database
from tests.helpers import config_dict

pytestmark = pytest.mark.postgres
T0 = dt.datetime(2026, 11, 28, 2, 0, tzinfo=dt.UTC)


@pytest.fixture
def pg() -> Iterator[str]:
    with postgres_database() as url:
        yield url


def _block(url: str, allow: bool) -> None:
    name = url.rsplit("/", 1)[1]
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS {str(allow).lower()}')
        if not allow:
            conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (name,))


def test_samples_taken_while_the_database_is_down_are_written_when_it_returns(pg: str) -> None:
    engine = make_engine(pg)
    migrate(engine)
    sessions = make_session_factory(engine)
    with sessions() as s:
        sync_config(s, parse_config(config_dict([str(SAMPLE_VIDEO)])))
    writer = SampleWriter(sessions)
    key = CameraKey("site1", "cam1")

    def sample(i: int) -> Sample:
        slot = T0 + dt.timedelta(minutes=5 * i)
        return Sample(key, slot, slot, CameraStatus.online, counts=Counts(i, 0, 0))

    writer.write(sample(0))
    _block(pg, allow=False)
    try:
        writer.write(sample(1))
        writer.write(sample(2))
        assert writer.pending == 2
    finally:
        _block(pg, allow=True)
    writer.write(sample(3))
    assert writer.pending == 0
    with sessions() as s:
        workers = s.scalars(select(models.Sample.workers).order_by(models.Sample.slot_at)).all()
        assert workers == [0, 1, 2, 3]
        assert s.scalar(select(func.count()).select_from(models.CameraEvent)) == 1
    engine.dispose()
