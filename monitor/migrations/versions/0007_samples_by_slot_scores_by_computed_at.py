"""samples by slot (distributed sweeps), daily scores by computed_at (overview cache key)

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-28 07:20:00
"""
from collections.abc import Sequence

from alembic import op

revision: str = '0007'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('samples', schema=None) as batch_op:
        batch_op.create_index('ix_samples_slot', ['slot_at'], unique=False)
    with op.batch_alter_table('daily_scores', schema=None) as batch_op:
        batch_op.create_index('ix_daily_scores_computed_at', ['computed_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('daily_scores', schema=None) as batch_op:
        batch_op.drop_index('ix_daily_scores_computed_at')
    with op.batch_alter_table('samples', schema=None) as batch_op:
        batch_op.drop_index('ix_samples_slot')
