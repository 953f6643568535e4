"""Migration 0017: a production date recorded before it gets its in-production batch period."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import text

from monitor.store.db import make_engine, migrate


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_a_production_recorded_before_moves_the_batch(db_url: str) -> None:
    engine = make_engine(db_url)
    migrate(engine, "0016")
    with engine.begin() as c:
        for sid, batch in (("a", "started"), ("b", "in_production"), ("c", "started")):
            c.execute(
                text(
                    "INSERT INTO sites (id, name, district, batch, responsible_unit, active, updated_at) "
                    "VALUES (:id, :id, '城东区', :batch, '', true, CURRENT_TIMESTAMP)"
                ),
                {"id": sid, "batch": batch},
            )
            c.execute(
                text(
                    "INSERT INTO site_milestones (site_id, milestone, planned, actual, planned_by) "
                    "VALUES (:id, 'production', NULL, :day, 'config')"
                ),
                {"id": sid, "day": dt.date(2026, 11, 10) if sid != "c" else None},
            )
    migrate(engine)
    with engine.connect() as c:
        rows = c.execute(text("SELECT site_id, batch, since FROM batch_periods")).all()
        assert [(r[0], r[1], str(r[2])) for r in rows] == [("a", "in_production", "2026-11-10")]
        assert c.execute(text("SELECT longitude, latitude FROM sites WHERE id = 'a'")).one() == (None, None)
    engine.dispose()
