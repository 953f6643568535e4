"""The live feed: one read of the database per interval for all streams, each stream filtered by its role,
a slow client holding up nobody, a client that leaves leaving nothing behind."""

from __future__ import annotations

import asyncio
import concurrent.futures
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
from tests.fixtures.clock import Clock, fixed, ticking
from tests.fixtures.servers import SAMPLE_VIDEO, free_port
from tests.helpers import config_dict

PASSWORD = "correct-horse-battery"
NOW = dt.datetime(2026, 11, 28, 4, 0, tzinfo=dt.UTC)


def _setup(sessions: sessionmaker[Session], users: dict[str, Role], clock: Clock | None = None) -> dict[str, str]:
    """The sites of the test configuration, and a logged-in token per user."""
    with sessions() as s:
        sync_config(s, parse_config(config_dict([str(SAMPLE_VIDEO)] * 2)), fixed())
        for name, role in users.items():
            add_user(s, name, PASSWORD, role, now=NOW)
        at = clock() if clock is not None else NOW
        tokens = {name: login(s, name, PASSWORD, at) for name in users}
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


class _Streams:
    """Live-update streams held open by one event loop on a thread of its own, as many browsers would."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.tasks: list[asyncio.Task[None]] = []

    def open(self, token: str) -> int:
        """Open one stream; its status, and for a 200 once its ``hello`` came."""
        started: concurrent.futures.Future[int] = concurrent.futures.Future()

        async def hold() -> None:
            headers = {"Authorization": f"Bearer {token}"}
            async with (
                httpx.AsyncClient(timeout=httpx.Timeout(30, read=None)) as client,
                client.stream("GET", self.url + "/api/events", headers=headers) as response,
            ):
                if response.status_code != 200:
                    started.set_result(response.status_code)
                    return
                async for line in response.aiter_lines():
                    if line == "event: hello":
                        started.set_result(200)

        async def begin() -> None:
            self.tasks.append(asyncio.create_task(hold()))

        asyncio.run_coroutine_threadsafe(begin(), self.loop).result(10)
        return started.result(60)

    def close(self) -> None:
        """Every stream closed by its client (its connection too), then the loop stopped."""

        async def end() -> None:
            for task in self.tasks:
                task.cancel()
            await asyncio.gather(*self.tasks, return_exceptions=True)

        asyncio.run_coroutine_threadsafe(end(), self.loop).result(30)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)
        self.loop.close()


def test_open_streams_hold_no_database_connection_and_the_server_stays_up(
    sessions: sessionmaker[Session], engine: Engine, tmp_path: Path
) -> None:
    """Given more streams open than the database pool has connections (SQLite 5 + 10, PostgreSQL 10 + 20),
    then no stream holds a connection, health answers, and a sample written meanwhile reaches every stream."""
    clock = ticking()
    users = {f"desk{i}": Role.viewer for i in range(7)}
    tokens = _setup(sessions, users, clock)
    app = create_app(sessions, tmp_path, clock=clock)
    feed: LiveFeed = app.state.live_feed
    feed.interval = 3600  # no read of the feed's own while the pool is looked at
    with _serve(app) as url:
        streams = _Streams(url)
        try:
            assert [streams.open(tokens[name]) for name in users for _ in range(5)] == [200] * 35
            assert len(feed.subscribers) == 35
            assert engine.pool.checkedout() == 0  # type: ignore[attr-defined]
            health = httpx.get(url + "/api/health", timeout=30)
            assert health.status_code == 200 and health.json()["database"] == "ok"
            me = httpx.get(url + "/api/auth/me", headers={"Authorization": f"Bearer {tokens['desk0']}"}, timeout=30)
            assert me.status_code == 200
        finally:
            streams.close()
        wait_until(lambda: not feed.subscribers, 10, "the closed streams to leave the feed")


def test_streams_over_the_per_user_and_the_total_cap_are_refused_with_429(
    sessions: sessionmaker[Session], engine: Engine, tmp_path: Path
) -> None:
    clock = ticking()
    tokens = _setup(sessions, {"wall": Role.viewer, "desk": Role.viewer, "chief": Role.operator}, clock)
    config = parse_config(config_dict([str(SAMPLE_VIDEO)] * 2, api={"max_streams": 3, "max_streams_per_user": 2}))
    app = create_app(sessions, tmp_path, config=config, clock=clock)
    feed: LiveFeed = app.state.live_feed
    with _serve(app) as url:
        streams = _Streams(url)
        try:
            assert [streams.open(tokens["wall"]) for _ in range(3)] == [200, 200, 429]
            headers = {"Authorization": f"Bearer {tokens['wall']}"}
            refused = httpx.get(url + "/api/events", headers=headers, timeout=30)
            assert refused.status_code == 429 and refused.headers["Retry-After"] == "30"
            assert "2 open" in refused.json()["detail"]
            assert streams.open(tokens["desk"]) == 200  # another user: within the total of 3
            assert streams.open(tokens["chief"]) == 429  # the total
            assert len(feed.subscribers) == 3
        finally:
            streams.close()
        wait_until(lambda: not feed.subscribers, 10, "the closed streams to leave the feed")
        with httpx.stream("GET", url + "/api/events", headers=headers, timeout=30) as again:
            assert again.status_code == 200  # a closed stream frees its place
