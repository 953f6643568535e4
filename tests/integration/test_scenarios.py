"""The labelled scenario suite through the production judgement (`monitor.demo.replay`): every day right, no idle
scene ever active, no live scene ever frozen, views that come back compared with themselves, a view that never
settles a camera fault, and the sample-level precision and recall goals."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from monitor.config import AppConfig
from monitor.demo.replay import ReplayResult
from monitor.demo.replay_days import DaysResult
from monitor.execution.local import load_detector
from monitor.sampling.views import UNSTABLE_AFTER
from tests.fixtures import scenarios
from tests.fixtures.scenarios import DAY_SEQUENCES, SCENARIOS, SCENARIOS_II, DaySequence, Scenario

# The module fixtures replay 31 days and the day sequences (minutes of CPU): on a machine shared with other work
# they may take longer than the suite's default 300 s per test.
pytestmark = [pytest.mark.slow, pytest.mark.timeout(1200)]
PRECISION_GOAL, RECALL_GOAL = 0.95, 0.90
RECALL_FLOOR_DEGRADED = 0.85
"""Issue 25's days of degraded video (low bit rate, fog, a safety net, IR, a watchman the detector sees in
half his passes): their misses are pictures where the detector finds nobody; see docs/scoring.md section 6."""
MARGIN = 8.0
"""Every working day scores at least this far above the active line (issue 25)."""


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, ReplayResult]]:
    """Every scenario replayed once with the shipped configuration and model."""
    config = scenarios.suite_config()
    detector = load_detector(config)
    folder: Path = tmp_path_factory.mktemp("scenarios")
    yield {sc.name: scenarios.run(sc, folder / sc.name, config, detector) for sc in SCENARIOS}


def said_active(result: ReplayResult, config: AppConfig) -> list[bool]:
    level = config.scoring.active_sample_level
    return [bool(s.activity is not None and s.activity.level >= level) for s in result.samples]


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.name)
def test_each_scenario_gets_its_day_right(scenario: Scenario, results: dict[str, ReplayResult]) -> None:
    day = results[scenario.name].day
    assert day.status.value == scenario.expected_day, (day.score, day.components)


@pytest.mark.parametrize("scenario", [sc for sc in SCENARIOS if sc.expected_day != "active"], ids=lambda s: s.name)
def test_no_idle_scene_is_ever_active(scenario: Scenario, results: dict[str, ReplayResult]) -> None:
    config = scenarios.suite_config()
    false_active = [
        i
        for i, (a, t) in enumerate(zip(said_active(results[scenario.name], config), scenario.truth, strict=True))
        if a and not t
    ]
    assert false_active == []


@pytest.mark.parametrize("scenario", [sc for sc in SCENARIOS if sc.not_frozen], ids=lambda s: s.name)
def test_no_live_scene_is_ever_frozen(scenario: Scenario, results: dict[str, ReplayResult]) -> None:
    faults = {"unstable"} if scenario.unstable else set()
    assert [s.status.value for s in results[scenario.name].samples if s.status.value not in {"online", *faults}] == []


@pytest.mark.parametrize("scenario", [sc for sc in SCENARIOS if sc.expected_day == "active"], ids=lambda s: s.name)
def test_every_working_day_clears_the_active_line_with_margin(
    scenario: Scenario, results: dict[str, ReplayResult]
) -> None:
    score = results[scenario.name].day.score
    assert score is not None and score >= scenarios.suite_config().scoring.active_score + MARGIN, score


@pytest.mark.parametrize("scenario", [sc for sc in SCENARIOS if sc.unstable], ids=lambda s: s.name)
def test_a_view_that_never_settles_is_a_camera_fault_never_idle_never_activity(
    scenario: Scenario, results: dict[str, ReplayResult]
) -> None:
    samples = results[scenario.name].samples
    assert [s.status.value for s in samples[UNSTABLE_AFTER:]] == ["unstable"] * (len(samples) - UNSTABLE_AFTER)
    assert all(s.cause is not None and s.cause.value == "view_unstable" for s in samples[UNSTABLE_AFTER:])
    assert not any(s.activity and s.activity.level > 0 for s in samples)
    assert results[scenario.name].day.status.value == "camera_outage"


@pytest.mark.parametrize("scenario", [sc for sc in SCENARIOS if not sc.not_frozen], ids=lambda s: s.name)
def test_a_frozen_encoder_is_frozen_from_its_third_sample(scenario: Scenario, results: dict[str, ReplayResult]) -> None:
    """From the third sample; a picture a recorder re-encodes, from the sixth (a longer run, docs/ingestion.md)."""
    statuses = [s.status.value for s in results[scenario.name].samples]
    assert statuses[: scenario.frozen_from] == ["online"] * scenario.frozen_from
    assert set(statuses[scenario.frozen_from :]) == {"frozen"}


def test_a_knock_is_reported_at_its_sample_and_nowhere_else(results: dict[str, ReplayResult]) -> None:
    """A knock, or a dome's preset the first time: a new view at that sample only; a preset it comes back to
    is compared with its own last sample, never reported again."""
    for sc in [sc for sc in SCENARIOS if not sc.unstable]:
        changed = [i for i, s in enumerate(results[sc.name].samples) if s.activity and s.activity.view_changed]
        assert tuple(changed) == sc.view_change_at, sc.name
    returned = [s for s in results["ptz_cruise_crew"].samples if s.activity and s.activity.view_returned]
    assert len(returned) >= len(results["ptz_cruise_crew"].samples) // 2 - 1
    knocked = results["knocked_at_noon"].samples[scenarios.NOON]
    assert "camera view changed" in knocked.reason
    assert knocked.activity is not None and knocked.activity.level == 0


def _confusion(results: dict[str, ReplayResult], suite: tuple[Scenario, ...]) -> tuple[int, int, int]:
    config = scenarios.suite_config()
    tp = fp = fn = 0
    for sc in suite:
        for a, t in zip(said_active(results[sc.name], config), sc.truth, strict=True):
            tp, fp, fn = tp + (a and t), fp + (a and not t), fn + (t and not a)
    return tp, fp, fn


def test_sample_level_precision_and_recall(results: dict[str, ReplayResult]) -> None:
    tp, fp, fn = _confusion(results, SCENARIOS)
    assert tp / (tp + fp) >= PRECISION_GOAL, (tp, fp, fn)
    first = tuple(sc for sc in SCENARIOS if sc not in SCENARIOS_II)
    tp1, fp1, fn1 = _confusion(results, first)
    assert tp1 / (tp1 + fn1) >= RECALL_GOAL, (tp1, fp1, fn1)
    tp2, fp2, fn2 = _confusion(results, SCENARIOS_II)
    assert tp2 / (tp2 + fn2) >= RECALL_FLOOR_DEGRADED, (tp2, fp2, fn2)


@pytest.fixture(scope="module")
def sequences(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, DaysResult]]:
    """Every day sequence replayed once: sampler, scoring, alert rules and lifecycle, day after day."""
    config = scenarios.suite_config()
    detector = load_detector(config)
    folder: Path = tmp_path_factory.mktemp("sequences")
    yield {seq.name: scenarios.run_days(seq, folder, config, detector) for seq in DAY_SEQUENCES}


def _day(k: int) -> dt.date:
    return scenarios.DAY_START.date() + dt.timedelta(days=k)


def _local_day(at: dt.datetime | None) -> dt.date | None:
    return at.astimezone(scenarios.DAY_START.tzinfo).date() if at is not None else None


def _alerts(result: DaysResult, kind: str) -> list[tuple[dt.date | None, dt.date | None]]:
    return [(_local_day(a.opened), _local_day(a.closed)) for a in result.alerts if a.kind == kind]


@pytest.mark.parametrize("sequence", DAY_SEQUENCES, ids=lambda s: s.name)
def test_each_day_of_a_sequence_is_right(sequence: DaySequence, sequences: dict[str, DaysResult]) -> None:
    assert tuple(d.status.value for d in sequences[sequence.name].days) == sequence.expected_days


def test_a_stopped_site_that_goes_dark_stays_on_the_idle_watch(sequences: dict[str, DaysResult]) -> None:
    result = sequences["stopped_then_dark"]
    assert _alerts(result, "site_idle") == [(_day(1), None)]  # opened the first stopped day, never closed
    assert _alerts(result, "camera_offline") == [(_day(3), None)]
    held = next(a for a in result.alerts if a.kind == "site_idle")
    assert "无视频" in held.reason  # and says since when


def test_a_dark_day_does_not_close_the_idle_alert_work_does(sequences: dict[str, DaysResult]) -> None:
    result = sequences["dark_then_working_again"]
    assert _alerts(result, "site_idle") == [(_day(0), _day(2))]
    assert _alerts(result, "camera_offline") == [(_day(1), _day(2))]


def test_a_recorder_frozen_for_three_days_is_one_frozen_alert_and_no_idle_one(sequences: dict[str, DaysResult]) -> None:
    result = sequences["frozen_recorder_three_days"]
    assert _alerts(result, "camera_frozen") == [(_day(0), None)]
    assert _alerts(result, "site_idle") == []
