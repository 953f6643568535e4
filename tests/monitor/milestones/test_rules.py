"""The milestone rules as tables: start detection, warnings, rates (pure, injected dates)."""

from __future__ import annotations

import datetime as dt

import pytest

from monitor.alerts.milestone_rules import MilestoneFact, milestone_conditions
from monitor.alerts.rules import AlertType
from monitor.config import Batch, Milestone, MilestoneRules
from monitor.milestones.detection import WorkingDay, detect_start
from monitor.milestones.rates import ALL, milestone_state, on_time, production_rates, start_rates
from monitor.store.milestones import SiteDates

D0 = dt.date(2026, 11, 2)  # a Monday
RULES = MilestoneRules()


def _days(pattern: str) -> list[WorkingDay]:
    """'A' active, 'i' idle, 'o' camera outage, '-' not scored; one working day each, from D0."""
    status = {"A": "active", "i": "idle", "o": "camera_outage", "-": None}
    return [WorkingDay(D0 + dt.timedelta(days=n), status[c]) for n, c in enumerate(pattern)]


@pytest.mark.parametrize(
    ("pattern", "start", "window"),
    [
        ("iiiii", None, 0),
        ("AAiii", None, 0),  # two active days are not a start
        ("AAA", 0, 3),  # three in a row: the first of them
        ("AiAiA", 0, 5),  # 3 of 5
        ("AiiiiAiA", None, 0),  # the first A has left the window by the third
        ("AiiiiAiAA", 5, 4),  # ... and the start is the first active day of the window
        ("Ai-oAAA", 4, 3),  # days not scored and camera outages count as not active
        ("-A-A-A", 1, 5),
    ],
)
def test_start_is_the_first_active_day_of_the_first_window_that_holds_enough(
    pattern: str, start: int | None, window: int
) -> None:
    seen = detect_start(_days(pattern), RULES)
    if start is None:
        assert seen is None
        return
    assert seen is not None
    assert seen.day == D0 + dt.timedelta(days=start)
    assert len(seen.window) == window
    assert seen.window[-1].active


def test_start_rule_from_the_config() -> None:
    rules = MilestoneRules(start_active_days=2, start_window_days=2)
    seen = detect_start(_days("AiAA"), rules)
    assert seen is not None and seen.day == D0 + dt.timedelta(days=2)
    with pytest.raises(ValueError, match="start_active_days"):
        MilestoneRules(start_active_days=4, start_window_days=3)


TODAY = dt.date(2026, 11, 20)


def _fact(**kw: object) -> MilestoneFact:
    base: dict[str, object] = {
        "site_id": "s",
        "name": "工地",
        "batch": Batch.signed,
        "planned_start": None,
        "planned_production": None,
        "idle_working_days": 0,
        "planned_completion": None,
        "completed": False,
        "growth": None,
    }
    base.update(kw)
    return MilestoneFact(**base)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("fact", "expected"),
    [
        (_fact(), []),
        (_fact(planned_start=TODAY), []),  # due today: not late yet
        (_fact(planned_start=TODAY - dt.timedelta(days=1)), [AlertType.start_overdue]),
        (_fact(batch=Batch.started, planned_start=TODAY - dt.timedelta(days=9)), []),  # started: no overdue
        (_fact(batch=Batch.started, idle_working_days=4), []),
        (_fact(batch=Batch.started, idle_working_days=5), [AlertType.started_idle]),
        (_fact(idle_working_days=9), []),  # a signed site is not expected to work
        (
            _fact(batch=Batch.started, planned_completion=dt.date(2027, 6, 1), growth=0.002),
            [AlertType.progress_lagging],
        ),
        (_fact(batch=Batch.started, planned_completion=dt.date(2027, 6, 1), growth=0.05), []),
        (_fact(batch=Batch.started, planned_completion=dt.date(2027, 6, 1), growth=None), []),  # not measured
        (_fact(batch=Batch.started, planned_completion=TODAY, growth=0.0), []),  # completion not ahead
        (_fact(batch=Batch.started, planned_completion=dt.date(2027, 6, 1), growth=0.0, completed=True), []),
        (_fact(batch=Batch.started, planned_production=TODAY), []),  # due today: not late yet
        (_fact(batch=Batch.started, planned_production=TODAY - dt.timedelta(days=1)), [AlertType.production_overdue]),
        (_fact(planned_production=TODAY - dt.timedelta(days=1)), []),  # signed: its start warns, not this
        (_fact(batch=Batch.in_production, planned_production=TODAY - dt.timedelta(days=9)), []),  # in production
    ],
)
def test_milestone_warnings(fact: MilestoneFact, expected: list[AlertType]) -> None:
    assert [c.key.type for c in milestone_conditions([fact], TODAY, RULES)] == expected


