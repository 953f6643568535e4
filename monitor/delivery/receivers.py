"""The receivers of the outbox: where a topic's messages go, how they are signed, how often they are tried.

Both get the same POST: the JSON body (keys sorted, UTF-8), ``Idempotency-Key``, ``X-Sitemon-Revision``,
``Authorization: Bearer`` with a token, ``X-Sitemon-Signature: sha256=<HMAC of the body>`` with a secret."""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass, field
from typing import Any

import httpx

from monitor.config.outputs import DeliveryConfig, WebhookConfig
from monitor.core.backoff import ALERT_WEBHOOK, ASSESSMENT_BASE_S, Backoff
from monitor.core.redact import mask_url
from monitor.delivery import http

ASSESSMENT = "assessment"
"""The daily records for the scheduling system (``export.delivery``)."""
ALERT = "alert"
"""The alert events for the webhook (``alerts.webhook``)."""
TOPICS = (ASSESSMENT, ALERT)


@dataclass(frozen=True)
class Receiver:
    topic: str
    url: str = field(repr=False)
    timeout_s: float
    max_attempts: int
    backoff: Backoff
    token: str | None = field(default=None, repr=False)
    hmac_secret: str | None = field(default=None, repr=False)

    @property
    def display_url(self) -> str:
        return mask_url(self.url)

    def headers(self, key: str, body: bytes, revision: int) -> dict[str, str]:
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "Idempotency-Key": key,
            "X-Sitemon-Revision": str(revision),
        }
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        if self.hmac_secret:
            digest = hmac.new(self.hmac_secret.encode(), body, hashlib.sha256).hexdigest()
            headers["X-Sitemon-Signature"] = f"sha256={digest}"
        return headers

    def post(self, key: str, payload: dict[str, Any], revision: int = 1, via: httpx.Client | None = None) -> None:
        """One POST; raises ``http.PostError`` on anything but a 2xx."""
        body = json.dumps(payload, ensure_ascii=False, sort_keys=True).encode("utf-8")
        http.post(self.url, body, self.headers(key, body, revision), self.timeout_s, via)


def _secret(value: Any) -> str | None:
    return value.get_secret_value() if value is not None else None


def assessment_receiver(config: DeliveryConfig) -> Receiver:
    return Receiver(
        topic=ASSESSMENT,
        url=config.url.get_secret_value(),
        timeout_s=config.timeout_seconds,
        max_attempts=config.max_attempts,
        backoff=Backoff(base_s=min(ASSESSMENT_BASE_S, config.retry_max_seconds), cap_s=config.retry_max_seconds),
        token=_secret(config.token),
        hmac_secret=_secret(config.hmac_secret),
    )


def alert_receiver(config: WebhookConfig) -> Receiver:
    return Receiver(
        topic=ALERT,
        url=config.url.get_secret_value(),
        timeout_s=config.timeout_seconds,
        max_attempts=config.max_attempts,
        backoff=ALERT_WEBHOOK,
        token=_secret(config.token),
        hmac_secret=_secret(config.hmac_secret),
    )
