"""The durable outbox to the scheduling system: a record is delivered only on a 2xx, retried with
exponential back-off, and the state lives in the database, so restarts lose nothing."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import logging
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from monitor import posting
from monitor.config import AppConfig
from monitor.config.settings import DeliveryConfig
from monitor.core.redact import mask_url
from monitor.export.report import BATCH_ZH, STATUS_ZH, Observed, observed
from monitor.store import models
from monitor.store.periods import batches_today

log = logging.getLogger(__name__)
RECORD_SCHEMA = "sitemon.site-day/1"


def record(config: AppConfig, score: models.DailyScore, seen: Observed, batch: str | None = None) -> dict[str, object]:
    """The JSON record for one site and day (schema in docs/export.md); ``batch``: the site's batch on that
    day (default: the configured one)."""
    site = next(s for s in config.sites if s.id == score.site_id)
    batch = batch or site.batch.value
    return {
        "schema": RECORD_SCHEMA,
        "idempotency_key": f"{score.site_id}:{score.day.isoformat()}",
        "site_id": site.id,
        "site_name": site.name,
        "district": site.district,
        "batch": batch,
        "batch_zh": BATCH_ZH[batch],
        "responsible_unit": site.responsible_unit,
        "day": score.day.isoformat(),
        "score": score.score,
        "status": score.status,
        "status_zh": STATUS_ZH.get(score.status, score.status),
        "components": score.components,
        "partial": seen.partial,
        "observed_until": seen.until.isoformat(),
    }


def enqueue_day(session: Session, config: AppConfig, day: dt.date, now: dt.datetime) -> int:
    """Queue every scored site of ``day``; a changed score queues a new revision. Returns how many queued.
    While the day's working hours run the records say ``partial``; the evening export sends the whole day
    as a new revision."""
    queued = 0
    seen = observed(config, day, now)
    known = {s.id for s in config.sites}
    batches = batches_today(session, config.sites, day)
    for score in session.scalars(select(models.DailyScore).where(models.DailyScore.day == day)):
        if score.site_id not in known:
            continue
        payload = record(config, score, seen, batches[score.site_id].value)
        row = session.scalars(
            select(models.Delivery).where(models.Delivery.site_id == score.site_id, models.Delivery.day == day)
        ).one_or_none()
        if row is None:
            session.add(
                models.Delivery(
                    site_id=score.site_id,
                    day=day,
                    payload=payload,
                    revision=1,
                    state="pending",
                    attempts=0,
                    next_attempt_at=now,
                    last_error="",
                )
            )
            queued += 1
        elif row.payload != payload:
            row.payload, row.revision, row.state, row.next_attempt_at = payload, row.revision + 1, "pending", now
            queued += 1
    session.commit()
    return queued


def resend(session: Session, day: dt.date, now: dt.datetime, site_ids: set[str] | None = None) -> int:
    """An admin asks for the day again: every (or the given sites') record goes back to pending."""
    rows = session.scalars(select(models.Delivery).where(models.Delivery.day == day)).all()
    count = 0
    for row in rows:
        if site_ids is None or row.site_id in site_ids:
            row.state, row.next_attempt_at, row.attempts = "pending", now, 0
            count += 1
    session.commit()
    return count


def backoff(attempts: int, maximum: float) -> dt.timedelta:
    """30 s, 60 s, 2 min, 4 min, ... up to ``maximum``."""
    return dt.timedelta(seconds=min(maximum, 30 * 2 ** max(0, attempts - 1)))


@dataclass(frozen=True)
class RoundResult:
    delivered: int
    failed: int


class Deliverer:
    def __init__(self, delivery: DeliveryConfig) -> None:
        self._config = delivery
        self._url = delivery.url.get_secret_value()
        self.display_url = mask_url(self._url)

    def post(self, payload: dict[str, object], revision: int) -> None:
        body = json.dumps(payload, ensure_ascii=False, sort_keys=True).encode("utf-8")
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "Idempotency-Key": str(payload["idempotency_key"]),
            "X-Sitemon-Revision": str(revision),
        }
        if self._config.token:
            headers["Authorization"] = f"Bearer {self._config.token.get_secret_value()}"
        if self._config.hmac_secret:
            digest = hmac.new(self._config.hmac_secret.get_secret_value().encode(), body, hashlib.sha256).hexdigest()
            headers["X-Sitemon-Signature"] = f"sha256={digest}"
        posting.post(self._url, body, headers, self._config.timeout_seconds)

    def run_round(self, session: Session, now: dt.datetime, limit: int = 200) -> RoundResult:
        """Try every record that is due; each outcome is committed before the next, so a kill loses nothing."""
        due = session.scalars(
            select(models.Delivery)
            .where(models.Delivery.state == "pending", models.Delivery.next_attempt_at <= now)
            .order_by(models.Delivery.day, models.Delivery.site_id)
            .limit(limit)
        ).all()
        delivered = failed = 0
        for row in due:
            try:
                self.post(row.payload, row.revision)
            except posting.PostError as exc:
                row.attempts += 1
                row.last_error = posting.failure(exc, self.display_url)
                row.next_attempt_at = now + backoff(row.attempts, self._config.retry_max_seconds)
                failed += 1
            else:
                row.state, row.delivered_at, row.last_error = "delivered", now, ""
                row.attempts += 1
                delivered += 1
            session.commit()
        if due:
            log.info("delivery: %d delivered, %d to retry", delivered, failed)
        return RoundResult(delivered, failed)
