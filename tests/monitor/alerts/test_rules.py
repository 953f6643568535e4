from __future__ import annotations

import datetime as dt

import pytest

from monitor.alerts.rules import (
    AlertKey,
    AlertType,
    CameraFact,
    OpenAlert,
    Severity,
    SiteFact,
    camera_conditions,
    site_conditions,
)
from monitor.config import AlertsConfig

RULES = AlertsConfig(offline_after_minutes=30, idle_after_hours=2, idle_escalate_days=3)
NOW = dt.datetime(2026, 11, 27, 4, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("status", "minutes_ago", "expected"),
    [
        ("offline", 45, AlertType.camera_offline),
        ("offline", 10, None),  # not yet M minutes
        ("unauthorized", 31, AlertType.camera_offline),
        ("frozen", 1, AlertType.camera_frozen),
        ("black", 1, AlertType.camera_black),
        ("online", 600, None),
    ],
)
def test_camera_rules(status: str, minutes_ago: int, expected: AlertType | None) -> None:
    fact = CameraFact("s1", "c1", status, NOW - dt.timedelta(minutes=minutes_ago), "reason")
    conditions = camera_conditions([fact], NOW, RULES)
    assert [c.key.type for c in conditions] == ([expected] if expected else [])


def test_a_knocked_camera_is_reported_as_moved_and_resolves_with_the_settled_view() -> None:
    reason = "camera view changed: moved 3.7% of the picture, turned +2.6 deg since the previous sample"
    moved = camera_conditions([CameraFact("s1", "c1", "online", NOW, reason, "view_changed")], NOW, RULES)
    assert [(c.key.type, c.severity) for c in moved] == [(AlertType.camera_moved, Severity.warning)]
    assert "视角变化" in moved[0].message and moved[0].details["reason"] == reason
    assert camera_conditions([CameraFact("s1", "c1", "online", NOW, "")], NOW, RULES) == []
    # the words alone no longer decide: the cause does
    assert camera_conditions([CameraFact("s1", "c1", "online", NOW, reason)], NOW, RULES) == []


def _site(**kw: object) -> SiteFact:
    base: dict[str, object] = dict(
        site_id="s1",
        name="城东污水厂",
        started=True,
        working_now=True,
        worked_hours_today=5.0,
        hours_since_activity=None,
        coverage_recent=1.0,
        idle_days_in_a_row=0,
    )
    return SiteFact(**(base | kw))  # type: ignore[arg-type]


IDLE = AlertKey("s1", None, AlertType.site_idle)
OPENED = {IDLE: OpenAlert(NOW - dt.timedelta(hours=20))}
"""An idle alert opened yesterday."""


@pytest.mark.parametrize(
    ("fact", "open_keys", "severity"),
    [
        (_site(), {}, Severity.warning),  # nothing all day, 5 working hours in
        (_site(hours_since_activity=2.5), {}, Severity.warning),
        (_site(hours_since_activity=0.5), {}, None),  # active half an hour ago
        (_site(worked_hours_today=1.0), {}, None),  # too early in the day to say
        (_site(coverage_recent=0.3), {}, None),  # the cameras are down: an outage, not idleness
        (_site(started=False), {}, None),  # signed or in production: no idle rule
        (_site(working_now=False), {}, None),  # night: idleness is not judged
        (_site(working_now=False), OPENED, Severity.warning),  # ... but an open idle alert stays open
        (_site(idle_days_in_a_row=2), {}, Severity.critical),  # third idle day in a row: escalated
        # Once open, only work closes it: not the morning before the idle window has passed, not a lost picture.
        (_site(worked_hours_today=1.0), OPENED, Severity.warning),
        (_site(coverage_recent=0.1, no_video_since=NOW - dt.timedelta(hours=1)), OPENED, Severity.warning),
        (_site(hours_since_activity=0.2, last_activity_at=NOW - dt.timedelta(minutes=12)), OPENED, None),
        # An operator closed it: it does not open again until work is seen and the site stops again.
        (_site(idle_closed_at=NOW - dt.timedelta(hours=3)), {}, None),
        (
            _site(
                hours_since_activity=2.5,
                last_activity_at=NOW - dt.timedelta(hours=2.5),
                idle_closed_at=NOW - dt.timedelta(hours=3),
            ),
            {},
            Severity.warning,
        ),
    ],
)
def test_idle_rule(fact: SiteFact, open_keys: dict[AlertKey, OpenAlert], severity: Severity | None) -> None:
    conditions = [c for c in site_conditions([fact], open_keys, RULES) if c.key.type is AlertType.site_idle]
    assert [c.severity for c in conditions] == ([severity] if severity else [])


def test_low_daily_coverage() -> None:
    low = _site(last_day=dt.date(2026, 11, 26), last_day_coverage=0.3, hours_since_activity=0.1)
    assert [c.key.type for c in site_conditions([low], {}, RULES)] == [AlertType.low_coverage]
    ok = _site(last_day=dt.date(2026, 11, 26), last_day_coverage=0.9, hours_since_activity=0.1)
    assert site_conditions([ok], {}, RULES) == []


def test_an_idle_alert_without_video_says_since_when() -> None:
    lost = NOW - dt.timedelta(hours=1)
    (held,) = site_conditions([_site(coverage_recent=0.0, no_video_since=lost)], OPENED, RULES)
    assert held.details["no_video_since"] == lost.isoformat() and "无视频" in held.message


def test_a_new_view_alert_stays_until_acknowledged_and_an_unstable_view_alerts() -> None:
    moved = AlertKey("s1", "c1", AlertType.camera_moved)
    settled = [CameraFact("s1", "c1", "online", NOW, "")]
    assert [c.key for c in camera_conditions(settled, NOW, RULES, {moved: OpenAlert(NOW)})] == [moved]
    assert camera_conditions(settled, NOW, RULES, {moved: OpenAlert(NOW, acknowledged=True)}) == []
    unstable = camera_conditions([CameraFact("s1", "c1", "unstable", NOW, "", "view_unstable")], NOW, RULES)
    assert [c.key.type for c in unstable] == [AlertType.camera_unstable]
