"""Stored text written before a secret was known or masked well (``sitemon db redact``): camera reasons,
alert messages and details, outbox errors and payloads, each rewritten through ``redact_text``."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import InstrumentedAttribute, Session

from monitor.core.redact import redact_text
from monitor.store import models

TEXT_COLUMNS: list[InstrumentedAttribute[str]] = [
    models.Camera.masked_url,
    models.Camera.status_reason,
    models.Sample.reason,
    models.CameraEvent.reason,
    models.Alert.message,
    models.OutboxItem.last_error,
]
JSON_COLUMNS: list[InstrumentedAttribute[Any]] = [models.Alert.details, models.OutboxItem.payload]
BATCH = 5_000


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        return redact_text(value)
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_clean(v) for v in value]
    return value


def redact_stored(session: Session) -> dict[str, int]:
    """Rewrite every stored text that holds a URL or a known secret; rows changed per column. Idempotent,
    in batches of primary keys, each committed."""
    changed: dict[str, int] = {}
    columns = [(c, True) for c in TEXT_COLUMNS] + [(c, False) for c in JSON_COLUMNS]
    for column, is_text in columns:
        model = column.class_
        pk = model.id
        count, last = 0, -1
        while True:
            query = select(pk, column).where(pk > last).order_by(pk).limit(BATCH)
            if is_text:
                query = query.where(column != "")
            rows = session.execute(query).all()
            if not rows:
                break
            for row_id, value in rows:
                clean = _clean(value)
                if clean != value:
                    session.execute(update(model).where(pk == row_id).values({column.key: clean}))
                    count += 1
            last = rows[-1][0]
            session.commit()
        changed[f"{model.__tablename__}.{column.key}"] = count
    return changed
