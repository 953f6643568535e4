"""Storage on SQLite and on the local PostgreSQL server."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Engine, inspect, select
from sqlalchemy.orm import Session, sessionmaker

from monitor.config import parse_config
from monitor.core.values import CameraKey, CameraStatus, Cause, Counts, Sample
from monitor.store import models
from monitor.store.repo import camera_pks, record_sample, sample_count, samples_in_slot, sync_config
from tests.fixtures.clock import fixed
from tests.fixtures.servers import SAMPLE_VIDEO
from tests.helpers import config_dict

T0 = dt.datetime(2026, 11, 28, 2, 0, tzinfo=dt.UTC)


def _config(n_sites: int = 2, **kw: object):  # type: ignore[no-untyped-def]
    return parse_config(config_dict([str(SAMPLE_VIDEO)] * n_sites, **kw))


def test_migrations_create_every_table(engine: Engine) -> None:
    tables = set(inspect(engine).get_table_names())
    assert {"sites", "cameras", "samples", "daily_scores", "alerts", "camera_events", "alembic_version"} <= tables


def test_migrations_match_the_models(engine: Engine) -> None:
    """A model change without its migration (a column, an index) shows up here, on both databases."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    with engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), models.Base.metadata)
    assert diff == []


def test_sync_adds_updates_and_deactivates_without_deleting(sessions: sessionmaker[Session]) -> None:
    with sessions() as s:
        assert sync_config(s, _config(3), fixed()).cameras == 3
    two = config_dict([str(SAMPLE_VIDEO)] * 2)
    two["sites"][0]["name"] = "改名后的工地"
    with sessions() as s:
        result = sync_config(s, parse_config(two), fixed())
        assert (result.deactivated_sites, result.deactivated_cameras) == (1, 1)
    with sessions() as s:
        rows = {r.id: r for r in s.scalars(select(models.Site))}
        assert rows["site1"].name == "改名后的工地"
        assert rows["site3"].active is False
        assert len(rows) == 3


def _sample(key: CameraKey, slot: dt.datetime, status: CameraStatus = CameraStatus.online, **kw: object) -> Sample:
    counts = Counts(3, 1, 2) if status is CameraStatus.online else None
    return Sample(key, slot, slot + dt.timedelta(seconds=4), status, counts=counts, **kw)  # type: ignore[arg-type]


def test_a_sample_round_trips_in_utc(sessions: sessionmaker[Session]) -> None:
    key = CameraKey("site1", "cam1")
    with sessions() as s:
        sync_config(s, _config(1), fixed())
        pk = camera_pks(s)[key]
        local = T0.astimezone(dt.timezone(dt.timedelta(hours=8)))
        assert record_sample(s, pk, _sample(key, local, snapshot_path="a/b.jpg", detect_ms=17.5))
    with sessions() as s:
        row = s.scalars(select(models.Sample)).one()
        assert row.slot_at == T0 and row.slot_at.tzinfo is not None
        assert (row.workers, row.machinery, row.vehicles) == (3, 1, 2)
        assert row.snapshot_path == "a/b.jpg" and row.detect_ms == 17.5


def test_a_second_sample_for_the_same_slot_is_not_written(sessions: sessionmaker[Session]) -> None:
    key = CameraKey("site1", "cam1")
    with sessions() as s:
        sync_config(s, _config(1), fixed())
        pk = camera_pks(s)[key]
        assert record_sample(s, pk, _sample(key, T0)) is True
        assert record_sample(s, pk, _sample(key, T0)) is False
        assert record_sample(s, pk, _sample(key, T0 + dt.timedelta(minutes=5))) is True
    with sessions() as s:
        assert len(s.scalars(select(models.Sample)).all()) == 2 == sample_count(s)


def test_status_changes_become_camera_events(sessions: sessionmaker[Session]) -> None:
    key = CameraKey("site1", "cam1")
    statuses = [CameraStatus.online, CameraStatus.online, CameraStatus.offline, CameraStatus.online]
    with sessions() as s:
        sync_config(s, _config(1), fixed())
        pk = camera_pks(s)[key]
        for i, status in enumerate(statuses):
            reason = "cannot open stream" if status is CameraStatus.offline else ""
            record_sample(s, pk, _sample(key, T0 + dt.timedelta(minutes=5 * i), status, reason=reason))
    with sessions() as s:
        events = s.scalars(select(models.CameraEvent).order_by(models.CameraEvent.at)).all()
        assert [(e.previous_status, e.status) for e in events] == [
            ("unknown", "online"),
            ("online", "offline"),
            ("offline", "online"),
        ]
        assert events[1].reason == "cannot open stream"
        camera = s.get(models.Camera, pk)
        assert camera is not None and camera.status == "online"
        assert camera.last_online_at == T0 + dt.timedelta(minutes=15, seconds=4)


def test_the_cause_is_kept_beside_the_reason_and_cleared_when_the_camera_is_back(
    sessions: sessionmaker[Session],
) -> None:
    key = CameraKey("site1", "cam1")
    with sessions() as s:
        sync_config(s, _config(1), fixed())
        pk = camera_pks(s)[key]
        record_sample(
            s, pk, _sample(key, T0, CameraStatus.offline, reason="connection refused by x", cause=Cause.refused)
        )
        camera = s.get(models.Camera, pk)
        assert camera is not None and (camera.status, camera.status_cause) == ("offline", "refused")
        assert [e.cause for e in s.scalars(select(models.CameraEvent))] == ["refused"]
        assert [x.cause for x in samples_in_slot(s, T0)] == [Cause.refused]
        record_sample(s, pk, _sample(key, T0 + dt.timedelta(minutes=5)))
        assert (camera.status, camera.status_cause) == ("online", None)


def test_a_naive_datetime_is_refused(sessions: sessionmaker[Session]) -> None:
    key = CameraKey("site1", "cam1")
    with sessions() as s:
        sync_config(s, _config(1), fixed())
        with pytest.raises(Exception, match="naive datetime"):
            record_sample(s, camera_pks(s)[key], _sample(key, T0.replace(tzinfo=None)))
