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
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy.orm import Session

from monitor.delivery import http, repository
from monitor.delivery.receivers import Receiver
from monitor.delivery.repository import DELIVERED, FAILED, PENDING, STATES

__all__ = ["DELIVERED", "FAILED", "PENDING", "STATES", "Message", "RoundResult", "deliver_due", "queue", "retry"]
# The states are the stored ones (monitor.delivery.repository); named here too for the outbox's callers.
log = logging.getLogger(__name__)


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
    known = repository.stored(session, {m.topic for m in messages}, {m.key for m in messages})
    new: dict[tuple[str, str], repository.NewItem] = {}
    revised: dict[tuple[str, str], repository.Revision] = {}
    queued = 0
    for m in messages:
        at = (m.topic, m.key)
        row = known.get(at)
        if row is None:
            new[at] = repository.NewItem(m.topic, m.key, m.payload, m.site_id, m.day, m.alert_id, revision=1)
            known[at] = repository.Stored(None, m.payload, 1)
            queued += 1
        elif revise and row.payload != m.payload:
            known[at] = repository.Stored(row.id, m.payload, row.revision + 1)
            if row.id is None:  # queued earlier in this same call: written once, as its last revision
                new[at] = replace(new[at], payload=m.payload, revision=row.revision + 1)
            else:
                revised[at] = repository.Revision(row.id, m.payload, row.revision + 1)
            queued += 1
    repository.add(session, new.values(), now)
    repository.revise(session, list(revised.values()), now)
    return queued


def deliver_due(session: Session, receiver: Receiver, now: dt.datetime, limit: int = 200) -> RoundResult:
    """Try every pending message of the receiver's topic that is due, oldest first; each outcome is committed
    before the next, and a failure (a reply that is not HTTP included) blocks no later message."""
    due = repository.due(session, receiver.topic, now, limit)
    delivered = failed = gave_up = 0
    if not due:
        return RoundResult(0, 0)
    with http.client(receiver.timeout_s) as via:
        for item in due:
            attempts = item.attempts + 1
            try:
                receiver.post(item.key, item.payload, item.revision, via)
            except http.PostError as exc:
                error = http.failure(exc, receiver.display_url)
                failed += 1
                if attempts >= receiver.max_attempts:
                    repository.failed(session, item.id, attempts, error, retry_at=None)
                    gave_up += 1
                    log.error("%s: gave up on %s after %d attempts (%s)", item.topic, item.key, attempts, error)
                else:
                    retry_at = now + receiver.backoff.delay(attempts)
                    repository.failed(session, item.id, attempts, error, retry_at=retry_at)
                    log.warning("%s: %s attempt %d failed (%s)", item.topic, item.key, attempts, error)
            else:
                repository.delivered(session, item.id, attempts, now)
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
    count = repository.requeue(session, topic, states, now, day=day, site_ids=site_ids)
    session.commit()
    return count
