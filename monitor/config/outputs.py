"""Where sitemon's results go: alert receivers (webhook, MQTT) and the daily assessment (files, delivery)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import Field, ValidationInfo, model_validator

from monitor.config.base import ConfigModel
from monitor.config.env import EnvSecret, EnvUrl
from monitor.config.settings import from_config_folder


class WebhookConfig(ConfigModel):
    url: EnvUrl = Field(description="http(s):// endpoint receiving one JSON POST per alert event")
    token: EnvSecret | None = Field(default=None, description="Sent as 'Authorization: Bearer ...'; use ${VAR}")
    timeout_seconds: float = Field(default=5, gt=0, le=60)
    max_attempts: int = Field(
        default=30,
        ge=1,
        le=1000,
        description="Tries per event (pauses 5 s, 10 s, ... up to 10 min: 30 tries span about 4 hours); then the "
        "event is kept as failed until an operator retries it",
    )
    hmac_secret: EnvSecret | None = Field(default=None, description="Signs each body: X-Sitemon-Signature")


class MqttConfig(ConfigModel):
    host: str = Field(default="127.0.0.1")
    port: int = Field(default=1883, ge=1, le=65535)
    topic_prefix: str = Field(default="sitemon", pattern=r"^[A-Za-z0-9_/-]+$")
    username: str | None = None
    password: EnvSecret | None = Field(default=None, description="Use ${VAR}")


class AlertsConfig(ConfigModel):
    """Alert rules and where alerts go (see docs/alerts.md)."""

    idle_after_hours: float = Field(default=2, gt=0, le=24, description="Working hours without activity: idle")
    idle_escalate_days: int = Field(default=3, ge=1, le=60, description="Idle days in a row that escalate")
    offline_after_minutes: float = Field(default=30, gt=0, description="Camera down this long: offline alert")
    low_coverage_below: float = Field(default=0.5, ge=0, le=1, description="Daily coverage below this: alert")
    webhook: WebhookConfig | None = None
    mqtt: MqttConfig | None = None


class DeliveryConfig(ConfigModel):
    """Where the daily site records go (the scheduling system); see docs/export.md."""

    url: EnvUrl = Field(description="http(s):// endpoint receiving one JSON POST per site and day")
    token: EnvSecret | None = Field(default=None, description="Sent as 'Authorization: Bearer ...'; use ${VAR}")
    hmac_secret: EnvSecret | None = Field(default=None, description="Signs each body: X-Sitemon-Signature")
    timeout_seconds: float = Field(default=10, gt=0, le=120)
    retry_max_seconds: float = Field(default=3600, ge=10, description="Longest pause between two attempts")
    max_attempts: int = Field(
        default=100,
        ge=1,
        le=10000,
        description="Tries per record (pauses 30 s, 60 s, ... up to retry_max_seconds: 100 tries span about 4 "
        "days at the default); then the record is kept as failed until an operator sends it again",
    )


class ExportConfig(ConfigModel):
    """The daily assessment files and their delivery."""

    run_at: dt.time = Field(default=dt.time(21, 0), description="Local time of the daily export (after scoring)")
    folder: str = Field(default="var/exports", description="Where the workbooks, CSV and JSON go")
    delivery: DeliveryConfig | None = None

    @model_validator(mode="before")
    @classmethod
    def _folder_from_config_folder(cls, data: Any, info: ValidationInfo) -> Any:
        return from_config_folder(data, "folder", info)
