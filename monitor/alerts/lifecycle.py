"""Alert lifecycle in the database: open -> acknowledged -> resolved; one open alert per site, camera, type."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from monitor.alerts.rules import AlertKey, AlertType, Condition, Severity
from monitor.store import models

log = logging.getLogger(__name__)
OPEN_STATES = ("open", "acknowledged")


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


def _camera_ids(session: Session) -> tuple[dict[tuple[str, str], int], dict[int, str]]:
    pks = {(c.site_id, c.camera_id): c.id for c in session.scalars(select(models.Camera))}
    return pks, {pk: cid for (_, cid), pk in pks.items()}


def open_alerts(session: Session) -> dict[AlertKey, models.Alert]:
    _, names = _camera_ids(session)
    rows = session.scalars(select(models.Alert).where(models.Alert.state.in_(OPEN_STATES)))
    return {AlertKey(r.site_id, names.get(r.camera_pk) if r.camera_pk else None, AlertType(r.type)): r for r in rows}


def apply(session: Session, conditions: list[Condition], now: dt.datetime) -> list[AlertEvent]:
    """Open new alerts, escalate, resolve those whose condition cleared. Commits."""
    pks, _ = _camera_ids(session)
    current = open_alerts(session)
    wanted = {c.key: c for c in conditions}
    events: list[AlertEvent] = []
    for key, cond in wanted.items():
        row = current.get(key)
        if row is None:
            row = models.Alert(
                site_id=key.site_id,
                camera_pk=pks.get((key.site_id, key.camera_id)) if key.camera_id else None,
                type=key.type.value,
                severity=cond.severity.value,
                state="open",
                message=cond.message,
                details=cond.details,
                opened_at=now,
            )
            session.add(row)
            session.flush()
            events.append(_event("opened", row, key, now))
        elif cond.severity is Severity.critical and row.severity != Severity.critical.value:
            row.severity, row.message, row.details = cond.severity.value, cond.message, cond.details
            events.append(_event("escalated", row, key, now))
        elif row.message != cond.message and "保持" not in cond.message:
            row.message, row.details = cond.message, cond.details
    for key, row in current.items():
        if key not in wanted:
            row.state, row.resolved_at = "resolved", now
            events.append(_event("resolved", row, key, now))
    session.commit()
    return events


def acknowledge(session: Session, alert_id: int, user: str, now: dt.datetime) -> AlertEvent | None:
    """Mark an open alert acknowledged by ``user``; None if there is no such open alert."""
    row = session.get(models.Alert, alert_id)
    if row is None or row.state != "open":
        return None
    row.state, row.acknowledged_at, row.acknowledged_by = "acknowledged", now, user
    session.commit()
    _, names = _camera_ids(session)
    key = AlertKey(row.site_id, names.get(row.camera_pk) if row.camera_pk else None, AlertType(row.type))
    return _event("acknowledged", row, key, now)


def close(session: Session, alert_id: int, user: str, now: dt.datetime, note: str = "") -> AlertEvent | None:
    """An operator's word closes an alert that is open or acknowledged (None: there is no such alert). An idle
    alert so closed does not open again until work is seen and then stops again (``rules.site_conditions``);
    other alerts open again while their condition holds."""
    row = session.get(models.Alert, alert_id)
    if row is None or row.state not in OPEN_STATES:
        return None
    row.state, row.resolved_at, row.resolved_by, row.resolve_note = "resolved", now, user, note or None
    session.commit()
    _, names = _camera_ids(session)
    key = AlertKey(row.site_id, names.get(row.camera_pk) if row.camera_pk else None, AlertType(row.type))
    return _event("resolved", row, key, now)


def _event(kind: str, row: models.Alert, key: AlertKey, now: dt.datetime) -> AlertEvent:
    return AlertEvent(kind, row.id, key.site_id, key.camera_id, key.type.value, row.severity, row.message, now)
