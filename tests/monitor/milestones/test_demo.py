"""The demo's sites carry milestone dates that make every state of the chart visible."""

from __future__ import annotations

import datetime as dt

from monitor.config import Batch, Milestone, parse_config
from monitor.demo.config import demo_config
from monitor.milestones.rates import milestone_state
from tests.fixtures.clock import fixed
from tests.fixtures.servers import SAMPLE_VIDEO

TODAY = dt.date(2026, 11, 29)


def test_every_milestone_state_shows_in_the_demo() -> None:
    config = parse_config(
        demo_config(SAMPLE_VIDEO.parents[1], today=TODAY, clock=fixed()), resolve_sources=False
    )  # no clips written
    states = {
        milestone_state(site.milestones.dates(m).planned, site.milestones.dates(m).actual, TODAY)
        for site in config.sites
        for m in Milestone
    }
    assert states == {"on_time", "late", "overdue", "pending", "no_plan"}
    (signed,) = [s for s in config.sites if s.batch is Batch.signed]
    planned = signed.milestones.start.planned
    assert planned is not None and planned < TODAY  # 未按期开工 shows, and its footage is a site at work
