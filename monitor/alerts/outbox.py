"""The durable outbox of alert events for the webhook: each event is a row, sent until a 2xx answers, with
growing pauses; the state lives in the database, so neither a restart nor a long outage of the receiver
loses an event. Sent by the scheduler's lease holder only (job ``alert-webhook``)."""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from monitor import posting
from monitor.alerts.lifecycle import AlertEvent
from monitor.config.settings import WebhookConfig
from monitor.core.redact import mask_url
from monitor.export.outbox import RoundResult
from monitor.store import models

log = logging.getLogger(__name__)

FIRST_PAUSE_S = 5.0
MAX_PAUSE_S = 600.0


def event_key(event: AlertEvent) -> str:
    return f"alert-{event.alert_id}-{event.kind}"


def pause(attempts: int) -> dt.timedelta:
    """5 s, 10 s, 20 s, ... up to 10 minutes."""
    return dt.timedelta(seconds=min(MAX_PAUSE_S, FIRST_PAUSE_S * 2 ** max(0, attempts - 1)))


def queue_events(session: Session, events: Sequence[AlertEvent], now: dt.datetime) -> int:
    """One pending row per event not queued before (the key is the receiver's Idempotency-Key)."""
    if not events:
        return 0
    keys = {event_key(e) for e in events}
    known = set(session.scalars(select(models.AlertNotice.key).where(models.AlertNotice.key.in_(keys))))
    queued = 0
    for event in events:
        key = event_key(event)
        if key in known:
            continue
        known.add(key)
        session.add(
            models.AlertNotice(
                key=key,
                alert_id=event.alert_id,
                payload=event.as_dict(),
                state="pending",
                attempts=0,
                next_attempt_at=now,
                last_error="",
                created_at=now,
            )
        )
        queued += 1
    session.commit()
    return queued


class WebhookSender:
    """One POST per call; raises on anything but a 2xx."""

    def __init__(self, config: WebhookConfig) -> None:
        self.config = config
        self._url = config.url.get_secret_value()
        self.display_url = mask_url(self._url)

    def post(self, key: str, payload: dict[str, object]) -> None:
        body = json.dumps(payload, ensure_ascii=False).encode()
        headers = {"Content-Type": "application/json", "Idempotency-Key": key}
        if self.config.token:
            headers["Authorization"] = f"Bearer {self.config.token.get_secret_value()}"
        posting.post(self._url, body, headers, self.config.timeout_seconds)


def deliver_due(session: Session, sender: WebhookSender, now: dt.datetime, limit: int = 100) -> RoundResult:
    """Send every pending event that is due, oldest first; each outcome is committed before the next."""
    due = session.scalars(
        select(models.AlertNotice)
        .where(models.AlertNotice.state == "pending", models.AlertNotice.next_attempt_at <= now)
        .order_by(models.AlertNotice.id)
        .limit(limit)
    ).all()
    delivered = failed = 0
    for row in due:
        row.attempts += 1
        try:
            sender.post(row.key, row.payload)
        except posting.PostError as exc:
            row.last_error = posting.failure(exc, sender.display_url)
            failed += 1
            if row.attempts >= sender.config.max_attempts:
                row.state = "failed"
                log.error("alert webhook: gave up on %s after %d attempts (%s)", row.key, row.attempts, row.last_error)
            else:
                row.next_attempt_at = now + pause(row.attempts)
                log.warning("alert webhook: %s attempt %d failed (%s)", row.key, row.attempts, row.last_error)
        else:
            row.state, row.delivered_at, row.last_error = "delivered", now, ""
            delivered += 1
        session.commit()
    return RoundResult(delivered, failed)
