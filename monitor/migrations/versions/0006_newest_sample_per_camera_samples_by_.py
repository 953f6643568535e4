"""newest sample per camera, samples by site and slot

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-28 05:26:25.196634
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op



revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('cameras', schema=None) as batch_op:
        batch_op.add_column(sa.Column('last_sample_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True))

    with op.batch_alter_table('samples', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_samples_site_captured'))
        batch_op.create_index('ix_samples_site_slot', ['site_id', 'slot_at'], unique=False)

    # Existing deployments: point every camera at its newest sample.
    op.execute(
        "UPDATE cameras SET last_sample_id = (SELECT s.id FROM samples s WHERE s.camera_pk = cameras.id "
        "ORDER BY s.slot_at DESC LIMIT 1)"
    )


def downgrade() -> None:
    with op.batch_alter_table('samples', schema=None) as batch_op:
        batch_op.drop_index('ix_samples_site_slot')
        batch_op.create_index(batch_op.f('ix_samples_site_captured'), ['site_id', 'captured_at'], unique=False)

    with op.batch_alter_table('cameras', schema=None) as batch_op:
        batch_op.drop_column('last_sample_id')

