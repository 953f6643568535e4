"""The assignment screens in a real browser (Debian's chromium via Playwright): the operator assigns from an
alert, the unit sees only its own sites and replies, another unit sees none of it, the operator closes on the
camera evidence."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from api import create_app
from monitor.alerts.engine import evaluate
from monitor.alerts.lifecycle import AlertEvent
from monitor.assignments.store import refresh
from monitor.config import AppConfig
from monitor.store import make_engine, make_session_factory, migrate, models
from tests.api.units_world import PASSWORD, seed, world_config
from tests.fixtures.browser import ARGS, ARTIFACTS, CHROMIUM, on_the_tests_clock, require_chromium, served
from tests.fixtures.clock import NOW, ticking


def _after_sweep(session: Session, config: AppConfig, at: dt.datetime) -> list[AlertEvent]:
    """The steps after a sweep that these tests need: the assignments' states, then the alert rules."""
    refresh(session, config, config.calendar.day_of(at))
    return evaluate(session, config, at)


pytestmark = pytest.mark.slow
CLOCK = ticking()
"""The app's clock and the browser's: one day for both."""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, sessionmaker[Session]]]:
    require_chromium()
    tmp = tmp_path_factory.mktemp("assign")
    engine = make_engine(f"sqlite:///{tmp / 'db.sqlite'}")
    migrate(engine)
    sessions = make_session_factory(engine)
    config = world_config()
    seed(sessions, config, tmp / "snaps", NOW)
    app = create_app(sessions, tmp / "snaps", config=config, clock=CLOCK)
    with served(app) as url:
        yield url, sessions
    engine.dispose()


def test_assign_reply_and_close_in_the_browser(server: tuple[str, sessionmaker[Session]]) -> None:
    from playwright.sync_api import Page, expect, sync_playwright

    url, sessions = server
    ARTIFACTS.mkdir(exist_ok=True)
    console: list[str] = []

    def log_in(page: Page, username: str) -> None:
        page.on("console", lambda message: console.append(message.text))
        page.goto(url + "/")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        expect(page.locator("#user")).not_to_have_text("")

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            operator = on_the_tests_clock(
                browser.new_context(viewport={"width": 1400, "height": 900}, locale="zh-CN"), CLOCK
            ).new_page()
            log_in(operator, "operator")
            operator.click("#nav-assignments")
            expect(operator.locator("h2")).to_have_text("交办事项（周交办清单）")
            expect(operator.locator("#assign-alerts tr[data-alert]")).to_have_count(3)
            operator.click("#assign-alerts tr:has-text('测试工地1') button.assign-alert")
            operator.fill("#new-assignment textarea[name=ask]", "请核实停工原因，三日内复工")
            operator.click("#new-assignment button[type=submit]")
            expect(operator.locator("#assignments tr[data-assignment]")).to_have_count(1)
            expect(operator.locator("#assignments")).to_contain_text("城东建设公司")
            expect(operator.locator("#assignments")).to_contain_text("待办")
            # A site and a problem, without an alert: to site2's unit.
            operator.click("#assign-site")
            operator.select_option("#new-assignment select[name=site]", "site2")
            operator.select_option("#new-assignment select[name=problem]", "outage")
            operator.fill("#new-assignment textarea[name=ask]", "修复摄像机")
            operator.click("#new-assignment button[type=submit]")
            expect(operator.locator("#assignments tr[data-assignment]")).to_have_count(2)
            expect(operator.locator("#assignments tr[data-assignment]:has-text('高新投资集团')")).to_contain_text(
                "视频中断"
            )

            unit_a = on_the_tests_clock(
                browser.new_context(viewport={"width": 1400, "height": 900}, locale="zh-CN"), CLOCK
            ).new_page()
            log_in(unit_a, "unit-a")
            expect(unit_a.locator("#unit-sites tr[data-site]")).to_have_count(1)
            expect(unit_a.locator("#unit-sites")).to_contain_text("测试工地1")
            expect(unit_a.locator("#nav-assignments")).to_be_hidden()
            expect(unit_a.locator("#assignments tr[data-assignment]")).to_have_count(1)
            unit_a.fill("textarea.reply-note", "已组织复工，塔吊恢复作业")
            unit_a.click("button.do-reply")
            expect(unit_a.locator("#assignments")).to_contain_text("已回复")
            unit_a.click("button.show-evidence")
            expect(unit_a.locator("#active-days")).to_contain_text("交办以来正常施工天数")
            unit_a.screenshot(path=str(ARTIFACTS / "assignments-unit.png"), full_page=True)
            unit_a.goto(url + "/#/site/site2")  # the dispatch pages are not a unit's: it stays on its own view
            expect(unit_a.locator("#unit-sites tr[data-site]")).to_have_count(1)

            unit_b = on_the_tests_clock(browser.new_context(locale="zh-CN"), CLOCK).new_page()
            log_in(unit_b, "unit-b")
            expect(unit_b.locator("#unit-sites tr[data-site]")).to_have_count(2)
            expect(unit_b.locator("#assignments tr[data-assignment]")).to_have_count(1)
            expect(unit_b.locator("#assignments")).to_contain_text("修复摄像机")
            assert "测试工地1" not in unit_b.content() and "已组织复工" not in unit_b.content()

            # The site works again for three days; sitemon marks it, and the operator closes on the evidence.
            config = world_config()
            today = NOW.astimezone(config.tz).date()
            with sessions() as s:
                row = s.scalars(select(models.Assignment).filter_by(site_id="site1")).one()
                row.assigned_at = NOW - dt.timedelta(days=4)
                for back in (3, 2, 1):
                    score = s.scalars(
                        select(models.DailyScore).filter_by(site_id="site1", day=today - dt.timedelta(days=back))
                    ).one()
                    score.status, score.score = "active", 82.0
                s.commit()
                _after_sweep(s, config, NOW)
            operator.reload()
            expect(operator.locator("#assignments")).to_contain_text("✔")
            operator.click("tr:has-text('测试工地1') button.show-evidence")
            expect(operator.locator("#active-days b")).to_have_text("3")
            expect(operator.locator("#evidence img.snapshot")).to_have_count(1)
            operator.screenshot(path=str(ARTIFACTS / "assignments-operator.png"), full_page=True)
            operator.fill("#close-note", "视频核实已复工")
            operator.click("#do-close")
            expect(operator.locator("#assignments tr[data-assignment]")).to_have_count(1)
            operator.select_option("#a-state", "closed")
            expect(operator.locator("#assignments")).to_contain_text("已销号")
            # This week's list (周交办清单): closed this week, it is still on it; the Word packs are linked.
            with operator.expect_response(lambda r: "/api/assignments?" in r.url and "week=" in r.url) as listed:
                operator.check("#a-week")
            assert listed.value.ok
            expect(operator.locator("#assignments")).to_contain_text("已销号")
            quarter = operator.locator("#dl-review-of option[value^=quarter]").nth(1).get_attribute("value")
            operator.select_option("#dl-review-of", quarter)
            period, first = quarter.split(":")
            expect(operator.locator("#dl-review")).to_have_attribute(
                "href", f"/api/review.docx?period={period}&day={first}"
            )
            expect(operator.locator("#dl-review-of option").nth(0)).to_contain_text("月讲评")
        finally:
            browser.close()
    assert not [c for c in console if "Content Security Policy" in c or "Refused" in c], console
