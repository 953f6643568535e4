"""A signed site whose samples turn active: proposed as started on the right day, the overdue warning, the
confirmation, the start rate (SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from monitor.alerts.engine import evaluate
from monitor.config import AppConfig, Batch, Milestone, parse_config
from monitor.core.values import Activity, CameraKey, CameraStatus, Counts, Sample
from monitor.milestones.rates import ALL, start_rates
from monitor.milestones.starts import ProposalError, confirm_start, propose_starts, reject_start
from monitor.scoring.daily import score_days
from monitor.store import models
from monitor.store.milestones import changes_of, set_date, site_dates, sync_milestones
from monitor.store.periods import batch_on, periods_of
from monitor.store.repo import camera_pks, record_samples, sync_config
from tests.fixtures.clock import fixed
from tests.helpers import config_dict

TZ_OFFSET = dt.timedelta(hours=8)  # Asia/Shanghai
# Working days Mon-Fri; the 14th and 15th are a weekend. 'A' active, 'i' idle.
DAYS = {
    dt.date(2026, 11, 9): "A",  # an isolated active day: not a start
    dt.date(2026, 11, 10): "i",
    dt.date(2026, 11, 11): "i",
    dt.date(2026, 11, 12): "i",
    dt.date(2026, 11, 13): "i",
    dt.date(2026, 11, 16): "i",
    dt.date(2026, 11, 17): "A",  # the start: the first active day of 3 in 5 working days
    dt.date(2026, 11, 18): "i",
    dt.date(2026, 11, 19): "A",
    dt.date(2026, 11, 20): "A",
}


def _config(**east_milestones: Any) -> AppConfig:
    data = config_dict(
        ["rtsp://127.0.0.1:8554/a", "rtsp://127.0.0.1:8554/b"],
        working_hours={"start": "08:00", "end": "10:00", "weekdays": [1, 2, 3, 4, 5]},
        sampling={"interval_seconds": 600},
    )
    for site in data["sites"]:
        site["batch"] = "signed"
    data["sites"][0]["milestones"] = {"start": {"planned": "2026-11-16"}, **east_milestones}
    data["sites"][1]["milestones"] = {"start": {"planned": "2026-12-31"}}
    return parse_config(data)


def _record(session: Session, config: AppConfig) -> None:
    pk = camera_pks(session)[CameraKey("site1", "cam1")]
    items = []
    for day, kind in DAYS.items():
        first = dt.datetime.combine(day, dt.time(8, 0), dt.UTC) - TZ_OFFSET
        for n in range(12):
            slot = first + dt.timedelta(minutes=10 * n)
            act = Activity(moving_workers=4, working_machines=1, level=1.0) if kind == "A" else Activity()
            items.append(
                (
                    pk,
                    Sample(
                        CameraKey("site1", "cam1"),
                        slot,
                        slot,
                        CameraStatus.online,
                        counts=Counts(workers=4, machinery=1) if kind == "A" else Counts(),
                        snapshot_path=f"site1/{day}/{n}.jpg",
                        activity=act,
                    ),
                )
            )
    record_samples(session, items)


def _noon(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(12, 0), dt.UTC) - TZ_OFFSET


def _open(session: Session, kind: str) -> list[models.Alert]:
    return list(
        session.scalars(
            select(models.Alert).where(models.Alert.type == kind, models.Alert.state.in_(("open", "acknowledged")))
        )
    )


def test_a_signed_site_turning_active_is_proposed_confirmed_and_counted(sessions: sessionmaker[Session]) -> None:
    config = _config()
    friday = dt.date(2026, 11, 20)
    with sessions() as s:
        # given a signed site planned to start on Monday the 16th, whose camera shows work from the 17th
        sync_config(s, config, fixed())
        _record(s, config)
        score_days(s, config, list(DAYS), now=_noon(friday))
        scores = {r.day: r for r in s.scalars(select(models.DailyScore).where(models.DailyScore.site_id == "site1"))}
        # then before its start it is still "not expected", but the day was judged
        assert {r.status for r in scores.values()} == {"not_expected"}
        assert scores[dt.date(2026, 11, 17)].score is None
        assert scores[dt.date(2026, 11, 17)].components["observed_status"] == "active"
        assert scores[dt.date(2026, 11, 16)].components["observed_status"] == "idle"

        # and the overdue start raises exactly one open warning, however often the rules run
        for minutes in (0, 5, 10):
            evaluate(s, config, _noon(friday) + dt.timedelta(minutes=minutes))
        (overdue,) = _open(s, "start_overdue")
        assert overdue.site_id == "site1" and "未按期开工" in overdue.message

        # when the finished days are looked at through Thursday, no start yet (2 active of 5)
        assert propose_starts(s, config, dt.date(2026, 11, 19), _noon(friday)) == []
        # through Friday: the start is proposed on Tuesday the 17th, with the days' scores and snapshots
        (proposal,) = propose_starts(s, config, friday, _noon(friday))
        assert proposal.day == dt.date(2026, 11, 17) and proposal.state == "pending"
        assert [e["day"] for e in proposal.evidence] == ["2026-11-17", "2026-11-18", "2026-11-19", "2026-11-20"]
        assert [e["status"] for e in proposal.evidence] == ["active", "idle", "active", "active"]
        assert proposal.evidence[0]["score"] == 90.0 and proposal.evidence[0]["snapshot_url"].startswith(
            "/api/samples/"
        )
        assert propose_starts(s, config, friday, _noon(friday)) == []  # one pending proposal at a time

        rates = {r.group: r for r in start_rates(site_dates(s), dt.date(2026, 11, 1), friday)}
        assert (rates["城东区"].due, rates["城东区"].started, rates["城东区"].rate) == (1, 0, 0.0)

        # when the operator confirms it
        confirm_start(s, "site1", proposal.id, "值班员", _noon(friday))
        with pytest.raises(ProposalError, match="confirmed"):
            confirm_start(s, "site1", proposal.id, "值班员", _noon(friday))
        score_days(s, config, [d for d in DAYS if d >= proposal.day], now=_noon(friday))

        # then the site is started from the 17th, signed before, and both periods are kept
        site = config.sites[0]
        assert batch_on(s, site, dt.date(2026, 11, 16)) is Batch.signed
        assert batch_on(s, site, dt.date(2026, 11, 17)) is Batch.started
        assert [(p.batch, p.since, p.until) for p in periods_of(s, "site1", "signed")] == [
            ("signed", None, dt.date(2026, 11, 16)),
            ("started", dt.date(2026, 11, 17), None),
        ]
        statuses = {
            r.day: r.status for r in s.scalars(select(models.DailyScore).where(models.DailyScore.site_id == "site1"))
        }
        assert statuses[dt.date(2026, 11, 16)] == "not_expected"
        assert [statuses[d] for d in sorted(d for d in DAYS if d >= proposal.day)] == [
            "active",
            "idle",
            "active",
            "active",
        ]
        # it counts in the start rate; the change is recorded
        rates = {r.group: r for r in start_rates(site_dates(s), dt.date(2026, 11, 1), friday)}
        assert (rates["城东区"].due, rates["城东区"].started, rates["城东区"].rate) == (1, 1, 1.0)
        assert (rates[ALL].signed, rates[ALL].due, rates[ALL].started) == (2, 1, 1)
        (change,) = [c for c in changes_of(s, "site1") if c.field == "actual"]
        assert (change.milestone, change.old, change.new, change.by) == ("start", None, dt.date(2026, 11, 17), "值班员")

        # and the overdue warning resolves, the site now being started
        evaluate(s, config, _noon(friday) + dt.timedelta(minutes=15))
        assert _open(s, "start_overdue") == []
        (resolved,) = s.scalars(select(models.Alert).where(models.Alert.type == "start_overdue")).all()
        assert resolved.state == "resolved"


def test_a_rejected_start_is_not_proposed_again_from_the_same_days(sessions: sessionmaker[Session]) -> None:
    config = _config()
    friday = dt.date(2026, 11, 20)
    with sessions() as s:
        sync_config(s, config, fixed())
        _record(s, config)
        score_days(s, config, list(DAYS), now=_noon(friday))
        (proposal,) = propose_starts(s, config, friday, _noon(friday))
        reject_start(s, "site1", proposal.id, "值班员", _noon(friday), "围挡施工，不算开工")
        assert propose_starts(s, config, friday, _noon(friday)) == []
        assert batch_on(s, config.sites[0], friday) is Batch.signed


def test_planned_dates_from_the_config_an_admin_change_is_kept_and_recorded(sessions: sessionmaker[Session]) -> None:
    config = _config(completion={"planned": "2027-06-30"})
    now = _noon(dt.date(2026, 11, 20))
    with sessions() as s:
        sync_config(s, config, fixed())
        assert set_date(s, "site1", Milestone.completion, "planned", dt.date(2027, 9, 30), "管理员", now)
        s.commit()
        # the file still says June: the admin's date stands
        assert sync_milestones(s, config, now) == 0
        row = s.scalars(select(models.SiteMilestone).where(models.SiteMilestone.milestone == "completion")).one()
        assert (row.planned, row.planned_by) == (dt.date(2027, 9, 30), "管理员")
        history = [
            (c.field, c.old, c.new, c.by)
            for c in sorted(changes_of(s, "site1"), key=lambda c: c.id)
            if c.milestone == "completion"
        ]
        assert history == [
            ("planned", None, dt.date(2027, 6, 30), "config"),
            ("planned", dt.date(2027, 6, 30), dt.date(2027, 9, 30), "管理员"),
        ]
