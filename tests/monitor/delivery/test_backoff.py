"""The one back-off policy and the loops that use it."""

from __future__ import annotations

import itertools

import pytest

from monitor.config.outputs import DeliveryConfig, WebhookConfig
from monitor.core.backoff import ALERT_WEBHOOK, HELD_SAMPLES, STREAM_RECONNECT, TASK_RETRY, Backoff
from monitor.delivery.receivers import alert_receiver, assessment_receiver


def test_the_pause_doubles_from_the_base_up_to_the_cap() -> None:
    policy = Backoff(base_s=30, cap_s=3600)
    assert [policy.seconds(n) for n in (0, 1, 2, 3, 8, 20)] == [30, 30, 60, 120, 3600, 3600]
    assert policy.delay(3).total_seconds() == 120
    assert Backoff(base_s=1, cap_s=10, factor=3).seconds(3) == 9


def test_a_huge_count_of_failures_stays_at_the_cap() -> None:
    assert Backoff(base_s=5, cap_s=600).seconds(100_000) == 600


def test_pauses_for_a_sleeping_loop_follow_the_same_rule() -> None:
    assert list(itertools.islice(STREAM_RECONNECT.pauses(), 8)) == [1, 2, 4, 8, 16, 32, 60, 60]
    assert list(itertools.islice(HELD_SAMPLES.pauses(), 6)) == [0.5, 1, 2, 4, 8, 10]
    assert [TASK_RETRY.seconds(n) for n in range(1, 6)] == [2, 4, 8, 16, 30]  # what Celery's back-off did


@pytest.mark.parametrize(
    ("fields", "field"), [({"base_s": 0, "cap_s": 1}, "base_s"), ({"base_s": 5, "cap_s": 1}, "cap_s")]
)
def test_a_bad_policy_is_refused_naming_the_field(fields: dict[str, float], field: str) -> None:
    with pytest.raises(ValueError, match=field):
        Backoff(**fields)
    with pytest.raises(ValueError, match="factor"):
        Backoff(base_s=1, cap_s=2, factor=0.5)


def test_each_receiver_keeps_its_pauses_and_its_config_keys() -> None:
    records = assessment_receiver(DeliveryConfig.model_validate({"url": "http://x/r", "retry_max_seconds": 600}))
    assert [records.backoff.seconds(n) for n in (1, 2, 5, 6)] == [30, 60, 480, 600]
    assert records.max_attempts == 100  # the default: about four days at the default cap
    short = assessment_receiver(DeliveryConfig.model_validate({"url": "http://x/r", "retry_max_seconds": 10}))
    assert short.backoff.seconds(1) == 10  # the cap below the base: every pause is the cap, as before
    hook = alert_receiver(WebhookConfig.model_validate({"url": "http://x/h"}))
    assert hook.backoff == ALERT_WEBHOOK and [hook.backoff.seconds(n) for n in (1, 2, 8, 9)] == [5, 10, 600, 600]
    assert hook.max_attempts == 30
