"""reason causes: the machine-readable cause beside each camera reason

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06 04:00:00

A camera's reason was free text only; the dashboard, the exports and the alerts need to know what it means
without matching words. ``cause`` (a ``Cause`` value, or NULL where the camera was plainly online) sits beside
the reason on the camera, its status changes and its samples. Rows written before stay NULL: their status
still says what kind of fault it was, and the catalogue falls back to the status's wording.
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0013'
down_revision: str | None = '0012'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = (('cameras', 'status_cause'), ('camera_events', 'cause'), ('samples', 'cause'))


def upgrade() -> None:
    for table, column in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column(column, sa.String(length=32), nullable=True))


def downgrade() -> None:
    for table, column in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.drop_column(column)
