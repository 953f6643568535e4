"""A database outage holds samples; they are all written when it returns."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from sqlalchemy import func, select

from monitor.config import parse_config
from monitor.core.values import CameraKey, CameraStatus, Counts, Sample
from monitor.store import make_engine, make_session_factory, migrate, models
from monitor.store.faults import StorageHealth
from monitor.store.repo import sync_config
from monitor.store.writer import SampleWriter
from tests.fixtures.clock import fixed
from tests.fixtures.servers import SAMPLE_VIDEO, block_database, postgres_database
from tests.helpers import config_dict

pytestmark = pytest.mark.postgres
T0 = dt.datetime(2026, 11, 28, 2, 0, tzinfo=dt.UTC)


@pytest.fixture
def pg() -> Iterator[str]:
    with postgres_database() as url:
        yield url


def test_samples_taken_while_the_database_is_down_are_written_when_it_returns(pg: str) -> None:
    engine = make_engine(pg)
    migrate(engine)
    sessions = make_session_factory(engine)
    with sessions() as s:
        sync_config(s, parse_config(config_dict([str(SAMPLE_VIDEO)])), fixed())
    writer = SampleWriter(sessions, StorageHealth(fixed()))
    key = CameraKey("site1", "cam1")

    def sample(i: int) -> Sample:
        slot = T0 + dt.timedelta(minutes=5 * i)
        return Sample(key, slot, slot, CameraStatus.online, counts=Counts(i, 0, 0))

    writer.write(sample(0))
    block_database(pg, allow=False)
    try:
        writer.write(sample(1))
        writer.write(sample(2))
        assert writer.pending == 2
    finally:
        block_database(pg, allow=True)
    writer.write(sample(3))
    assert writer.pending == 0
    with sessions() as s:
        workers = s.scalars(select(models.Sample.workers).order_by(models.Sample.slot_at)).all()
        assert workers == [0, 1, 2, 3]
        assert s.scalar(select(func.count()).select_from(models.CameraEvent)) == 1
    engine.dispose()


def test_a_sweep_that_starts_while_the_database_is_down_samples_and_stores_later(pg: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from detectors import CategoryMap
    from monitor.config import Category
    from monitor.execution.local import LocalSweeper
    from monitor.service.runtime import build_runtime
    from tests.monitor.fakes import NAMES, FakeDetector

    data = config_dict([str(SAMPLE_VIDEO)] * 2)
    data["sampling"]["snapshot_dir"] = str(tmp_path / "snaps")
    clock = [T0]
    detector = (FakeDetector([(300, 150, 340, 300, 0)]), CategoryMap.build({"person": Category.worker}, NAMES))
    runtime = build_runtime(parse_config(data), pg, clock=lambda: clock[0], detector=detector, sinks=[])
    assert isinstance(runtime.sweeper, LocalSweeper)
    block_database(pg, allow=False)
    try:
        held = runtime.sweep()  # no exception: every camera sampled, the samples held
        assert [s.status for s in held.samples] == [CameraStatus.online] * 2
        assert runtime.sweeper.writer.pending == 2
    finally:
        block_database(pg, allow=True)
    clock[0] = T0 + dt.timedelta(minutes=1)
    runtime.sweep()
    with runtime.sessions() as s:
        slots = s.execute(select(models.Sample.slot_at, func.count()).group_by(models.Sample.slot_at)).all()
    runtime.close()
    assert sorted((slot, n) for slot, n in slots) == [(T0, 2), (T0 + dt.timedelta(minutes=1), 2)]


def test_held_samples_keep_only_what_the_database_would_keep_and_the_newest_memory_wins(pg: str) -> None:
    """Held: a camera's memory (two pictures) on its newest sample only, the day's best structure picture
    only; written: the stored memory is the newest sample's, whatever the order of writing."""
    import numpy as np

    from monitor.core.values import CameraState, StructureCandidate
    from monitor.store.repo import load_states

    engine = make_engine(pg)
    migrate(engine)
    sessions = make_session_factory(engine)
    with sessions() as s:
        sync_config(s, parse_config(config_dict([str(SAMPLE_VIDEO)])), fixed())
    writer = SampleWriter(sessions, StorageHealth(fixed()))
    key = CameraKey("site1", "cam1")

    def sample(i: int, quality: float) -> Sample:
        slot = T0 + dt.timedelta(minutes=5 * i)
        grey = np.full((180, 320), i % 256, np.uint8)
        state = CameraState(grey, 0, (), np.full((90, 160), i % 256, np.uint8))
        structure = (slot.date(), StructureCandidate(np.full((40, 320), i % 256, np.uint8), quality))
        return Sample(key, slot, slot, CameraStatus.online, counts=Counts(), state=state, structure=structure)

    block_database(pg, allow=False)
    try:
        for i, quality in enumerate([0.2, 0.9, 0.5]):
            writer.write(sample(i, quality))
        held = [writer._pending[i] for i in range(writer.pending)]
    finally:
        block_database(pg, allow=True)
    assert [s.state is not None for s in held] == [False, False, True]
    assert [s.structure is not None for s in held] == [False, True, False]
    writer.flush()
    with sessions() as s:
        state = load_states(s)[key]
        assert int(state.grey[0, 0]) == 2  # the newest sample's memory
        # A late sample (say from a worker that retried) does not replace the newer memory.
        from monitor.store.repo import camera_pks, record_samples

        record_samples(s, [(camera_pks(s)[key], sample(-1, 0.1))])
        assert int(load_states(s)[key].grey[0, 0]) == 2
    engine.dispose()
