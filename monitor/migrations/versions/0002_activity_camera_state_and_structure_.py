"""activity, camera state and structure references

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28 04:50:40.676887
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op



revision: str = '0002'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('camera_state',
    sa.Column('camera_pk', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('slot_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('signature_png', sa.LargeBinary(), nullable=False),
    sa.Column('unchanged', sa.Integer(), nullable=False),
    sa.Column('machines', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['camera_pk'], ['cameras.id'], name=op.f('fk_camera_state_camera_pk_cameras')),
    sa.PrimaryKeyConstraint('camera_pk', name=op.f('pk_camera_state'))
    )
    op.create_table('structure_refs',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('camera_pk', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('slot_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('quality', sa.Float(), nullable=False),
    sa.Column('image_png', sa.LargeBinary(), nullable=False),
    sa.ForeignKeyConstraint(['camera_pk'], ['cameras.id'], name=op.f('fk_structure_refs_camera_pk_cameras')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_structure_refs')),
    sa.UniqueConstraint('camera_pk', 'day', name=op.f('uq_structure_refs_camera_pk_day'))
    )
    with op.batch_alter_table('samples', schema=None) as batch_op:
        batch_op.add_column(sa.Column('moving_workers', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('working_machines', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('moving_vehicles', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('motion', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('activity', sa.Float(), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('samples', schema=None) as batch_op:
        batch_op.drop_column('activity')
        batch_op.drop_column('motion')
        batch_op.drop_column('moving_vehicles')
        batch_op.drop_column('working_machines')
        batch_op.drop_column('moving_workers')

    op.drop_table('structure_refs')
    op.drop_table('camera_state')
