"""The live feed: one read of the database per interval for all streams, each stream filtered by its role,
a slow client holding up nobody, a client that leaves leaving nothing behind."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import uvicorn
from fastapi import FastAPI
from sqlalchemy import Engine, event
from sqlalchemy.orm import Session, sessionmaker

from api import create_app
from api.live_feed import HELLO, LOGOUT, QUEUE_SIZE, LiveFeed, Message, Reading, Subscriber
from monitor.config import parse_config
from monitor.core.values import Activity, CameraKey, CameraStatus, Counts, Sample
from monitor.store import models
from monitor.store.repo import camera_pks, record_sample, sync_config
from monitor.store.users import Role, add_user, login, set_active
from tests.fixtures.brokers import wait_until
from tests.fixtures.clock import ticking
from tests.fixtures.servers import SAMPLE_VIDEO, free_port
from tests.helpers import config_dict

PASSWORD = "correct-horse-battery"
NOW = dt.datetime(2026, 11, 28, 4, 0, tzinfo=dt.UTC)


def _setup(sessions: sessionmaker[Session], users: dict[str, Role]) -> dict[str, str]:
    """The sites of the test configuration, and a logged-in token per user."""
    with sessions() as s:
        sync_config(s, parse_config(config_dict([str(SAMPLE_VIDEO)] * 2)))
        for name, role in users.items():
            add_user(s, name, PASSWORD, role)
        tokens = {name: login(s, name, PASSWORD, NOW) for name in users}
    return {name: token for name, token in tokens.items() if token}


def _add_sample(sessions: sessionmaker[Session], minute: int) -> None:
    with sessions() as s:
        key = CameraKey("site1", "cam1")
        slot = dt.datetime(2026, 11, 28, 3, minute, tzinfo=dt.UTC)
        sample = Sample(key, slot, slot, CameraStatus.online, counts=Counts(1, 0, 0), activity=Activity(level=0.5))
        record_sample(s, camera_pks(s)[key], sample)


def _add_alert(sessions: sessionmaker[Session]) -> None:
    with sessions() as s:
        s.add(models.Alert(site_id="site1", type="camera_offline", opened_at=NOW))
        s.commit()


def _drain(subscriber: Subscriber) -> list[Message | None]:
    out: list[Message | None] = []
    while not subscriber.queue.empty():
        out.append(subscriber.queue.get_nowait())
    return out


def test_each_stream_hears_only_what_its_role_may_see_and_a_dead_session_is_logged_out(
    sessions: sessionmaker[Session],
) -> None:
    tokens = _setup(sessions, {"duty": Role.viewer, "chief": Role.operator})
    # Given alerts for operators only (today every role sees every topic: the rule is one line of a table)
    roles = {"samples": Role.viewer, "scores": Role.viewer, "alerts": Role.operator, "milestones": Role.viewer}
    feed = LiveFeed(sessions, lambda: NOW, topic_roles=roles)

    async def scenario() -> None:
        viewer = feed.subscribe(tokens["duty"], Role.viewer)
        operator = feed.subscribe(tokens["chief"], Role.operator)
        assert _drain(viewer) == [HELLO] and _drain(operator) == [HELLO]
        await feed.poll()  # the first read is where each stream starts from
        _add_sample(sessions, 0)
        _add_alert(sessions)
        await feed.poll()
        assert _drain(viewer) == [Message("update", ("samples",))]
        assert _drain(operator) == [Message("update", ("samples", "alerts"))]
        _add_alert(sessions)
        await feed.poll()
        assert _drain(viewer) == []  # nothing it may see changed: not even an empty update
        assert _drain(operator) == [Message("update", ("alerts",))]
        with sessions() as s:
            set_active(s, "duty", False)
        await feed.poll()
        assert _drain(viewer) == [LOGOUT] and viewer not in feed.subscribers
        assert _drain(operator) == [] and operator in feed.subscribers

    asyncio.run(scenario())
    assert feed.polls == 4


def test_a_slow_stream_holds_up_nobody_and_misses_no_change() -> None:
    feed = LiveFeed(sessionmaker(), lambda: NOW)

    async def scenario() -> None:
        slow = feed.subscribe("slow", Role.viewer)
        quick = feed.subscribe("quick", Role.viewer)
        roles = {"slow": Role.viewer, "quick": Role.viewer}
        heard: list[Message | None] = []
        for i in range(3 * QUEUE_SIZE):
            topic = ("samples", "alerts", "scores")[i % 3]
            versions = {"samples": "1", "scores": "1", "alerts": "1", "milestones": "1", topic: str(i)}
            for subscriber in (slow, quick):
                feed._hand_out(subscriber, Reading(versions, roles))
            heard += _drain(quick)
            assert slow.queue.qsize() <= QUEUE_SIZE
        waiting = _drain(slow)
        assert waiting[0] == HELLO and len(waiting) <= QUEUE_SIZE
        assert {t for m in waiting[1:] if m is not None for t in m.changed} == {"samples", "alerts", "scores"}
        assert heard[0] == HELLO and len(heard) == 3 * QUEUE_SIZE  # hello, and an update per read but the first
        # A logout goes ahead of whatever waits.
        for _ in range(QUEUE_SIZE + 2):
            slow.offer(Message("update", ("samples",)))
        slow.offer(LOGOUT)
        slow.offer(Message("update", ("alerts",)))  # too late: the logout is the last word
        assert _drain(slow) == [LOGOUT]

    asyncio.run(scenario())


def test_stopping_the_feed_ends_every_stream(sessions: sessionmaker[Session]) -> None:
    tokens = _setup(sessions, {"duty": Role.viewer})
    feed = LiveFeed(sessions, lambda: NOW, interval=0.05)

    async def scenario() -> list[str]:
        async with feed.running():
            subscriber = feed.subscribe(tokens["duty"], Role.viewer)
            heard: list[str] = []

            async def listen() -> None:
                async for message in feed.messages(subscriber):
                    heard.append(message.event)

            listening = asyncio.create_task(listen())
            while feed.polls < 2:
                await asyncio.sleep(0.01)
        await asyncio.wait_for(listening, 5)
        return heard

    assert asyncio.run(scenario()) == ["hello"]
    assert feed.subscribers == set()


@contextlib.contextmanager
def _serve(app: FastAPI) -> Iterator[str]:
    """The app in uvicorn on a thread of this process (its lifespan runs), so the test sees its state."""
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=free_port(), log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        wait_until(lambda: server.started, 30, "uvicorn to start")
        yield f"http://127.0.0.1:{server.config.port}"
    finally:
        server.should_exit = True
        thread.join(30)


def _events(response: httpx.Response) -> Iterator[tuple[str, str]]:
    """(event, data) as they arrive."""
    name = ""
    for line in response.iter_lines():
        if line.startswith("event:"):
            name = line.removeprefix("event:").strip()
        elif line.startswith("data:"):
            yield name, line.removeprefix("data:").strip()


def _listen(url: str, token: str, heard: list[tuple[str, str]], until: int, ready: threading.Event) -> None:
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.stream("GET", url + "/api/events", headers=headers, timeout=30) as response:
        for item in _events(response):
            heard.append(item)
            if item[0] == "hello":
                ready.set()
            if len(heard) >= until:
                return


def test_many_streams_share_one_read_of_the_database(
    sessions: sessionmaker[Session], engine: Engine, tmp_path: Path
) -> None:
    names = [f"user{i}" for i in range(6)]
    tokens = _setup(sessions, {name: Role.viewer for name in names})
    app = create_app(sessions, tmp_path, clock=ticking(NOW))
    feed: LiveFeed = app.state.live_feed
    feed.interval = 0.1
    reads: list[str] = []

    def count(conn: object, cursor: object, statement: str, *args: object) -> None:
        if "max(samples.id)" in statement:
            reads.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    heard: dict[str, list[tuple[str, str]]] = {name: [] for name in names}
    with _serve(app) as url:
        ready = {name: threading.Event() for name in names}
        threads = [
            threading.Thread(target=_listen, args=(url, tokens[n], heard[n], 2, ready[n]), daemon=True) for n in names
        ]
        for thread in threads:
            thread.start()
        assert all(ready[n].wait(30) for n in names)
        wait_until(lambda: len(feed.subscribers) == len(names), 10, "every stream to subscribe")
        polls = feed.polls
        wait_until(lambda: feed.polls >= polls + 2, 10, "two reads with every stream open")
        _add_sample(sessions, 1)
        for thread in threads:
            thread.join(30)
        # Every stream was told, from reads shared by all: one read per interval, not one per stream.
        assert all(heard[n] == [("hello", "{}"), ("update", json.dumps({"changed": ["samples"]}))] for n in names)
        wait_until(lambda: not feed.subscribers, 10, "the closed streams to leave the feed")
        wait_until(lambda: len(reads) == feed.polls, 5, "the last read to finish")
        # With nobody listening the feed does not read the database.
        polls = feed.polls
        time.sleep(0.5)  # five intervals in which nothing is to happen
        assert feed.polls == polls == len(reads)
    event.remove(engine, "before_cursor_execute", count)


def test_a_stream_is_logged_out_when_its_session_ends_and_a_closed_one_leaves(
    sessions: sessionmaker[Session], engine: Engine, tmp_path: Path
) -> None:
    """A server on threads of its own: a database of the test's own (``engine``), not a rolled-back transaction."""
    tokens = _setup(sessions, {"duty": Role.viewer, "other": Role.viewer})
    app = create_app(sessions, tmp_path, clock=ticking(NOW))
    feed: LiveFeed = app.state.live_feed
    feed.interval = 0.1
    with _serve(app) as url:
        other = {"Authorization": f"Bearer {tokens['other']}"}
        with httpx.stream("GET", url + "/api/events", headers=other, timeout=30) as gone:
            heard = _events(gone)  # kept: a generator dropped here would close the stream
            assert next(heard) == ("hello", "{}")
            polls = feed.polls
            wait_until(lambda: feed.polls >= polls + 2, 10, "two reads with the stream open")
            assert len(feed.subscribers) == 1
        wait_until(lambda: not feed.subscribers, 10, "the closed stream to leave the feed")
        headers = {"Authorization": f"Bearer {tokens['duty']}"}
        with httpx.stream("GET", url + "/api/events", headers=headers, timeout=30) as response:
            events = _events(response)
            assert next(events) == ("hello", "{}")
            assert httpx.post(url + "/api/auth/logout", headers=headers).status_code == 204
            assert list(events) == [("logout", "{}")]  # and the stream ended
        assert httpx.get(url + "/api/events", headers=headers).status_code == 401
