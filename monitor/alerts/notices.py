"""Alert events for the webhook: each event is a message in the durable outbox (topic ``alert``, see
``monitor.delivery``), sent until a 2xx answers, with growing pauses, up to ``alerts.webhook.max_attempts``;
neither a restart nor a long outage of the receiver loses an event. Sent by the scheduler's lease holder
only (job ``alert-webhook``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy.orm import Session

from monitor.alerts.lifecycle import AlertEvent
from monitor.delivery import outbox
from monitor.delivery.receivers import ALERT


def event_key(event: AlertEvent) -> str:
    return f"alert-{event.alert_id}-{event.kind}"


def queue_events(session: Session, events: Sequence[AlertEvent], now: dt.datetime) -> int:
    """One pending message per event not queued before (the key is the receiver's Idempotency-Key)."""
    messages = [
        outbox.Message(ALERT, event_key(e), e.as_dict(), site_id=e.site_id, alert_id=e.alert_id) for e in events
    ]
    queued = outbox.queue(session, messages, now)
    session.commit()
    return queued
