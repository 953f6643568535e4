from __future__ import annotations

import datetime as dt

import pytest

from monitor.config import ScoringConfig
from monitor.scoring.score import DayInput, DayStatus, Observation, score_day

RULES = ScoringConfig()
DAY = dt.date(2026, 11, 27)
T0 = dt.datetime(2026, 11, 26, 23, tzinfo=dt.UTC)  # 07:00 in Shanghai


def _slot(i: int) -> dt.datetime:
    return T0 + dt.timedelta(minutes=5 * i)


def _day(
    observations: list[Observation], cameras: int = 1, expected: bool = True, structure: float | None = None
) -> DayInput:
    return DayInput("s1", DAY, expected, cameras, 144, 300, observations, structure)


def test_the_worked_example_of_docs_scoring() -> None:
    """docs/scoring.md walks through exactly this day."""
    obs = []
    for i in range(140):  # camera A saw 140 of the 144 slots, camera B 120
        obs.append(Observation(_slot(i), "A", "online", 0.5 if i < 100 else 0.0, 1, 1 if i < 90 else 0))
        if i < 120:
            obs.append(Observation(_slot(i), "B", "online", 0.0, 0, 0))
    obs += [Observation(_slot(i), "B", "offline") for i in range(120, 144)]
    result = score_day(_day(obs, cameras=2, structure=0.012), RULES)
    c = result.components
    assert (c["samples_expected"], c["samples_seen"], c["coverage"]) == (288, 260, pytest.approx(0.9028, abs=1e-4))
    assert c["active_share"] == pytest.approx(0.7143, abs=1e-4)
    assert (c["avg_moving_workers"], c["avg_working_machines"]) == (1.0, pytest.approx(0.643, abs=1e-3))
    assert c["worker_hours"] == pytest.approx(12.0)
    assert c["machine_hours"] == pytest.approx(7.71)
    assert c["points"] == {"activity": 32.1, "work": 43.9, "structure": 4.0}
    assert result.score == 80.1  # the unrounded points add up to 80.07
    assert result.status is DayStatus.active


def _uniform(
    n_seen: int, activity: float, workers: int, machines: int, status: str = "online", offset: int = 0
) -> list[Observation]:
    return [Observation(_slot(offset + i), "A", status, activity, workers, machines) for i in range(n_seen)]


@pytest.mark.parametrize(
    ("observations", "expected_work", "status", "score"),
    [
        (_uniform(144, 0.75, 4, 1), True, DayStatus.active, 45 + 45),  # busy all day, no structure zone
        (_uniform(144, 0.25, 1, 0), True, DayStatus.active, 45 + 45 * 1 / 3),  # a worker at work all day
        (_uniform(72, 0.25, 1, 0) + _uniform(72, 0.0, 0, 0, offset=72), True, DayStatus.low_activity, 22.5 + 7.5),
        (_uniform(144, 0.0, 0, 0), True, DayStatus.idle, 0.0),
        (_uniform(144, 0.1, 0, 0), True, DayStatus.idle, 0.0),  # a little motion below the sample level
        (_uniform(60, 0.75, 4, 1), True, DayStatus.camera_outage, None),  # 42 % coverage: an outage
        (_uniform(144, 0.0, 0, 0, status="frozen"), True, DayStatus.camera_outage, None),  # a frozen picture
        ([], True, DayStatus.camera_outage, None),  # no data at all: never a zero for an idle site
        (_uniform(144, 0.75, 4, 1), False, DayStatus.not_expected, None),  # signed, holiday or day off
    ],
    ids=["active", "one-worker", "half-day", "idle", "below-level", "outage", "frozen", "no-data", "not-expected"],
)
def test_day_status_and_score(
    observations: list[Observation], expected_work: bool, status: DayStatus, score: float | None
) -> None:
    result = score_day(_day(observations, expected=expected_work), RULES)
    assert result.status is status
    assert result.score == (None if score is None else pytest.approx(score, abs=0.05))


def test_the_same_samples_give_the_same_score_in_any_order() -> None:
    obs = _uniform(144, 0.5, 2, 1)
    assert score_day(_day(obs), RULES) == score_day(_day(list(reversed(obs))), RULES)


def test_a_worker_seen_by_two_cameras_counts_once() -> None:
    both = [Observation(_slot(i), cam, "online", 0.5, 2, 0) for i in range(144) for cam in ("A", "B")]
    one = [Observation(_slot(i), "A", "online", 0.5, 2, 0) for i in range(144)]
    assert score_day(_day(both, cameras=2), RULES).components["worker_hours"] == pytest.approx(24.0)
    assert score_day(_day(one), RULES).components["worker_hours"] == pytest.approx(24.0)


def test_weights_must_add_up_to_100() -> None:
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match="add up to 100"):
        ScoringConfig.model_validate({"weights": {"activity": 50, "work": 50, "structure": 10}})


def test_the_retired_workers_and_machinery_weights_load_as_work(caplog: pytest.LogCaptureFixture) -> None:
    rules = ScoringConfig.model_validate({"weights": {"activity": 40, "workers": 20, "machinery": 25, "structure": 15}})
    assert (rules.weights.activity, rules.weights.work, rules.weights.structure) == (40, 45, 15)
    assert "scoring.weights.work" in caplog.text
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match="not both"):
        ScoringConfig.model_validate({"weights": {"activity": 40, "work": 45, "workers": 0, "structure": 15}})


def test_a_crew_of_eight_without_machines_is_an_active_site() -> None:
    """Eight workers tying rebar and welding: at 5-minute sampling two or three are seen moving at a time,
    in most slots; no machine all day. They earn the work points a machine would (issue 25)."""
    moving = [2, 3, 2, 0, 3, 2, 2, 3, 1, 2, 3, 2]
    obs = [Observation(_slot(i), "A", "online", 0.5 if moving[i % 12] else 0.0, moving[i % 12], 0) for i in range(144)]
    result = score_day(_day(obs), RULES)
    assert result.status is DayStatus.active and result.score is not None and result.score >= 58


def test_a_watchman_crossing_the_yard_once_an_hour_leaves_the_site_idle() -> None:
    obs = [Observation(_slot(i), "A", "online", 0.25 if i % 12 == 6 else 0.0, int(i % 12 == 6), 0) for i in range(144)]
    assert score_day(_day(obs), RULES).status is DayStatus.idle
