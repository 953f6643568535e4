"""The one outbox: both topics give up after max_attempts, keep the dead letter visible (API, CLI, metrics)
and send it again when an operator asks; a new revision of a record revives it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from api import create_app
from monitor.cli import main
from monitor.config import parse_config
from monitor.config.outputs import DeliveryConfig, WebhookConfig
from monitor.delivery import outbox
from monitor.delivery.receivers import ALERT, ASSESSMENT, Receiver, alert_receiver, assessment_receiver
from monitor.export.records import resend
from monitor.store import models
from monitor.store.repo import sync_config
from tests.fixtures.clock import fixed, ticking
from tests.fixtures.servers import free_port
from tests.helpers import config_dict, logged_in

T0 = dt.datetime(2026, 11, 27, 13, tzinfo=dt.UTC)
DAY = dt.date(2026, 11, 27)


def _dead_url() -> str:
    return f"http://127.0.0.1:{free_port()}/in"  # nobody listens: every POST is refused


def _seed(session: Session) -> int:
    """One record of DAY and one alert event queued at T0; returns the alert's id."""
    sync_config(session, parse_config(config_dict()), fixed())
    alert = models.Alert(site_id="site1", type="camera_offline", message="offline", opened_at=T0)
    session.add(alert)
    session.flush()
    messages = [
        outbox.Message(ASSESSMENT, f"site1:{DAY}", {"score": 50}, site_id="site1", day=DAY),
        outbox.Message(ALERT, f"alert-{alert.id}-opened", {"event": "opened"}, site_id="site1", alert_id=alert.id),
    ]
    assert outbox.queue(session, messages, T0) == 2
    assert outbox.queue(session, messages, T0) == 0  # a key is queued once
    session.commit()
    return alert.id


def _give_up(session: Session, receiver: Receiver) -> list[outbox.RoundResult]:
    """Rounds until the receiver's message is given up (max_attempts 2), and one more."""
    first = outbox.deliver_due(session, receiver, T0)
    second = outbox.deliver_due(session, receiver, T0 + receiver.backoff.delay(1))
    after = outbox.deliver_due(session, receiver, T0 + dt.timedelta(days=1))
    return [first, second, after]


def _row(session: Session, topic: str) -> models.OutboxItem:
    return session.scalars(select(models.OutboxItem).where(models.OutboxItem.topic == topic)).one()


@pytest.mark.parametrize("topic", [ASSESSMENT, ALERT])
def test_a_message_is_given_up_after_max_attempts_and_kept_until_an_operator_retries(
    sessions: sessionmaker[Session], topic: str
) -> None:
    fields = {"url": _dead_url(), "max_attempts": 2, "timeout_seconds": 1}
    receiver = (
        assessment_receiver(DeliveryConfig.model_validate(fields))
        if topic == ASSESSMENT
        else alert_receiver(WebhookConfig.model_validate(fields))
    )
    with sessions() as s:
        _seed(s)
        rounds = _give_up(s, receiver)
        row = _row(s, topic)
        assert [(r.delivered, r.failed, r.gave_up) for r in rounds] == [(0, 1, 0), (0, 1, 1), (0, 0, 0)]
        assert (row.state, row.attempts) == ("failed", 2)
        assert row.last_error.startswith("ConnectionRefusedError from http://127.0.0.1:")
        other = ALERT if topic == ASSESSMENT else ASSESSMENT
        assert (_row(s, other).state, _row(s, other).attempts) == ("pending", 0)  # each topic its own receiver
        assert outbox.retry(s, topic, T0 + dt.timedelta(days=2)) == 1
        s.refresh(row)
        assert (row.state, row.attempts, row.next_attempt_at) == ("pending", 0, T0 + dt.timedelta(days=2))
        assert outbox.retry(s, topic, T0) == 0  # nothing given up any more


def test_resending_a_day_and_a_new_revision_revive_a_given_up_record(sessions: sessionmaker[Session]) -> None:
    receiver = assessment_receiver(DeliveryConfig.model_validate({"url": _dead_url(), "max_attempts": 2}))
    with sessions() as s:
        _seed(s)
        _give_up(s, receiver)
        assert resend(s, DAY, T0, {"site1"}) == 1
        row = _row(s, ASSESSMENT)
        assert (row.state, row.attempts, row.revision) == ("pending", 0, 1)
        _give_up(s, receiver)
        changed = outbox.Message(ASSESSMENT, f"site1:{DAY}", {"score": 60}, site_id="site1", day=DAY)
        assert outbox.queue(s, [changed], T0, revise=True) == 1
        assert outbox.queue(s, [changed], T0, revise=True) == 0  # unchanged: nothing to send
        s.commit()
        s.refresh(row)
        assert (row.state, row.attempts, row.revision, row.payload) == ("pending", 0, 2, {"score": 60})


