"""Production (投产) recorded: the site moves to the in-production batch from that day with its history kept,
未按期投产 warns and clears, and the in-production rate matches the hand-computed case of docs/milestones.md
(SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from monitor.alerts.engine import evaluate
from monitor.config import AppConfig, Batch, Milestone, parse_config
from monitor.milestones.figures import milestone_figures
from monitor.store import models
from monitor.store.milestones import set_date, sync_milestones
from monitor.store.periods import batch_on, periods_of
from monitor.store.repo import sync_config
from tests.helpers import config_dict

NOW = dt.datetime(2026, 11, 27, 4, 0, tzinfo=dt.UTC)  # Friday 27 November 2026, 12:00 in Shanghai
D = dt.date.fromisoformat
# id, county, configured batch, planned start, planned production, actual production (None: not reached)
CASE: list[tuple[str, str, str, str, str | None, str | None]] = [
    ("p1", "城东区", "started", "2025-03-01", "2026-10-31", "2026-10-20"),  # in the file: before sitemon watched
    ("p2", "城东区", "started", "2025-05-01", "2026-11-10", "2026-11-10"),
    ("p3", "城东区", "started", "2025-06-01", "2026-11-15", "2026-11-22"),
    ("p4", "城东区", "started", "2025-07-01", "2026-11-25", None),
    ("p5", "城东区", "started", "2025-08-01", "2027-03-01", "2026-11-26"),
    ("q1", "高新区", "signed", "2026-11-01", "2026-11-20", "2026-11-18"),  # its start confirmed on 11-02
    ("q2", "高新区", "signed", "2026-10-01", "2026-11-05", None),  # never started: outside the programme
    ("q3", "高新区", "started", "2025-09-01", "2026-11-30", "2026-11-29"),
    ("q4", "高新区", "started", "2025-10-01", None, None),
    ("q5", "高新区", "started", "2025-09-01", "2026-11-28", "2026-12-03"),
]


def _config() -> AppConfig:
    data = config_dict([f"rtsp://127.0.0.1:8554/{row[0]}" for row in CASE])
    for site, (sid, county, batch, start, planned, actual) in zip(data["sites"], CASE, strict=True):
        site.update(id=sid, district=county, batch=batch)
        milestones: dict[str, Any] = {"start": {"planned": start}}
        if batch == "started":
            milestones["start"]["actual"] = start
        if planned:
            milestones["production"] = {"planned": planned}
        if sid == "p1":
            milestones["production"]["actual"] = actual
        site["milestones"] = milestones
    return parse_config(data)


def _open(s: Session) -> set[str]:
    return set(
        s.scalars(
            select(models.Alert.site_id).where(
                models.Alert.type == "production_overdue", models.Alert.state.in_(("open", "acknowledged"))
            )
        )
    )


def test_production_moves_the_batch_warns_and_counts(sessions: sessionmaker[Session]) -> None:
    config = _config()
    site = {s.id: s for s in config.sites}
    with sessions() as s:
        sync_config(s, config, lambda: NOW)
        sync_milestones(s, config, NOW)
        # q1's start seen on camera and confirmed on 11-02 (as confirm_start records it)
        set_date(s, "q1", Milestone.start, "actual", D("2026-11-02"), "operator", NOW)
        s.add(models.BatchPeriod(site_id="q1", batch=Batch.started.value, since=D("2026-11-02"), by="op", at=NOW))
        s.commit()
        # p1's production in the file moved it at start-up
        assert batch_on(s, site["p1"], D("2026-10-20")) is Batch.in_production
        assert batch_on(s, site["p1"], D("2026-10-19")) is Batch.started

        # given the sites past their planned production on 27 November: only p4 has not reached it, but p2,
        # p3 and q1 reach it only now (an admin records the dates after the alert rules ran)
        evaluate(s, config, NOW)
        assert _open(s) == {"p2", "p3", "p4", "q1"}

        # when an admin records the production dates
        for sid, *_, actual in CASE:
            if actual and sid != "p1":
                set_date(s, sid, Milestone.production, "actual", D(actual), "admin", NOW)
        s.commit()
        evaluate(s, config, NOW + dt.timedelta(minutes=5))

        # then p4 alone warns, each site is in production from its day, its batch history kept
        assert _open(s) == {"p4"}
        spans = [(p.batch, p.since, p.until) for p in periods_of(s, "q1", "signed")]
        assert spans == [
            ("signed", None, D("2026-11-01")),
            ("started", D("2026-11-02"), D("2026-11-17")),
            ("in_production", D("2026-11-18"), None),
        ]
        assert batch_on(s, site["p3"], D("2026-11-21")) is Batch.started
        assert batch_on(s, site["p3"], D("2026-11-22")) is Batch.in_production

        # and the in-production rate of November as of the 30th is the hand-computed one
        figures = milestone_figures(s, config, D("2026-11-01"), D("2026-11-30"))
        rows = {
            r["district"]: (r["started"], r["due"], r["on_time"], r["in_production"], r["in_production_in_period"])
            for r in figures.production_rates
        }
        rates = {r["district"]: r["rate"] for r in figures.production_rates}
        assert rows == {"城东区": (5, 4, 2, 3, 3), "高新区": (4, 3, 2, 2, 2), "全部": (9, 7, 4, 5, 5)}
        assert rates == {"城东区": 0.5, "高新区": 0.6667, "全部": 0.5714}
        assert {r["batch"] for r in figures.sites if r["site_id"] in {"p2", "p3", "q1", "q3"}} == {"in_production"}

        # a production date corrected moves the period; cleared, it removes it
        set_date(s, "p3", Milestone.production, "actual", D("2026-11-24"), "admin", NOW)
        s.commit()
        assert batch_on(s, site["p3"], D("2026-11-23")) is Batch.started
        set_date(s, "p3", Milestone.production, "actual", None, "admin", NOW)
        s.commit()
        assert [p.batch for p in periods_of(s, "p3", "started")] == ["started"]
