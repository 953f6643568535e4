from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from monitor.alerts.lifecycle import acknowledge, apply
from monitor.alerts.rules import AlertKey, AlertType, Condition, Severity
from monitor.config import parse_config
from monitor.store import models
from monitor.store.repo import sync_config
from tests.fixtures.clock import fixed
from tests.fixtures.servers import SAMPLE_VIDEO
from tests.helpers import config_dict

T0 = dt.datetime(2026, 11, 27, 2, tzinfo=dt.UTC)
OFFLINE = AlertKey("site1", "cam1", AlertType.camera_offline)
IDLE = AlertKey("site1", None, AlertType.site_idle)


def _cond(key: AlertKey, severity: Severity = Severity.warning, message: str = "m") -> Condition:
    return Condition(key, severity, message)


def test_open_once_escalate_acknowledge_resolve_and_keep_history(sessions: sessionmaker[Session]) -> None:
    with sessions() as s:
        sync_config(s, parse_config(config_dict([str(SAMPLE_VIDEO)])), fixed())
        events = apply(s, [_cond(OFFLINE), _cond(IDLE)], T0)
        assert sorted(e.kind for e in events) == ["opened", "opened"]
        # The same conditions on the next sweeps: no new alert, no flood.
        for minutes in (5, 10, 15):
            assert apply(s, [_cond(OFFLINE), _cond(IDLE)], T0 + dt.timedelta(minutes=minutes)) == []
        escalated = apply(s, [_cond(OFFLINE), _cond(IDLE, Severity.critical)], T0 + dt.timedelta(minutes=20))
        assert [(e.kind, e.type, e.severity) for e in escalated] == [("escalated", "site_idle", "critical")]
        offline_id = next(a.id for a in s.scalars(select(models.Alert)) if a.type == "camera_offline")
        ack = acknowledge(s, offline_id, "调度员张三", T0 + dt.timedelta(minutes=21))
        assert ack is not None and ack.kind == "acknowledged"
        assert acknowledge(s, offline_id, "someone else", T0) is None  # already acknowledged
        # The camera is back: its alert resolves, acknowledged or not; the idle alert stays.
        resolved = apply(s, [_cond(IDLE, Severity.critical)], T0 + dt.timedelta(minutes=25))
        assert [(e.kind, e.type) for e in resolved] == [("resolved", "camera_offline")]
        # It goes down again: a new alert, the old one stays in the history.
        again = apply(s, [_cond(IDLE, Severity.critical), _cond(OFFLINE)], T0 + dt.timedelta(minutes=30))
        assert [(e.kind, e.type) for e in again] == [("opened", "camera_offline")]
        rows = s.scalars(
            select(models.Alert).where(models.Alert.type == "camera_offline").order_by(models.Alert.id)
        ).all()
        assert [r.state for r in rows] == ["resolved", "open"]
        assert rows[0].acknowledged_by == "调度员张三" and rows[0].resolved_at == T0 + dt.timedelta(minutes=25)
