"""The live feed behind /api/events: one poller per app reads what changed once per interval and hands it to
every open stream, each through a small queue of its own, filtered by what the stream's role may see.

What changed is read from the database, so it works whichever process sampled or scored. The tokens of all
open streams are checked in the same read: a stream whose session ended (logged out, revoked, expired, user
disabled) is told ``logout`` and ends. Handing out never waits on a client: a slow one gets its waiting
updates folded into one, and holds up nobody.

A stream holds no database connection while it waits: only the poller reads, once per interval, for all of
them. How many streams may be open is capped, per user and in all (``StreamLimits``); one more is refused.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator, Iterable, Mapping
from dataclasses import dataclass, field

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from monitor.core.clock import Clock
from monitor.store.users import Role, roles_for_tokens
from monitor.store.watch import change_marks

log = logging.getLogger(__name__)
POLL_SECONDS = 2.0
QUEUE_SIZE = 8
# The least role that may hear of each kind of change, in the order updates name them. Today every role sees
# everything (viewers are the dispatch staff); a topic for fewer eyes only needs its line here.
TOPIC_ROLES: Mapping[str, Role] = {
    "samples": Role.viewer,
    "scores": Role.viewer,
    "alerts": Role.viewer,
    "milestones": Role.viewer,
}


@dataclass(frozen=True)
class Message:
    """One server-sent event: ``hello`` (the stream is live), ``update`` (what changed) or ``logout``."""

    event: str
    changed: tuple[str, ...] = ()

    @property
    def data(self) -> str:
        return json.dumps({"changed": list(self.changed)}) if self.event == "update" else "{}"


HELLO = Message("hello")
LOGOUT = Message("logout")


def versions(session: Session) -> dict[str, str]:
    """A fingerprint per topic: it differs from the last one read once something of that kind changed."""
    marks = change_marks(session)
    return {
        "samples": str(marks.last_sample),
        "scores": str(marks.last_scored_at),
        "alerts": f"{marks.alerts}/{marks.open_alerts}",
        "milestones": f"{marks.last_milestone_change}/{marks.last_proposal}/{marks.decided_proposals}",
    }


def _topic_order(topic: str) -> int:
    order = list(TOPIC_ROLES)
    return order.index(topic) if topic in order else len(order)


@dataclass(frozen=True)
class StreamLimits:
    """How many streams may be open at once: in all, and per user (the config's ``api`` section)."""

    total: int = 200
    per_user: int = 20


class TooManyStreams(Exception):
    """A stream over a cap (the API answers 429)."""


@dataclass(frozen=True)
class Reading:
    versions: dict[str, str]
    roles: dict[str, Role]  # token -> role, for the tokens still valid


def read(sessions: sessionmaker[Session], tokens: Iterable[str], clock: Clock) -> Reading:
    """One read for all streams: the fingerprints, and which of their tokens are still valid."""
    with sessions() as session:
        return Reading(versions(session), roles_for_tokens(session, tokens, clock()))


@dataclass(eq=False)
class Subscriber:
    """One open stream: its token and role, what it last saw, and its queue (None in it ends the stream)."""

    token: str
    role: Role
    user: str = ""
    seen: dict[str, str] | None = None
    queue: asyncio.Queue[Message | None] = field(default_factory=lambda: asyncio.Queue(QUEUE_SIZE))
    ended: bool = False  # told to log out or to end: nothing more goes in

    def offer(self, message: Message | None) -> None:
        """Never waits. A full queue folds its updates and this one into one update; a logout or the end
        goes ahead of whatever waits, and is the last thing in."""
        if self.ended:
            return
        if message is None or message.event == "logout":
            self.ended = True
            self._drain()
            self.queue.put_nowait(message)
            return
        try:
            self.queue.put_nowait(message)
        except asyncio.QueueFull:
            waiting = self._drain()
            changed = set(message.changed).union(*(m.changed for m in waiting if m is not None))
            if HELLO in waiting:
                self.queue.put_nowait(HELLO)
            self.queue.put_nowait(Message("update", tuple(sorted(changed, key=_topic_order))))

    def _drain(self) -> list[Message | None]:
        out: list[Message | None] = []
        while not self.queue.empty():
            out.append(self.queue.get_nowait())
        return out


class LiveFeed:
    """The app's one poller and its subscribers. Runs while the app does (`running`, from the lifespan);
    `start` again is harmless, so an app driven without its lifespan starts it with the first stream."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        clock: Clock,
        interval: float = POLL_SECONDS,
        topic_roles: Mapping[str, Role] = TOPIC_ROLES,
        limits: StreamLimits | None = None,
    ) -> None:
        self.sessions = sessions
        self.limits = limits or StreamLimits()
        self.clock = clock
        self.interval = interval
        self.topic_roles = topic_roles
        self.subscribers: set[Subscriber] = set()
        self.polls = 0  # database reads so far, for tests and curiosity
        self._latest: dict[str, str] | None = None
        self._task: asyncio.Task[None] | None = None

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        self.start()
        try:
            yield
        finally:
            await self.stop()

    def start(self) -> None:
        """Start polling in the running event loop; nothing when it polls there already."""
        loop = asyncio.get_running_loop()
        if self._task is None or self._task.done() or self._task.get_loop() is not loop:
            self._task = loop.create_task(self._run(), name="sitemon-live-feed")

    async def stop(self) -> None:
        """Stop polling and end every open stream."""
        task, self._task = self._task, None
        if task is not None and not task.done():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        for subscriber in list(self.subscribers):
            subscriber.offer(None)
        self.subscribers.clear()

    def subscribe(self, token: str, role: Role, user: str = "") -> Subscriber:
        """A new stream, greeted at once; it hears of changes made after the last read. TooManyStreams when
        ``user`` (or everyone together) holds as many as the limits allow."""
        if len(self.subscribers) >= self.limits.total:
            raise TooManyStreams(f"too many live-update streams open ({self.limits.total}); try again later")
        if sum(1 for s in self.subscribers if s.user == user) >= self.limits.per_user:
            raise TooManyStreams(
                f"too many live-update streams for this user ({self.limits.per_user} open): close a window"
            )
        subscriber = Subscriber(token, role, user, seen=self._latest)
        subscriber.offer(HELLO)
        self.subscribers.add(subscriber)
        return subscriber

    def unsubscribe(self, subscriber: Subscriber) -> None:
        self.subscribers.discard(subscriber)

    async def messages(self, subscriber: Subscriber) -> AsyncIterator[Message]:
        """What the stream is to send, until it ends (a logout is its last message)."""
        while (message := await subscriber.queue.get()) is not None:
            yield message
            if message is LOGOUT:
                return

    async def poll(self) -> None:
        """Read once, and hand each stream what changed that it may see."""
        subscribers = list(self.subscribers)
        if not subscribers:
            self._latest = None  # nobody listened: the next stream starts from its first read
            return
        try:
            reading = await asyncio.to_thread(read, self.sessions, {s.token for s in subscribers}, self.clock)
        except SQLAlchemyError as exc:
            log.warning("live feed: the database did not answer (%s); streams stay open", type(exc).__name__)
            return
        self.polls += 1
        self._latest = reading.versions
        for subscriber in subscribers:
            self._hand_out(subscriber, reading)

    def _hand_out(self, subscriber: Subscriber, reading: Reading) -> None:
        role = reading.roles.get(subscriber.token)
        if role is None:
            subscriber.offer(LOGOUT)
            self.unsubscribe(subscriber)
            return
        subscriber.role = role  # a changed role counts from now on
        seen, subscriber.seen = subscriber.seen, reading.versions
        if seen is None:
            return
        changed = tuple(
            topic
            for topic, least in self.topic_roles.items()
            if role >= least and seen.get(topic) != reading.versions.get(topic)
        )
        if changed:
            subscriber.offer(Message("update", changed))

    async def _run(self) -> None:
        while True:
            try:
                await self.poll()
            except Exception:  # the feed outlives a bad read; the next one may do
                log.exception("live feed: a poll failed")
            await asyncio.sleep(self.interval)
