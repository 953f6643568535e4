"""The task message and the Celery settings both sides share."""

from __future__ import annotations

import datetime as dt

import pytest

from monitor.config import parse_config
from monitor.core.values import CameraKey
from monitor.execution.app import SweepTask, config_digest, make_celery, transport_options
from tests.helpers import config_dict

SLOT = dt.datetime(2026, 11, 28, 2, 0, tzinfo=dt.UTC)


def _celery_config(**execution: object):  # type: ignore[no-untyped-def]
    return parse_config(
        config_dict(execution={"mode": "celery", "broker_url": "redis://:Pw-9@127.0.0.1:6379/3", **execution})
    )


def test_a_task_message_survives_the_round_trip_through_json() -> None:
    task = SweepTask(SLOT, (CameraKey("s1", "c1"), CameraKey("s2", "north-gate")), SLOT + dt.timedelta(minutes=5), "ab")
    assert SweepTask.from_message(task.to_message()) == task


@pytest.mark.parametrize(
    ("message", "why"),
    [
        ({"cameras": [], "expires_at": SLOT.isoformat()}, "KeyError"),
        ({"slot_at": "2026-11-28T02:00:00", "cameras": [], "expires_at": SLOT.isoformat()}, "without a zone"),
        ({"slot_at": SLOT.isoformat(), "cameras": [["only-a-site"]], "expires_at": SLOT.isoformat()}, "ValueError"),
        ({"slot_at": "yesterday", "cameras": [], "expires_at": SLOT.isoformat()}, "ValueError"),
    ],
)
def test_a_malformed_message_is_refused_with_the_reason(message: dict[str, object], why: str) -> None:
    with pytest.raises(ValueError, match="malformed sweep task") as info:
        SweepTask.from_message(message)
    assert why in str(info.value)


def test_tasks_are_acknowledged_after_they_finish_and_taken_one_at_a_time() -> None:
    app = make_celery(_celery_config(queue="city.sample", visibility_timeout_seconds=40).execution)
    conf = app.conf
    assert conf.task_acks_late and conf.task_reject_on_worker_lost
    assert conf.worker_prefetch_multiplier == 1
    assert conf.task_default_queue == "city.sample"
    assert conf.broker_transport_options["visibility_timeout"] == 40
    assert conf.task_ignore_result
    app.close()


def test_a_dead_workers_task_is_looked_for_several_times_within_the_visibility_timeout() -> None:
    for visibility in (5, 40, 120, 3600):
        options = transport_options(_celery_config(visibility_timeout_seconds=visibility).execution)
        period = options["unacked_restore_interval"] * options["unacked_restore_throttle"]
        assert 1 <= period <= max(1, visibility / 4)


def test_the_digest_follows_the_cameras_but_not_the_execution_settings() -> None:
    base = config_dict()
    digest = config_digest(parse_config(base))
    assert digest == config_digest(parse_config(config_dict()))
    assert digest == config_digest(_celery_config())  # scheduler (celery) and worker agree
    other = config_dict()
    other["sites"][0]["cameras"][0]["id"] = "cam9"
    assert config_digest(parse_config(other)) != digest
