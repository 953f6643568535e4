"""alerts closed by hand: an operator's word closes an alert, and who said it is kept

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-06 15:00:00

An idle alert now closes only on evidence of work or an operator's word (a stopped site that loses its picture
stays on the idle watch). ``resolved_by`` and ``resolve_note`` record that word; alerts resolved before stay
NULL there (their condition cleared).
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0016'
down_revision: str | None = '0015'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('alerts') as batch:
        batch.add_column(sa.Column('resolved_by', sa.String(length=100), nullable=True))
        batch.add_column(sa.Column('resolve_note', sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('alerts') as batch:
        batch.drop_column('resolve_note')
        batch.drop_column('resolved_by')
