"""Migration 0012 on SQLite and PostgreSQL: the rows of both old outboxes land in the one outbox with their
state, attempts and next attempt, the ids go on from there, and a downgrade brings the old tables back."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, select

from monitor.store import make_engine, make_session_factory, migrate, models

T0 = dt.datetime(2026, 11, 27, 13, tzinfo=dt.UTC)
DAY = dt.date(2026, 11, 27)
MIGRATIONS = Path(models.__file__).resolve().parent.parent / "migrations"


def _downgrade(engine: Engine, revision: str) -> None:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        cfg.attributes["connection"] = connection
        command.downgrade(cfg, revision)


def _old_tables() -> tuple[sa.TableClause, sa.TableClause]:
    utc = sa.DateTime(timezone=True)
    deliveries = sa.table(
        "deliveries",
        *(sa.column(c) for c in ("id", "site_id", "revision", "state", "attempts", "last_error")),
        sa.column("day", sa.Date),
        sa.column("payload", sa.JSON),
        sa.column("next_attempt_at", utc),
        sa.column("delivered_at", utc),
    )
    alert_outbox = sa.table(
        "alert_outbox",
        *(sa.column(c) for c in ("id", "key", "alert_id", "state", "attempts", "last_error")),
        sa.column("payload", sa.JSON),
        sa.column("next_attempt_at", utc),
        sa.column("created_at", utc),
        sa.column("delivered_at", utc),
    )
    return deliveries, alert_outbox


def _seed_old(engine: Engine) -> int:
    """At 0010: three records (pending, delivered, a failing one) and two alert events; returns the alert id."""
    # Core inserts of the columns 0010 had: the ORM models describe the newest schema, not this one.
    sites = sa.table(
        "sites",
        *(sa.column(c) for c in ("id", "name", "district", "batch", "responsible_unit", "active")),
        sa.column("updated_at", sa.DateTime(timezone=True)),
    )
    alerts = sa.table(
        "alerts",
        *(sa.column(c) for c in ("site_id", "type", "severity", "state", "message")),
        sa.column("details", sa.JSON),
        sa.column("opened_at", sa.DateTime(timezone=True)),
    )
    with engine.begin() as c:
        c.execute(
            sites.insert().values(active=True, updated_at=T0),
            {"id": "site1", "name": "工地一", "district": "东区", "batch": "started", "responsible_unit": "一单位"},
        )
        c.execute(
            alerts.insert().values(details={}, opened_at=T0),
            {
                "site_id": "site1",
                "type": "camera_offline",
                "severity": "critical",
                "state": "open",
                "message": "offline",
            },
        )
        alert_id = int(c.execute(sa.text("SELECT max(id) FROM alerts")).scalar_one())
    deliveries, alert_outbox = _old_tables()
    later = T0 + dt.timedelta(minutes=8)

    def record(n: int, day: dt.date, **kw: Any) -> dict[str, Any]:
        payload = {"idempotency_key": f"site1:{day}", "score": n}
        row = {"id": n, "site_id": "site1", "day": day, "payload": payload, "revision": 1, "state": "pending"}
        return row | {"attempts": 0, "next_attempt_at": T0, "last_error": "", "delivered_at": None} | kw

    def event(n: int, kind: str, **kw: Any) -> dict[str, Any]:
        row = {"id": n, "key": f"alert-{alert_id}-{kind}", "alert_id": alert_id, "payload": {"event": kind}}
        return row | {"state": "pending", "attempts": 0, "next_attempt_at": T0, "last_error": ""} | kw

    with engine.begin() as c:
        c.execute(
            deliveries.insert(),
            [
                record(1, DAY - dt.timedelta(days=2), state="delivered", attempts=1, delivered_at=T0),
                record(2, DAY - dt.timedelta(days=1), attempts=7, next_attempt_at=later, last_error="HTTP 503 from x"),
                record(3, DAY),
            ],
        )
        c.execute(
            alert_outbox.insert(),
            [
                event(1, "opened", state="failed", attempts=30, last_error="TimeoutError from y", created_at=T0),
                event(2, "acknowledged", attempts=2, next_attempt_at=later, created_at=later),
            ],
        )
    return alert_id


def test_both_old_outboxes_become_one_and_come_back_on_downgrade(db_url: str) -> None:
    engine = make_engine(db_url)
    try:
        migrate(engine, "0010")
        alert_id = _seed_old(engine)
        migrate(engine, "0012")
        sessions = make_session_factory(engine)
        with sessions() as s:
            rows = s.scalars(select(models.OutboxItem).order_by(models.OutboxItem.id)).all()
            got = [(r.id, r.topic, r.key, r.state, r.attempts, r.next_attempt_at, r.last_error) for r in rows]
            assert got == [
                (1, "assessment", f"site1:{DAY - dt.timedelta(days=2)}", "delivered", 1, T0, ""),
                (
                    2,
                    "assessment",
                    f"site1:{DAY - dt.timedelta(days=1)}",
                    "pending",
                    7,
                    T0 + dt.timedelta(minutes=8),
                    "HTTP 503 from x",
                ),
                (3, "assessment", f"site1:{DAY}", "pending", 0, T0, ""),
                (4, "alert", f"alert-{alert_id}-opened", "failed", 30, T0, "TimeoutError from y"),
                (5, "alert", f"alert-{alert_id}-acknowledged", "pending", 2, T0 + dt.timedelta(minutes=8), ""),
            ]
            assert [(r.site_id, r.day, r.alert_id) for r in rows[2:4]] == [
                ("site1", DAY, None),
                ("site1", None, alert_id),
            ]
            assert rows[0].payload == {"idempotency_key": f"site1:{DAY - dt.timedelta(days=2)}", "score": 1}
            assert rows[0].delivered_at == T0 and rows[4].created_at == T0 + dt.timedelta(minutes=8)
            s.add(
                models.OutboxItem(
                    topic="alert", key="new", alert_id=alert_id, payload={}, next_attempt_at=T0, created_at=T0
                )
            )
            s.commit()  # the ids go on after the copied ones (PostgreSQL: the sequence was moved)
            assert s.scalars(select(models.OutboxItem.id).where(models.OutboxItem.key == "new")).one() == 6
        assert not {"deliveries", "alert_outbox"} & set(sa.inspect(engine).get_table_names())

        _downgrade(engine, "0010")
        deliveries, alert_outbox = _old_tables()
        with engine.connect() as c:
            records = c.execute(select(deliveries.c.id, deliveries.c.state, deliveries.c.attempts).order_by("id")).all()
            events = c.execute(select(alert_outbox.c.id, alert_outbox.c.key, alert_outbox.c.state).order_by("id")).all()
        assert [tuple(r) for r in records] == [(1, "delivered", 1), (2, "pending", 7), (3, "pending", 0)]
        assert [tuple(e) for e in events] == [
            (1, f"alert-{alert_id}-opened", "failed"),
            (2, f"alert-{alert_id}-acknowledged", "pending"),
            (3, "new", "pending"),
        ]
        assert "outbox" not in sa.inspect(engine).get_table_names()
        migrate(engine)  # and up again
        with make_session_factory(engine)() as s:
            assert len(s.scalars(select(models.OutboxItem)).all()) == 6
    finally:
        engine.dispose()
