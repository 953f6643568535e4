"""The dashboard's tabs share one live-updates stream (api/static/live.js), in a real browser (Debian's
chromium): fifteen tabs must not be fifteen streams against the server's per-user cap."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session, sessionmaker

from api import create_app
from api.live_feed import LiveFeed
from monitor.config import parse_config
from monitor.core.values import Activity, CameraKey, CameraStatus, Counts, Sample
from monitor.store import make_engine, make_session_factory, migrate
from monitor.store.repo import camera_pks, record_sample, sync_config
from monitor.store.users import Role, add_user, revoke_sessions
from tests.fixtures.brokers import wait_until
from tests.fixtures.browser import ARGS, CHROMIUM, require_chromium, served
from tests.fixtures.clock import NOW, ticking
from tests.fixtures.servers import SAMPLE_VIDEO
from tests.helpers import config_dict

pytestmark = pytest.mark.slow
PASSWORD = "operator-pass-1"
LIVE_ON = re.compile(r"\bon\b")  # the badge lit: the stream is live


@pytest.fixture
def world(tmp_path: Path) -> Iterator[tuple[str, sessionmaker[Session], LiveFeed]]:
    engine = make_engine(f"sqlite:///{tmp_path / 'sitemon.db'}")
    migrate(engine)
    sessions = make_session_factory(engine)
    clock = ticking()
    config = parse_config(config_dict([str(SAMPLE_VIDEO)] * 2))
    with sessions() as s:
        sync_config(s, config, clock=clock)
        add_user(s, "duty", PASSWORD, Role.operator, display_name="值班员", now=NOW)
    app = create_app(sessions, tmp_path, config=config, clock=clock)
    feed: LiveFeed = app.state.live_feed
    feed.interval = 0.2
    with served(app) as url:
        yield url, sessions, feed
    engine.dispose()


def _new_sample(sessions: sessionmaker[Session], minutes: int) -> None:
    with sessions() as s:
        key = CameraKey("site1", "cam1")
        slot = NOW + dt.timedelta(minutes=minutes)
        sample = Sample(key, slot, slot, CameraStatus.online, counts=Counts(1, 0, 0), activity=Activity(level=0.5))
        record_sample(s, camera_pks(s)[key], sample)


def _updates(page: Any) -> int:
    return int(page.evaluate("Number(document.body.dataset.updates || 0)"))


def test_the_tabs_of_one_browser_share_one_stream_and_another_tab_takes_it_over(
    world: tuple[str, sessionmaker[Session], LiveFeed],
) -> None:
    from playwright.sync_api import expect, sync_playwright

    url, sessions, feed = world
    require_chromium()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        context = browser.new_context(viewport={"width": 1400, "height": 900}, locale="zh-CN")
        try:
            first = context.new_page()
            first.goto(url + "/")
            first.fill("input[name=username]", "duty")
            first.fill("input[name=password]", PASSWORD)
            first.click("button[type=submit]")
            expect(first.locator("#live")).to_have_class(LIVE_ON, timeout=15000)
            # Given three more tabs of the same browser (the login cookie is theirs too)
            others = [context.new_page() for _ in range(3)]
            for page in others:
                page.goto(url + "/")
                expect(page.locator("#live")).to_have_class(LIVE_ON, timeout=15000)
            # then the server holds one stream for the four of them
            wait_until(lambda: len(feed.subscribers) == 1, 10, "one stream for four tabs")
            assert len(feed.subscribers) == 1
            # and a change reaches every tab through it.
            _new_sample(sessions, 1)
            for page in [first, *others]:
                wait_until(lambda page=page: _updates(page) >= 1, 15, "the update in every tab")
            # When the tab holding the stream closes, another takes it over: still one stream, still told.
            first.close()
            wait_until(lambda: len(feed.subscribers) == 1 and _updates(others[0]) >= 1, 15, "the stream taken over")
            before = [_updates(page) for page in others]
            _new_sample(sessions, 2)
            for page, seen in zip(others, before, strict=True):
                wait_until(lambda page=page, seen=seen: _updates(page) > seen, 15, "the update after the take-over")
            assert len(feed.subscribers) == 1
            # The session ends elsewhere: every tab is told (through the one stream) and shows the login.
            with sessions() as s:
                assert revoke_sessions(s, "duty") == 1
            for page in others:
                expect(page.locator("input[name=username]")).to_be_visible(timeout=15000)
            wait_until(lambda: not feed.subscribers, 10, "no stream left")
        finally:
            browser.close()