def test_a_key_repeated_in_one_call_is_one_row_and_each_changed_body_its_next_revision(
    sessions: sessionmaker[Session],
) -> None:
    with sessions() as s:
        sync_config(s, parse_config(config_dict()), fixed())
        one, two = (outbox.Message(ASSESSMENT, f"site1:{DAY}", {"score": n}, site_id="site1", day=DAY) for n in (1, 2))
        assert outbox.queue(s, [one, two], T0) == 1  # without revise the first body stays
        s.commit()
        assert (_row(s, ASSESSMENT).revision, _row(s, ASSESSMENT).payload) == (1, {"score": 1})
        assert outbox.queue(s, [two, one, two, two], T0, revise=True) == 3
        s.commit()
        row = _row(s, ASSESSMENT)
        assert (row.revision, row.payload, row.state, row.attempts) == (4, {"score": 2}, "pending", 0)
        fresh, changed = (
            outbox.Message(ALERT, "alert-x-opened", {"event": n}, site_id="site1") for n in ("opened", "again")
        )
        assert outbox.queue(s, [fresh, changed, changed], T0, revise=True) == 2
        s.commit()
        alert = _row(s, ALERT)
        assert (alert.revision, alert.payload, alert.state, alert.next_attempt_at) == (
            2,
            {"event": "again"},
            "pending",
            T0,
        )


def test_the_api_shows_the_dead_letters_of_both_topics_and_an_admin_retries_them(
    sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    receiver = alert_receiver(WebhookConfig.model_validate({"url": _dead_url(), "max_attempts": 2}))
    with sessions() as s:
        alert_id = _seed(s)
        _give_up(s, receiver)
    viewer = logged_in(TestClient(create_app(sessions, tmp_path, clock=ticking())), sessions, "viewer")
    records = viewer.get("/api/deliveries").json()
    assert [(r["topic"], r["key"], r["state"], r["day"]) for r in records] == [
        ("assessment", f"site1:{DAY}", "pending", DAY.isoformat())
    ]
    (failed,) = viewer.get("/api/deliveries", params={"topic": "alert", "state": "failed"}).json()
    assert (failed["key"], failed["alert_id"], failed["attempts"]) == (f"alert-{alert_id}-opened", alert_id, 2)
    assert failed["last_error"].startswith("ConnectionRefusedError")
    assert viewer.get("/api/deliveries", params={"topic": "mail"}).status_code == 422
    metrics = viewer.get("/metrics").text
    assert 'sitemon_outbox_messages{state="failed",topic="alert"} 1.0' in metrics
    assert 'sitemon_alert_webhook_events{state="failed"} 1.0' in metrics
    assert viewer.post("/api/admin/deliveries/retry", params={"topic": "alert"}).status_code == 403
    admin = logged_in(TestClient(create_app(sessions, tmp_path, clock=ticking())), sessions, "admin")
    answer = admin.post("/api/admin/deliveries/retry", params={"topic": "alert"})
    assert answer.status_code == 200 and answer.json() == {"topic": "alert", "count": 1}
    with sessions() as s:
        assert (_row(s, ALERT).state, _row(s, ALERT).attempts) == ("pending", 0)


def test_the_cli_lists_the_dead_letters_and_retries_them(
    engine: Engine, sessions: sessionmaker[Session], capsys: pytest.CaptureFixture[str]
) -> None:
    receiver = alert_receiver(WebhookConfig.model_validate({"url": _dead_url(), "max_attempts": 2}))
    with sessions() as s:
        alert_id = _seed(s)
        _give_up(s, receiver)
    url = engine.url.render_as_string(hide_password=False)
    assert main(["outbox", "list", "--state", "failed", "--database-url", url]) == 0
    (line,) = capsys.readouterr().out.splitlines()
    assert line.split("\t")[1:5] == ["alert", f"alert-{alert_id}-opened", "failed", "2"]
    assert main(["outbox", "retry", "--topic", "alert", "--database-url", url]) == 0
    assert capsys.readouterr().out.startswith("1 given-up alert message(s) queued again")
    assert main(["outbox", "list", "--state", "failed", "--database-url", url]) == 0
    assert capsys.readouterr().out == ""