def test_overdue_grace_and_message() -> None:
    fact = _fact(planned_start=TODAY - dt.timedelta(days=3))
    assert milestone_conditions([fact], TODAY, MilestoneRules(start_overdue_grace_days=3)) == []
    (cond,) = milestone_conditions([fact], TODAY, RULES)
    assert "未按期开工" in cond.message and cond.details == {"planned_start": "2026-11-17", "days_late": 3}


def _site(sid: str, district: str, planned: str | None, actual: str | None, signed: bool = True) -> SiteDates:
    p = dt.date.fromisoformat(planned) if planned else None
    a = dt.date.fromisoformat(actual) if actual else None
    return SiteDates(sid, district, signed, {Milestone.start: p}, {Milestone.start: a})


# A hand-computed case: the month of November 2026, as of 2026-11-30.
SITES = [
    _site("a1", "城东区", "2026-10-10", "2026-10-08"),  # due, started (early, before the month)
    _site("a2", "城东区", "2026-11-05", "2026-11-12"),  # due, started late in the month
    _site("a3", "城东区", "2026-11-20", None),  # due, not started
    _site("a4", "城东区", "2026-12-15", "2026-11-25"),  # not due, started ahead: in the period, not in the rate
    _site("b1", "高新区", "2026-11-01", "2026-11-03"),  # due, started
    _site("b2", "高新区", None, None),  # no planned start: never due
    _site("b3", "高新区", "2026-11-02", "2026-12-02"),  # due, its start is after the date: not started
    _site("c1", "西州区", "2026-11-01", "2026-11-01", signed=False),  # configured started: not in the programme
]


def test_start_rates_per_county_match_the_hand_computed_case() -> None:
    rows = {r.group: r for r in start_rates(SITES, dt.date(2026, 11, 1), dt.date(2026, 11, 30))}
    assert list(rows) == ["城东区", "高新区", ALL]  # 西州区 has no signed project
    east, high, total = rows["城东区"], rows["高新区"], rows[ALL]
    assert (east.signed, east.due, east.started, east.started_in_period, east.rate) == (4, 3, 2, 2, 0.6667)
    assert (high.signed, high.due, high.started, high.started_in_period, high.rate) == (3, 2, 1, 1, 0.5)
    assert (total.signed, total.due, total.started, total.started_in_period, total.rate) == (7, 5, 3, 3, 0.6)


def test_start_rate_of_nothing_due_is_none_not_zero() -> None:
    (total,) = start_rates([_site("x", "城东区", "2027-01-01", None)], dt.date(2026, 11, 1), dt.date(2026, 11, 30))[-1:]
    assert total.due == 0 and total.rate is None


def test_on_time_share_of_each_milestone() -> None:
    shares = {o.milestone: o for o in on_time(SITES, dt.date(2026, 11, 30))}
    start = shares[Milestone.start]
    # due: a1 a2 a3 b1 b3 c1; on time: a1 (early), c1; late: a2 and b1 (after the plan), a3 and b3 (not yet)
    assert (start.due, start.on_time, start.late, start.share) == (6, 2, 4, 0.3333)
    assert shares[Milestone.production].due == 0 and shares[Milestone.production].share is None


