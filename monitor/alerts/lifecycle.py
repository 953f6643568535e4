"""Alert lifecycle in the database: open -> acknowledged -> resolved; one open alert per site, camera, type."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from sqlalchemy.orm import Session

from monitor.alerts import repository
from monitor.alerts.rules import OPEN_STATES, AlertKey, AlertState, Condition, Severity

log = logging.getLogger(__name__)
__all__ = ["OPEN_STATES", "AlertEvent", "acknowledge", "apply", "close", "open_alerts"]


@dataclass(frozen=True)
class AlertEvent:
    """What sinks are told: an alert opened, escalated, was acknowledged or resolved."""

    kind: str
    alert_id: int
    site_id: str
    camera_id: str | None
    type: str
    severity: str
    message: str
    at: dt.datetime

    def as_dict(self) -> dict[str, object]:
        return {
            "event": self.kind,
            "alert_id": self.alert_id,
            "site_id": self.site_id,
            "camera_id": self.camera_id,
            "type": self.type,
            "severity": self.severity,
            "message": self.message,
            "at": self.at.isoformat(),
        }


def open_alerts(session: Session) -> dict[AlertKey, repository.StoredAlert]:
    """The alerts not resolved, by key."""
    return {a.key: a for a in repository.alerts(session, OPEN_STATES)}


def apply(session: Session, conditions: list[Condition], now: dt.datetime) -> list[AlertEvent]:
    """Open new alerts, escalate, resolve those whose condition cleared. Commits."""
    current = open_alerts(session)
    wanted = {c.key: c for c in conditions}
    events: list[AlertEvent] = []
    for key, cond in wanted.items():
        alert = current.get(key)
        if alert is None:
            alert_id = repository.open_alert(session, cond, now)
            events.append(_event("opened", alert_id, key, cond.severity, cond.message, now))
        elif cond.severity is Severity.critical and alert.severity is not Severity.critical:
            repository.escalate(session, alert.id, cond)
            events.append(_event("escalated", alert.id, key, cond.severity, cond.message, now))
        elif alert.message != cond.message and "保持" not in cond.message:
            repository.reword(session, alert.id, cond)
    for key, alert in current.items():
        if key not in wanted:
            repository.mark_resolved(session, alert.id, now)
            events.append(_event("resolved", alert.id, key, alert.severity, alert.message, now))
    session.commit()
    return events


def acknowledge(session: Session, alert_id: int, user: str, now: dt.datetime) -> AlertEvent | None:
    """Mark an open alert acknowledged by ``user``; None if there is no such open alert."""
    alert = repository.alert(session, alert_id)
    if alert is None or alert.state is not AlertState.open:
        return None
    repository.mark_acknowledged(session, alert_id, user, now)
    session.commit()
    return _event("acknowledged", alert.id, alert.key, alert.severity, alert.message, now)


def close(session: Session, alert_id: int, user: str, now: dt.datetime, note: str = "") -> AlertEvent | None:
    """An operator's word closes an alert that is open or acknowledged (None: there is no such alert). An idle
    alert so closed does not open again until work is seen and then stops again (``rules.site_conditions``);
    other alerts open again while their condition holds."""
    alert = repository.alert(session, alert_id)
    if alert is None or alert.state not in OPEN_STATES:
        return None
    repository.mark_resolved(session, alert_id, now, user, note or None)
    session.commit()
    return _event("resolved", alert.id, alert.key, alert.severity, alert.message, now)


def _event(kind: str, alert_id: int, key: AlertKey, severity: Severity, message: str, now: dt.datetime) -> AlertEvent:
    return AlertEvent(kind, alert_id, key.site_id, key.camera_id, key.type.value, severity.value, message, now)
