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
        obs.append(Observation(_slot(i), "A", "online", 0.5 if i < 100 else 0.0, 3, 1 if i < 90 else 0))
        if i < 120:
            obs.append(Observation(_slot(i), "B", "online", 0.0, 0, 0))
    obs += [Observation(_slot(i), "B", "offline") for i in range(120, 144)]
    result = score_day(_day(obs, cameras=2, structure=0.012), RULES)
    c = result.components
    assert (c["samples_expected"], c["samples_seen"], c["coverage"]) == (288, 260, pytest.approx(0.9028, abs=1e-4))
    assert c["active_share"] == pytest.approx(0.7143, abs=1e-4)
    assert (c["avg_moving_workers"], c["avg_working_machines"]) == (3.0, pytest.approx(0.643, abs=1e-3))
    assert c["worker_hours"] == pytest.approx(36.0)
    assert c["machine_hours"] == pytest.approx(7.71)
    assert c["points"] == {"activity": 28.6, "workers": 15.0, "machinery": 16.1, "structure": 6.0}
    assert result.score == 65.6
    assert result.status is DayStatus.active


def _uniform(n_seen: int, activity: float, workers: int, machines: int, status: str = "online") -> list[Observation]:
    return [Observation(_slot(i), "A", status, activity, workers, machines) for i in range(n_seen)]


@pytest.mark.parametrize(
    ("observations", "expected_work", "status", "score"),
    [
        (_uniform(144, 0.75, 4, 1), True, DayStatus.active, 40 + 20 + 25),  # busy all day, no structure zone
        (_uniform(144, 0.25, 1, 0), True, DayStatus.low_activity, 40 + 20 * 1 / 4),
        (_uniform(144, 0.0, 0, 0), True, DayStatus.idle, 0.0),
        (_uniform(144, 0.1, 0, 0), True, DayStatus.idle, 0.0),  # a little motion below the sample level
        (_uniform(60, 0.75, 4, 1), True, DayStatus.camera_outage, None),  # 42 % coverage: an outage
        (_uniform(144, 0.0, 0, 0, status="frozen"), True, DayStatus.camera_outage, None),  # a frozen picture
        ([], True, DayStatus.camera_outage, None),  # no data at all: never a zero for an idle site
        (_uniform(144, 0.75, 4, 1), False, DayStatus.not_expected, None),  # signed, holiday or day off
    ],
    ids=["active", "low", "idle", "below-level", "outage", "frozen", "no-data", "not-expected"],
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
        ScoringConfig.model_validate({"weights": {"activity": 50, "workers": 50, "machinery": 50, "structure": 0}})