@pytest.mark.parametrize(
    ("planned", "actual", "state"),
    [
        (None, None, "no_plan"),
        ("2026-11-30", None, "pending"),
        ("2026-11-19", None, "overdue"),
        ("2026-11-19", "2026-11-19", "on_time"),
        ("2026-11-19", "2026-11-20", "late"),
        (None, "2026-11-20", "on_time"),
    ],
)
def test_milestone_state(planned: str | None, actual: str | None, state: str) -> None:
    p = dt.date.fromisoformat(planned) if planned else None
    a = dt.date.fromisoformat(actual) if actual else None
    assert milestone_state(p, a, TODAY) == state


def test_production_overdue_grace_and_message() -> None:
    fact = _fact(batch=Batch.started, planned_production=TODAY - dt.timedelta(days=2))
    assert milestone_conditions([fact], TODAY, MilestoneRules(production_overdue_grace_days=2)) == []
    (cond,) = milestone_conditions([fact], TODAY, RULES)
    assert "未按期投产" in cond.message and cond.details == {"planned_production": "2026-11-18", "days_late": 2}


def _producing(
    sid: str, district: str, start: str | None, planned: str | None, actual: str | None, signed: bool = False
) -> SiteDates:
    day = dt.date.fromisoformat
    return SiteDates(
        sid,
        district,
        signed,
        {Milestone.production: day(planned) if planned else None},
        {Milestone.start: day(start) if start else None, Milestone.production: day(actual) if actual else None},
    )


# The in-production rate's hand-computed case (docs/milestones.md): November 2026, as of 2026-11-30.
PRODUCING = [
    _producing("p1", "城东区", "2025-03-01", "2026-10-31", "2026-10-20"),  # due, in production on time (before)
    _producing("p2", "城东区", "2025-05-01", "2026-11-10", "2026-11-10"),  # due, on time, in the month
    _producing("p3", "城东区", "2025-06-01", "2026-11-15", "2026-11-22"),  # due, in production late
    _producing("p4", "城东区", "2025-07-01", "2026-11-25", None),  # due, not in production: 未按期投产
    _producing("p5", "城东区", "2025-08-01", "2027-03-01", "2026-11-28"),  # not due, early: in the period only
    _producing("q1", "高新区", "2026-11-02", "2026-11-20", "2026-11-18", signed=True),  # started in Nov, on time
    _producing("q2", "高新区", None, "2026-11-05", None, signed=True),  # signed, not started: not in the programme
    _producing("q3", "高新区", "2025-09-01", "2026-11-30", "2026-11-29"),  # due on the last day, on time
    _producing("q5", "高新区", "2025-09-01", "2026-11-28", "2026-12-03"),  # due, reached after the date: not yet
    _producing("q4", "高新区", "2025-10-01", None, None),  # no planned production: never due
]


def test_production_rates_per_county_match_the_hand_computed_case() -> None:
    rows = {r.group: r for r in production_rates(PRODUCING, dt.date(2026, 11, 1), dt.date(2026, 11, 30))}
    assert list(rows) == ["城东区", "高新区", ALL]
    east, high, total = rows["城东区"], rows["高新区"], rows[ALL]
    figures = lambda r: (r.started, r.due, r.on_time, r.in_production, r.in_production_in_period, r.rate)  # noqa: E731
    assert figures(east) == (5, 4, 2, 3, 3, 0.5)
    assert figures(high) == (4, 3, 2, 2, 2, 0.6667)
    assert figures(total) == (9, 7, 4, 5, 5, 0.5714)


def test_production_rate_of_nothing_due_is_none_and_a_later_start_is_not_yet_started() -> None:
    site = _producing("x", "城东区", "2026-12-01", "2026-11-20", None, signed=True)
    (total,) = production_rates([site], dt.date(2026, 11, 1), dt.date(2026, 11, 30))
    assert (total.group, total.started, total.due, total.rate) == (ALL, 0, 0, None)
