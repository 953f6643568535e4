"""Where sampling runs: in this process (the default) or on Celery workers behind a broker."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import Field, SecretStr, ValidationInfo, field_validator, model_validator

from monitor.config.base import ConfigModel
from monitor.config.env import expand_url, keeps_references
from monitor.core.redact import mask_url, needs_encoding

BROKER_SCHEMES = ("redis", "rediss", "amqp", "amqps", "pyamqp")


class ExecutionMode(StrEnum):
    local = "local"  # one process samples every camera (threads + batched detection); no broker
    celery = "celery"  # the scheduler queues the sweep; `sitemon worker` processes on any machine sample


class ExecutionConfig(ConfigModel):
    """Scale-out: see docs/deployment.md. Everything but ``mode`` matters only with ``mode: celery``."""

    mode: ExecutionMode = Field(default=ExecutionMode.local, description="local (default) or celery")
    broker_url: SecretStr | None = Field(
        default=None,
        description="redis://host:6379/0 or amqp://user:password@host:5672//; use ${VAR} for a password",
    )
    queue: str = Field(
        default="sitemon.sample", pattern=r"^[A-Za-z0-9_.:-]{1,100}$", description="Queue the sweeps go to"
    )
    cameras_per_task: int = Field(default=8, ge=1, le=256, description="Cameras one task samples")
    visibility_timeout_seconds: int = Field(
        default=120,
        ge=5,
        le=86_400,
        description="Redis only: a task taken by a worker that died goes to another after this long",
    )
    sweep_wait_seconds: float | None = Field(
        default=None,
        gt=0,
        le=86_400,
        description="How long the scheduler waits for the workers before scoring (default: 80% of the interval)",
    )
    write_retry_seconds: float = Field(
        default=120, ge=0, le=3600, description="A worker keeps its samples this long while the database is away"
    )

    @field_validator("broker_url", mode="before")
    @classmethod
    def _broker(cls, value: Any, info: ValidationInfo) -> Any:
        if not isinstance(value, str) or keeps_references(info):
            return value
        url = expand_url(value.strip())
        scheme, sep, _ = url.partition("://")
        if not sep or scheme.lower() not in BROKER_SCHEMES:
            raise ValueError("must be a redis://, rediss://, amqp:// or amqps:// URL")
        if needs_encoding(url):
            # kombu would read part of the password as the port and put it in its error message.
            raise ValueError("the password holds / ? or # as they are: percent-encode them (%2F %3F %23)")
        return url

    @model_validator(mode="after")
    def _broker_for_celery(self) -> ExecutionConfig:
        if self.mode is ExecutionMode.celery and self.broker_url is None:
            raise ValueError("mode 'celery' needs broker_url (redis://... or amqp://...)")
        return self

    @property
    def masked_broker_url(self) -> str:
        return mask_url(self.broker_url.get_secret_value()) if self.broker_url is not None else "-"

    @property
    def distributed(self) -> bool:
        return self.mode is ExecutionMode.celery
