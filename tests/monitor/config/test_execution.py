"""The execution section: local by default; celery needs a broker and snapshot sampling."""

from __future__ import annotations

import pytest

from monitor.config import ConfigError, ExecutionMode, parse_config
from tests.helpers import config_dict


def _errors(data: dict[str, object]) -> list[str]:
    with pytest.raises(ConfigError) as info:
        parse_config(data)
    return [str(e) for e in info.value.errors]


def test_sampling_runs_in_process_unless_told_otherwise() -> None:
    config = parse_config(config_dict())
    assert config.execution.mode is ExecutionMode.local
    assert not config.execution.distributed


def test_celery_with_a_broker_is_accepted_and_keeps_the_password_secret() -> None:
    data = config_dict(execution={"mode": "celery", "broker_url": "amqp://sitemon:Br0ker-Pw@mq.example:5672//"})
    config = parse_config(data)
    assert config.execution.distributed
    assert "Br0ker-Pw" not in repr(config) and "Br0ker-Pw" not in config.model_dump_json()
    assert config.execution.broker_url is not None
    assert config.execution.broker_url.get_secret_value().endswith("@mq.example:5672//")


def test_celery_without_a_broker_names_the_missing_field() -> None:
    errors = _errors(config_dict(execution={"mode": "celery"}))
    assert errors == ["execution: mode 'celery' needs broker_url (redis://... or amqp://...)"]


def test_a_broker_password_kombu_cannot_read_is_refused_without_echoing_it() -> None:
    errors = _errors(config_dict(execution={"mode": "celery", "broker_url": "amqp://u:Slash/Pw-3@mq:5672//"}))
    assert errors == [
        "execution.broker_url: the password holds / ? or # as they are: percent-encode them (%2F %3F %23)"
    ]
    ok = parse_config(config_dict(execution={"mode": "celery", "broker_url": "amqp://u:Slash%2FPw-3@mq:5672//"}))
    assert ok.execution.masked_broker_url == "amqp://u:***@mq:5672//"


def test_a_broker_url_of_another_kind_is_refused_without_echoing_it() -> None:
    errors = _errors(config_dict(execution={"mode": "celery", "broker_url": "http://u:Secret-1@host/"}))
    assert errors == ["execution.broker_url: must be a redis://, rediss://, amqp:// or amqps:// URL"]


def test_the_broker_password_may_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BROKER_PW", "from-env")
    data = config_dict(execution={"mode": "celery", "broker_url": "redis://:${BROKER_PW}@127.0.0.1:6379/0"})
    url = parse_config(data).execution.broker_url
    assert url is not None and url.get_secret_value() == "redis://:from-env@127.0.0.1:6379/0"
    monkeypatch.delenv("BROKER_PW")
    assert _errors(data) == ["execution.broker_url: environment variable BROKER_PW is not set"]


def test_persistent_streams_are_refused_on_workers_with_every_place_named() -> None:
    data = config_dict(execution={"mode": "celery", "broker_url": "redis://127.0.0.1:6379/0"})
    data["sampling"]["mode"] = "persistent"
    data["sites"][0]["cameras"][0]["mode"] = "persistent"
    (error,) = _errors(data)
    assert error.startswith("sampling.mode, sites[0].cameras[0].mode: 'persistent' keeps a stream open")
    assert "execution.mode 'celery'" in error
    # The same file is fine in one process.
    data.pop("execution")
    assert parse_config(data).sampling.mode.value == "persistent"
