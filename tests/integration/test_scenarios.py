"""The labelled scenario suite through the production judgement (`monitor.service.replay`): every day right, no idle
scene ever active, no live scene ever frozen, and the sample-level precision and recall goals of issue 13."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from monitor.config import AppConfig
from monitor.execution.local import load_detector
from monitor.service.replay import ReplayResult
from tests.fixtures import scenarios
from tests.fixtures.scenarios import SCENARIOS, Scenario

pytestmark = pytest.mark.slow
PRECISION_GOAL, RECALL_GOAL = 0.95, 0.90


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
    assert [s.status.value for s in results[scenario.name].samples if s.status.value != "online"] == []


@pytest.mark.parametrize("scenario", [sc for sc in SCENARIOS if not sc.not_frozen], ids=lambda s: s.name)
def test_a_frozen_encoder_is_frozen_from_its_third_sample(scenario: Scenario, results: dict[str, ReplayResult]) -> None:
    statuses = [s.status.value for s in results[scenario.name].samples]
    assert statuses[:2] == ["online", "online"]
    assert set(statuses[2:]) == {"frozen"}


def test_a_knock_is_reported_at_its_sample_and_nowhere_else(results: dict[str, ReplayResult]) -> None:
    for sc in SCENARIOS:
        changed = [i for i, s in enumerate(results[sc.name].samples) if s.activity and s.activity.view_changed]
        assert tuple(changed) == sc.view_change_at, sc.name
    knocked = results["knocked_at_noon"].samples[scenarios.NOON]
    assert "camera view changed" in knocked.reason
    assert knocked.activity is not None and knocked.activity.level == 0


def test_sample_level_precision_and_recall(results: dict[str, ReplayResult]) -> None:
    config = scenarios.suite_config()
    tp = fp = fn = 0
    for sc in SCENARIOS:
        for a, t in zip(said_active(results[sc.name], config), sc.truth, strict=True):
            tp, fp, fn = tp + (a and t), fp + (a and not t), fn + (t and not a)
    precision, recall = tp / (tp + fp), tp / (tp + fn)
    assert precision >= PRECISION_GOAL and recall >= RECALL_GOAL, (tp, fp, fn, precision, recall)
