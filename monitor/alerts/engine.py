"""Gather the facts from the database, run the rules, record the lifecycle, tell the sinks."""

from __future__ import annotations

import datetime as dt
import logging

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from monitor.alerts.assignment_rules import overdue_conditions
from monitor.alerts.lifecycle import AlertEvent, apply, open_alerts
from monitor.alerts.milestone_facts import milestone_facts
from monitor.alerts.milestone_rules import milestone_conditions
from monitor.alerts.notices import queue_events
from monitor.alerts.rules import AlertType, CameraFact, OpenAlert, SiteFact, camera_conditions, site_conditions
from monitor.alerts.sinks import LogSink, MqttSink, Sink, SinkFanout
from monitor.assignments.store import refresh as refresh_assignments
from monitor.config import AppConfig, Batch, SiteConfig
from monitor.core.calendar import expected_samples
from monitor.core.clock import ensure_utc
from monitor.delivery.outbox import deliver_due
from monitor.delivery.receivers import alert_receiver
from monitor.scoring.daily import work_expected
from monitor.store import models
from monitor.store.periods import batch_on

log = logging.getLogger(__name__)


def camera_facts(session: Session) -> list[CameraFact]:
    return [
        CameraFact(c.site_id, c.camera_id, c.status, c.status_since, c.status_reason, c.status_cause)
        for c in session.scalars(select(models.Camera).where(models.Camera.active))
    ]


def _idle_days_in_a_row(session: Session, site_id: str, today: dt.date) -> int:
    rows = session.execute(
        select(models.DailyScore.day, models.DailyScore.status)
        .where(models.DailyScore.site_id == site_id, models.DailyScore.day < today)
        .order_by(models.DailyScore.day.desc())
        .limit(60)
    )
    count, expect = 0, today - dt.timedelta(days=1)
    for day, status in rows:
        if day != expect or status != "idle":
            break
        count += 1
        expect -= dt.timedelta(days=1)
    return count


def site_fact(session: Session, config: AppConfig, site: SiteConfig, now: dt.datetime) -> SiteFact:
    local = now.astimezone(config.tz)
    today = local.date()
    start, end = config.calendar.working_window(today)
    batch = batch_on(session, site, today)
    working_now = work_expected(config, site, today, batch) and start <= now < end
    worked_hours = max(0.0, (min(now, end) - start).total_seconds() / 3600)
    level = config.scoring.active_sample_level
    last_active = session.scalars(
        select(models.Sample.slot_at)
        .where(
            models.Sample.site_id == site.id,
            models.Sample.slot_at >= start,
            models.Sample.slot_at <= now,
            models.Sample.activity >= level,
        )
        .order_by(models.Sample.slot_at.desc())
        .limit(1)
    ).first()
    since_activity = (now - last_active).total_seconds() / 3600 if last_active is not None else None
    cameras = session.execute(
        select(models.Camera.last_online_at, models.Camera.status).where(
            models.Camera.site_id == site.id, models.Camera.active
        )
    ).all()
    live_times = [ensure_utc(t) for t, _ in cameras if t is not None]
    closed_by_hand = session.scalars(
        select(models.Alert.resolved_at)
        .where(
            models.Alert.site_id == site.id,
            models.Alert.type == AlertType.site_idle.value,
            models.Alert.resolved_by.is_not(None),
        )
        .order_by(models.Alert.resolved_at.desc())
        .limit(1)
    ).first()
    window_start = max(start, now - dt.timedelta(hours=config.alerts.idle_after_hours))
    expected = expected_samples((window_start, now), config.sampling.interval_seconds) * len(site.cameras)
    seen = len(
        session.scalars(
            select(models.Sample.id).where(
                models.Sample.site_id == site.id,
                models.Sample.status == "online",
                models.Sample.slot_at >= window_start,
                models.Sample.slot_at <= now,
            )
        ).all()
    )
    last_score = session.scalars(
        select(models.DailyScore)
        .where(models.DailyScore.site_id == site.id, models.DailyScore.day < today)
        .order_by(models.DailyScore.day.desc())
        .limit(1)
    ).first()
    return SiteFact(
        site_id=site.id,
        name=site.name,
        started=batch is Batch.started,
        working_now=working_now,
        worked_hours_today=worked_hours,
        hours_since_activity=since_activity,
        coverage_recent=min(1.0, seen / expected) if expected else 0.0,
        idle_days_in_a_row=_idle_days_in_a_row(session, site.id, today),
        last_day=last_score.day if last_score else None,
        last_day_coverage=(last_score.components or {}).get("coverage") if last_score else None,
        last_activity_at=ensure_utc(last_active) if last_active is not None else None,
        no_video_since=max(live_times) if live_times else None,
        live_now=any(status == "online" for _, status in cameras),
        idle_closed_at=ensure_utc(closed_by_hand) if closed_by_hand is not None else None,
    )


def evaluate(session: Session, config: AppConfig, now: dt.datetime) -> list[AlertEvent]:
    """Run every rule at ``now`` and record what changed."""
    cameras = camera_facts(session)
    sites = [site_fact(session, config, s, now) for s in config.sites]
    opened = {
        key: OpenAlert(ensure_utc(row.opened_at), row.state == "acknowledged")
        for key, row in open_alerts(session).items()
    }
    conditions = camera_conditions(cameras, now, config.alerts, opened) + site_conditions(sites, opened, config.alerts)
    today = config.calendar.day_of(now)
    conditions += milestone_conditions(milestone_facts(session, config, today), today, config.milestones)
    conditions += overdue_conditions(refresh_assignments(session, config, today), today)
    return apply(session, conditions, now)


def build_sinks(config: AppConfig) -> list[Sink]:
    """The immediate sinks; the webhook goes through the durable outbox (``AlertService.deliver``)."""
    sinks: list[Sink] = [LogSink()]
    if config.alerts.mqtt is not None:
        sinks.append(MqttSink(config.alerts.mqtt))
    return sinks


class AlertService:
    def __init__(self, config: AppConfig, sessions: sessionmaker[Session], fanout: SinkFanout) -> None:
        self.config = config
        self.sessions = sessions
        self.fanout = fanout
        self.webhook = alert_receiver(config.alerts.webhook) if config.alerts.webhook is not None else None
        self._published: dict[tuple[str, str], str] = {}

    def run(self, now: dt.datetime) -> list[AlertEvent]:
        """Evaluate and notify; a database problem is logged, never raised into sampling."""
        try:
            with self.sessions() as session:
                events = evaluate(session, self.config, now)
                if self.webhook is not None:
                    queue_events(session, events, now)
                cameras = camera_facts(session)
        except SQLAlchemyError as exc:
            log.error("alerts not evaluated: database error %s", type(exc).__name__)
            return []
        self.fanout.publish(events)
        for c in cameras:
            if self._published.get((c.site_id, c.camera_id)) != c.status:
                self.fanout.camera_status(c.site_id, c.camera_id, c.status, c.reason)
                self._published[(c.site_id, c.camera_id)] = c.status
        return events

    def deliver(self, now: dt.datetime) -> int:
        """Send the webhook events that are due (the scheduler's job); returns how many went out."""
        if self.webhook is None:
            return 0
        try:
            with self.sessions() as session:
                return deliver_due(session, self.webhook, now).delivered
        except SQLAlchemyError as exc:
            log.warning("alert webhook: database unavailable (%s); next round", type(exc).__name__)
            return 0

    def close(self) -> None:
        self.fanout.close()
