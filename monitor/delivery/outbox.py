"""The durable outbox: queue a message, deliver what is due, give up after ``max_attempts``, retry on request.

A message is delivered only on a 2xx; every other outcome is a failed try, paused by the receiver's back-off
before the next. The state lives in the database and each outcome is committed before the next try, so a
restart or a kill loses nothing and repeats at most the one POST in flight (receivers dedupe on the
Idempotency-Key). A message that failed ``max_attempts`` times is a dead letter: state ``failed``, kept with
its last error, tried again only when an operator asks (``retry``)."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from monitor.delivery import http
from monitor.delivery.receivers import Receiver
from monitor.store import models

log = logging.getLogger(__name__)

PENDING, DELIVERED, FAILED = "pending", "delivered", "failed"
STATES = (PENDING, DELIVERED, FAILED)


@dataclass(frozen=True)
class Message:
    """What to send: the receiver's ``topic``, its Idempotency-Key, the JSON body and what it is about."""

    topic: str
    key: str
    payload: dict[str, Any]
    site_id: str | None = None
    day: dt.date | None = None
    alert_id: int | None = None


@dataclass(frozen=True)
class RoundResult:
    delivered: int
    failed: int
    gave_up: int = 0


def queue(session: Session, messages: Sequence[Message], now: dt.datetime, revise: bool = False) -> int:
    """A pending row per message whose key is new. With ``revise`` a known key whose payload changed gets the
    new payload as the next revision, pending again with a fresh count of attempts (a dead letter too).
    Returns how many were queued; the caller commits."""
    if not messages:
        return 0
    topics = {m.topic for m in messages}
    keys = {m.key for m in messages}
    rows = {
        (r.topic, r.key): r
        for r in session.scalars(
            select(models.OutboxItem).where(models.OutboxItem.topic.in_(topics), models.OutboxItem.key.in_(keys))
        )
    }
    queued = 0
    for m in messages:
        row = rows.get((m.topic, m.key))
        if row is None:
            row = models.OutboxItem(
                topic=m.topic,
                key=m.key,
                site_id=m.site_id,
                day=m.day,
                alert_id=m.alert_id,
                payload=m.payload,
                revision=1,
                state=PENDING,
                attempts=0,
                next_attempt_at=now,
                last_error="",
                created_at=now,
            )
            session.add(row)
            rows[(m.topic, m.key)] = row
            queued += 1
        elif revise and row.payload != m.payload:
            row.payload, row.revision, row.state, row.attempts, row.next_attempt_at = (
                m.payload,
                row.revision + 1,
                PENDING,
                0,
                now,
            )
            queued += 1
    return queued


def deliver_due(session: Session, receiver: Receiver, now: dt.datetime, limit: int = 200) -> RoundResult:
    """Try every pending message of the receiver's topic that is due, oldest first; each outcome is committed
    before the next, and a failure (a reply that is not HTTP included) blocks no later message."""
    due = session.scalars(
        select(models.OutboxItem)
        .where(
            models.OutboxItem.topic == receiver.topic,
            models.OutboxItem.state == PENDING,
            models.OutboxItem.next_attempt_at <= now,
        )
        .order_by(models.OutboxItem.id)
        .limit(limit)
    ).all()
    delivered = failed = gave_up = 0
    if not due:
        return RoundResult(0, 0)
    with http.client(receiver.timeout_s) as via:
        for row in due:
            row.attempts += 1
            try:
                receiver.post(row.key, row.payload, row.revision, via)
            except http.PostError as exc:
                row.last_error = http.failure(exc, receiver.display_url)
                failed += 1
                if row.attempts >= receiver.max_attempts:
                    row.state = FAILED
                    gave_up += 1
                    log.error(
                        "%s: gave up on %s after %d attempts (%s)", row.topic, row.key, row.attempts, row.last_error
                    )
                else:
                    row.next_attempt_at = now + receiver.backoff.delay(row.attempts)
                    log.warning("%s: %s attempt %d failed (%s)", row.topic, row.key, row.attempts, row.last_error)
            else:
                row.state, row.delivered_at, row.last_error = DELIVERED, now, ""
                delivered += 1
            session.commit()
    log.info("%s: %d delivered, %d failed (%d given up)", receiver.topic, delivered, failed, gave_up)
    return RoundResult(delivered, failed, gave_up)


def retry(
    session: Session,
    topic: str,
    now: dt.datetime,
    *,
    states: Sequence[str] = (FAILED,),
    day: dt.date | None = None,
    site_ids: set[str] | None = None,
) -> int:
    """Send again: the topic's rows in ``states`` (by default the dead letters; of ``day`` and ``site_ids``
    if given) go back to pending, due now, with a fresh count of attempts. Returns how many; commits."""
    query = select(models.OutboxItem).where(models.OutboxItem.topic == topic, models.OutboxItem.state.in_(states))
    if day is not None:
        query = query.where(models.OutboxItem.day == day)
    count = 0
    for row in session.scalars(query):
        if site_ids is None or row.site_id in site_ids:
            row.state, row.next_attempt_at, row.attempts = PENDING, now, 0
            count += 1
    session.commit()
    return count
