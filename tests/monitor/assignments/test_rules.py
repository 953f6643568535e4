"""The assignment rules, pure: states, overdue, 活动已恢复, the overdue alert."""

from __future__ import annotations

import datetime as dt

import pytest

from monitor.alerts.assignment_rules import overdue_conditions
from monitor.alerts.rules import AlertType
from monitor.assignments.rules import (
    AssignmentError,
    OverdueFact,
    State,
    activity_resumed,
    check_close,
    check_deadline,
    check_reply,
    state_on,
)

D = dt.date(2026, 11, 2)


def day(n: int) -> dt.date:
    return D + dt.timedelta(days=n)


def test_an_open_assignment_turns_overdue_the_day_after_its_deadline() -> None:
    assert state_on(State.open, D, D) is State.open
    assert state_on(State.open, D, day(1)) is State.overdue
    assert state_on(State.replied, D, day(5)) is State.replied
    assert state_on(State.closed, D, day(5)) is State.closed


def test_replies_and_closing_follow_the_states() -> None:
    check_reply(State.open)
    check_reply(State.overdue)
    with pytest.raises(AssignmentError, match="replied"):
        check_reply(State.replied)
    with pytest.raises(AssignmentError, match="closed"):
        check_reply(State.closed)
    check_close(State.open)
    check_close(State.replied)
    with pytest.raises(AssignmentError, match="closed already"):
        check_close(State.closed)
    with pytest.raises(AssignmentError, match="deadline 2026-11-01 is in the past"):
        check_deadline(day(-1), D)


def test_activity_resumed_needs_the_days_in_a_row_after_the_assignment() -> None:
    days = [
        (day(-2), "active"),  # before the assignment: does not count
        (day(-1), "active"),
        (day(0), "idle"),
        (day(1), "active"),
        (day(2), "active"),
        (day(3), "low_activity"),  # breaks the run
        (day(4), "active"),
        (day(5), "not_expected"),  # a holiday neither counts nor breaks
        (day(6), "active"),
        (day(7), "active"),
    ]
    assert activity_resumed(days, D, 3) == day(7)
    assert activity_resumed(days, D, 2) == day(2)
    assert activity_resumed(days, D, 4) is None
    assert activity_resumed([], D, 1) is None


def test_one_overdue_alert_per_site_naming_every_overdue_assignment() -> None:
    facts = [
        OverdueFact(7, "site2", "高新投资集团", day(-3)),
        OverdueFact(5, "site2", "高新投资集团", day(-1)),
        OverdueFact(9, "site1", "城东建设公司", day(-1)),
    ]
    conditions = overdue_conditions(facts, D)
    assert [c.key.site_id for c in conditions] == ["site1", "site2"]
    assert all(c.key.type is AlertType.assignment_overdue and c.key.camera_id is None for c in conditions)
    assert "#5、#7" in conditions[1].message and "最长逾期 3 天" in conditions[1].message
    assert conditions[1].details["assignments"] == [5, 7]
    assert overdue_conditions([], D) == []


def test_control_characters_are_refused_in_text_and_dropped_from_files() -> None:
    from monitor.assignments.rules import no_control_characters, xml_safe

    assert no_control_characters("复工\n第二行\t好") == "复工\n第二行\t好"
    with pytest.raises(ValueError, match="control character"):
        no_control_characters("a\x08b")
    assert xml_safe("a\x00b\x1fc\x7f\nd") == "abc\nd"
