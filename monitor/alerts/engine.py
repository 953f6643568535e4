"""Gather the facts from the database, run the rules, record the lifecycle, tell the sinks."""

from __future__ import annotations

import datetime as dt
import logging

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from monitor.alerts import repository
from monitor.alerts.assignment_rules import overdue_conditions
from monitor.alerts.lifecycle import AlertEvent, apply, open_alerts
from monitor.alerts.milestone_facts import milestone_facts
from monitor.alerts.milestone_rules import milestone_conditions
from monitor.alerts.notices import queue_events
from monitor.alerts.repository import camera_facts
from monitor.alerts.rules import AlertState, OpenAlert, SiteFact, camera_conditions, site_conditions
from monitor.alerts.sinks import LogSink, MqttSink, Sink, SinkFanout
from monitor.assignments.store import overdue as overdue_assignments
from monitor.config import AppConfig, Batch, SiteConfig
from monitor.core.calendar import expected_samples
from monitor.core.clock import ensure_utc
from monitor.scoring.daily import work_expected
from monitor.scoring.score import DayStatus
from monitor.store.periods import batch_on

log = logging.getLogger(__name__)


def _idle_days_in_a_row(days: list[repository.PastDay], today: dt.date) -> int:
    count, expect = 0, today - dt.timedelta(days=1)
    for past in days:
        if past.day != expect or past.status != DayStatus.idle:
            break
        count += 1
        expect -= dt.timedelta(days=1)
    return count


def site_fact(session: Session, config: AppConfig, site: SiteConfig, now: dt.datetime) -> SiteFact:
    today = config.calendar.day_of(now)
    start, end = config.calendar.working_window(today)
    batch = batch_on(session, site, today)
    working_now = work_expected(config, site, today, batch) and start <= now < end
    worked_hours = max(0.0, (min(now, end) - start).total_seconds() / 3600)
    last_active = repository.last_active_slot(session, site.id, start, now, config.scoring.active_sample_level)
    since_activity = (now - last_active).total_seconds() / 3600 if last_active is not None else None
    cameras = repository.site_cameras(session, site.id)
    window_start = max(start, now - dt.timedelta(hours=config.alerts.idle_after_hours))
    expected = expected_samples((window_start, now), config.sampling.interval_seconds) * len(site.cameras)
    seen = repository.online_samples(session, site.id, window_start, now)
    days = repository.days_before(session, site.id, today)
    last_score = days[0] if days else None
    return SiteFact(
        site_id=site.id,
        name=site.name,
        started=batch is Batch.started,
        working_now=working_now,
        worked_hours_today=worked_hours,
        hours_since_activity=since_activity,
        coverage_recent=min(1.0, seen / expected) if expected else 0.0,
        idle_days_in_a_row=_idle_days_in_a_row(days, today),
        last_day=last_score.day if last_score else None,
        last_day_coverage=last_score.coverage if last_score else None,
        last_activity_at=last_active,
        no_video_since=max(cameras.last_live) if cameras.last_live else None,
        live_now=cameras.live_now,
        idle_closed_at=repository.idle_closed_by_hand_at(session, site.id),
    )


def evaluate(session: Session, config: AppConfig, now: dt.datetime) -> list[AlertEvent]:
    """Run every rule at ``now`` and record what changed. The assignments' states are read as they are: the
    step before (``monitor.service.jobs.update_assignments``) brings them up to date."""
    cameras = camera_facts(session)
    sites = [site_fact(session, config, s, now) for s in config.sites]
    opened = {
        key: OpenAlert(ensure_utc(alert.opened_at), alert.state is AlertState.acknowledged)
        for key, alert in open_alerts(session).items()
    }
    conditions = camera_conditions(cameras, now, config.alerts, opened) + site_conditions(sites, opened, config.alerts)
    today = config.calendar.day_of(now)
    conditions += milestone_conditions(milestone_facts(session, config, today), today, config.milestones)
    conditions += overdue_conditions(overdue_assignments(session), today)
    return apply(session, conditions, now)


def build_sinks(config: AppConfig) -> list[Sink]:
    """The immediate sinks; the webhook goes through the durable outbox (delivered by the ``alert-webhook``
    job: ``monitor.service.jobs.deliver``)."""
    sinks: list[Sink] = [LogSink()]
    if config.alerts.mqtt is not None:
        sinks.append(MqttSink(config.alerts.mqtt))
    return sinks


class AlertService:
    def __init__(self, config: AppConfig, sessions: sessionmaker[Session], fanout: SinkFanout) -> None:
        self.config = config
        self.sessions = sessions
        self.fanout = fanout
        self._published: dict[tuple[str, str], str] = {}

    def run(self, now: dt.datetime) -> list[AlertEvent]:
        """Evaluate and notify; a database problem is logged, never raised into sampling."""
        try:
            with self.sessions() as session:
                events = evaluate(session, self.config, now)
                if self.config.alerts.webhook is not None:  # the webhook's events wait in the outbox
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

    def close(self) -> None:
        self.fanout.close()
