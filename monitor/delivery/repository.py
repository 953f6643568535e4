"""The delivery stage's queries, and the only ones: the outbox's rows (table ``outbox``) read as frozen values,
and written as the outbox's rules (``monitor.delivery.outbox``) decide. Nothing here commits: the outbox
commits each outcome before the next try."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from monitor.store import models

PENDING, DELIVERED, FAILED = "pending", "delivered", "failed"
STATES = (PENDING, DELIVERED, FAILED)


@dataclass(frozen=True)
class Stored:
    """A queued message as the next queueing compares it: its row (None until it is written), body, revision."""

    id: int | None
    payload: dict[str, Any]
    revision: int


@dataclass(frozen=True)
class NewItem:
    """A message to write as a new pending row, due at once, no attempt made."""

    topic: str
    key: str
    payload: dict[str, Any]
    site_id: str | None
    day: dt.date | None
    alert_id: int | None
    revision: int


@dataclass(frozen=True)
class Revision:
    """A stored message's new body: pending again as ``revision``, due at once, with a fresh count of attempts."""

    id: int
    payload: dict[str, Any]
    revision: int


@dataclass(frozen=True)
class Due:
    """A pending message whose next try is due: what to send, and how many tries were made before."""

    id: int
    topic: str
    key: str
    payload: dict[str, Any]
    revision: int
    attempts: int


@dataclass(frozen=True)
class Entry:
    """One row of the outbox as an operator lists it (``sitemon outbox list``)."""

    id: int
    topic: str
    key: str
    state: str
    attempts: int
    next_attempt_at: dt.datetime
    last_error: str


def stored(session: Session, topics: Iterable[str], keys: Iterable[str]) -> dict[tuple[str, str], Stored]:
    """The stored messages of ``topics`` with one of ``keys``, by (topic, key)."""
    item = models.OutboxItem
    rows = session.execute(
        select(item.topic, item.key, item.id, item.payload, item.revision).where(
            item.topic.in_(set(topics)), item.key.in_(set(keys))
        )
    )
    return {(topic, key): Stored(pk, payload, revision) for topic, key, pk, payload, revision in rows}


def add(session: Session, items: Iterable[NewItem], now: dt.datetime) -> None:
    """New pending rows, due at ``now``, in the order given. Not committed."""
    session.add_all(
        models.OutboxItem(
            topic=i.topic,
            key=i.key,
            site_id=i.site_id,
            day=i.day,
            alert_id=i.alert_id,
            payload=i.payload,
            revision=i.revision,
            state=PENDING,
            attempts=0,
            next_attempt_at=now,
            last_error="",
            created_at=now,
        )
        for i in items
    )


def revise(session: Session, revisions: Sequence[Revision], now: dt.datetime) -> None:
    """Each stored message gets its new body and revision, pending again from ``now`` with no attempt made.
    Not committed."""
    if not revisions:
        return
    by_id = {r.id: r for r in revisions}
    for row in session.scalars(select(models.OutboxItem).where(models.OutboxItem.id.in_(by_id))):
        new = by_id[row.id]
        row.payload, row.revision, row.state, row.attempts, row.next_attempt_at = (
            new.payload,
            new.revision,
            PENDING,
            0,
            now,
        )


def due(session: Session, topic: str, now: dt.datetime, limit: int) -> list[Due]:
    """The topic's pending messages whose next try is due at ``now``, oldest first, at most ``limit``."""
    item = models.OutboxItem
    rows = session.execute(
        select(item.id, item.topic, item.key, item.payload, item.revision, item.attempts)
        .where(item.topic == topic, item.state == PENDING, item.next_attempt_at <= now)
        .order_by(item.id)
        .limit(limit)
    )
    return [Due(pk, t, key, payload, revision, attempts) for pk, t, key, payload, revision, attempts in rows]


def _set(session: Session, item_id: int, **values: Any) -> None:
    session.execute(update(models.OutboxItem).where(models.OutboxItem.id == item_id).values(**values))


def delivered(session: Session, item_id: int, attempts: int, now: dt.datetime) -> None:
    """The message was taken at try ``attempts``. Not committed."""
    _set(session, item_id, attempts=attempts, state=DELIVERED, delivered_at=now, last_error="")


def failed(session: Session, item_id: int, attempts: int, error: str, retry_at: dt.datetime | None) -> None:
    """Try ``attempts`` failed with ``error``: the next is due at ``retry_at``, or, with None, the message is
    given up (a dead letter, state failed). Not committed."""
    if retry_at is None:
        _set(session, item_id, attempts=attempts, last_error=error, state=FAILED)
    else:
        _set(session, item_id, attempts=attempts, last_error=error, next_attempt_at=retry_at)


def requeue(
    session: Session,
    topic: str,
    states: Sequence[str],
    now: dt.datetime,
    day: dt.date | None = None,
    site_ids: set[str] | None = None,
) -> int:
    """The topic's messages in ``states`` (of ``day`` and ``site_ids`` if given) pending again, due at ``now``,
    with a fresh count of attempts; how many. Not committed."""
    item = models.OutboxItem
    query = select(item).where(item.topic == topic, item.state.in_(states))
    if day is not None:
        query = query.where(item.day == day)
    count = 0
    for row in session.scalars(query):
        if site_ids is None or row.site_id in site_ids:
            row.state, row.next_attempt_at, row.attempts = PENDING, now, 0
            count += 1
    return count


def entries(session: Session, topic: str | None = None, state: str | None = None, limit: int = 200) -> list[Entry]:
    """The newest messages first, at most ``limit``, of one topic and one state if given."""
    item = models.OutboxItem
    query = (
        select(item.id, item.topic, item.key, item.state, item.attempts, item.next_attempt_at, item.last_error)
        .order_by(item.id.desc())
        .limit(limit)
    )
    if topic:
        query = query.where(item.topic == topic)
    if state:
        query = query.where(item.state == state)
    return [Entry(*row) for row in session.execute(query)]


def counts(session: Session) -> list[tuple[str, str, int]]:
    """(topic, state, messages) of every topic and state that has messages."""
    item = models.OutboxItem
    rows = session.execute(select(item.topic, item.state, func.count()).group_by(item.topic, item.state))
    return [(topic, state, int(n)) for topic, state, n in rows]


@dataclass(frozen=True)
class Delivery:
    """One message of the outbox as the API lists it (the payload left out)."""

    topic: str
    key: str
    site_id: str | None
    day: dt.date | None
    alert_id: int | None
    state: str
    revision: int
    attempts: int
    last_error: str
    next_attempt_at: dt.datetime
    delivered_at: dt.datetime | None


def deliveries(
    session: Session, topic: str, day: dt.date | None = None, state: str | None = None, limit: int = 2000
) -> list[Delivery]:
    """The outbox's messages of ``topic`` (of one day, in one state), newest day first, then by site."""
    item = models.OutboxItem
    query = select(
        item.topic,
        item.key,
        item.site_id,
        item.day,
        item.alert_id,
        item.state,
        item.revision,
        item.attempts,
        item.last_error,
        item.next_attempt_at,
        item.delivered_at,
    ).where(item.topic == topic)
    if day is not None:
        query = query.where(item.day == day)
    if state is not None:
        query = query.where(item.state == state)
    query = query.order_by(item.day.desc(), item.site_id, item.id.desc()).limit(limit)
    return [Delivery(*row) for row in session.execute(query)]
