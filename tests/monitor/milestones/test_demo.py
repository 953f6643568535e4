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


def test_the_demo_places_each_site_in_its_county_and_one_goes_into_production_in_its_month() -> None:
    import json
    from pathlib import Path

    import cv2
    import numpy as np

    from monitor.core.geo import read_boundaries

    config = parse_config(demo_config(SAMPLE_VIDEO.parents[1], today=TODAY, clock=fixed()), resolve_sources=False)
    assert config.map.boundaries is not None
    counties = {c.name: c for c in read_boundaries(json.loads(Path(config.map.boundaries).read_text("utf-8")))}
    assert set(counties) == {s.district for s in config.sites}
    for site in config.sites:
        assert site.longitude is not None and site.latitude is not None
        ring = np.array(counties[site.district].geometry["coordinates"][0], np.float32)
        assert cv2.pointPolygonTest(ring, (site.longitude, site.latitude), False) > 0, site.id
    produced = [s for s in config.sites if s.milestones.production.actual is not None]
    assert [(s.id, s.batch) for s in produced] == [("xz-school", Batch.started)]
    actual = produced[0].milestones.production.actual
    assert actual is not None and TODAY - dt.timedelta(days=30) < actual < TODAY  # during the demo's month
