"""The daily assessment as records for the scheduling system: one per site and day, queued in the outbox
(topic ``assessment``, see ``monitor.delivery``) and sent by the ``deliver-records`` job."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from monitor.config import AppConfig
from monitor.delivery import outbox
from monitor.delivery.receivers import ASSESSMENT
from monitor.export.report import BATCH_ZH, STATUS_ZH, Observed, observed
from monitor.export.repository import ScoredDay, scores_on
from monitor.store.periods import batches_today

RECORD_SCHEMA = "sitemon.site-day/1"


def record(config: AppConfig, score: ScoredDay, seen: Observed, batch: str | None = None) -> dict[str, object]:
    """The JSON record for one site and day (schema in docs/export.md); ``batch``: the site's batch on that
    day (default: the configured one). The components go out as stored, every key."""
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
        "status": score.status.value,
        "status_zh": STATUS_ZH.get(score.status.value, score.status.value),
        "components": score.components.as_stored(),
        "partial": seen.partial,
        "observed_until": seen.until.isoformat(),
    }


def enqueue_day(session: Session, config: AppConfig, day: dt.date, now: dt.datetime) -> int:
    """Queue every scored site of ``day``; a changed score queues a new revision. Returns how many queued.
    While the day's working hours run the records say ``partial``; the evening export sends the whole day
    as a new revision."""
    seen = observed(config, day, now)
    known = {s.id for s in config.sites}
    batches = batches_today(session, config.sites, day)
    messages = [
        outbox.Message(
            topic=ASSESSMENT,
            key=f"{score.site_id}:{score.day.isoformat()}",
            payload=record(config, score, seen, batches[score.site_id].value),
            site_id=score.site_id,
            day=day,
        )
        for score in scores_on(session, day)
        if score.site_id in known
    ]
    queued = outbox.queue(session, messages, now, revise=True)
    session.commit()
    return queued


def resend(session: Session, day: dt.date, now: dt.datetime, site_ids: set[str] | None = None) -> int:
    """An admin asks for the day again: every (or the given sites') record goes back to pending, whatever
    its state (delivered, pending or given up), with a fresh count of attempts."""
    return outbox.retry(session, ASSESSMENT, now, states=outbox.STATES, day=day, site_ids=site_ids)
