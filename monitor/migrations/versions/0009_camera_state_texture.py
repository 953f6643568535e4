"""camera state: the picture's texture (single pixels, for the frozen rule)

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-29 00:50:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0009'
down_revision: str | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('camera_state') as batch:
        batch.add_column(sa.Column('texture_png', sa.LargeBinary(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('camera_state') as batch:
        batch.drop_column('texture_png')
