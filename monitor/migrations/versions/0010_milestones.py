"""milestones: planned and actual dates, their changes, start proposals, batch periods

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-29 00:18:00.862222
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0010'
down_revision: str | None = '0009'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('batch_periods',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('site_id', sa.String(length=64), nullable=False),
    sa.Column('batch', sa.String(length=20), nullable=False),
    sa.Column('since', sa.Date(), nullable=False),
    sa.Column('by', sa.String(length=100), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['site_id'], ['sites.id'], name=op.f('fk_batch_periods_site_id_sites')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_batch_periods')),
    sa.UniqueConstraint('site_id', 'since', name=op.f('uq_batch_periods_site_id_since'))
    )
    op.create_table('milestone_changes',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('site_id', sa.String(length=64), nullable=False),
    sa.Column('milestone', sa.String(length=20), nullable=False),
    sa.Column('field', sa.String(length=10), nullable=False),
    sa.Column('old', sa.Date(), nullable=True),
    sa.Column('new', sa.Date(), nullable=True),
    sa.Column('by', sa.String(length=100), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['site_id'], ['sites.id'], name=op.f('fk_milestone_changes_site_id_sites')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_milestone_changes'))
    )
    with op.batch_alter_table('milestone_changes', schema=None) as batch_op:
        batch_op.create_index('ix_milestone_changes_site_at', ['site_id', 'at'], unique=False)

    op.create_table('site_milestones',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('site_id', sa.String(length=64), nullable=False),
    sa.Column('milestone', sa.String(length=20), nullable=False),
    sa.Column('planned', sa.Date(), nullable=True),
    sa.Column('actual', sa.Date(), nullable=True),
    sa.Column('planned_by', sa.String(length=100), nullable=False),
    sa.ForeignKeyConstraint(['site_id'], ['sites.id'], name=op.f('fk_site_milestones_site_id_sites')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_site_milestones')),
    sa.UniqueConstraint('site_id', 'milestone', name=op.f('uq_site_milestones_site_id_milestone'))
    )
    op.create_table('start_proposals',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('site_id', sa.String(length=64), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('last_day', sa.Date(), nullable=False),
    sa.Column('evidence', sa.JSON(), nullable=False),
    sa.Column('state', sa.String(length=12), nullable=False),
    sa.Column('proposed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decided_by', sa.String(length=100), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['site_id'], ['sites.id'], name=op.f('fk_start_proposals_site_id_sites')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_start_proposals'))
    )
    with op.batch_alter_table('start_proposals', schema=None) as batch_op:
        batch_op.create_index('ix_start_proposals_site_state', ['site_id', 'state'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('start_proposals', schema=None) as batch_op:
        batch_op.drop_index('ix_start_proposals_site_state')

    op.drop_table('start_proposals')
    op.drop_table('site_milestones')
    with op.batch_alter_table('milestone_changes', schema=None) as batch_op:
        batch_op.drop_index('ix_milestone_changes_site_at')

    op.drop_table('milestone_changes')
    op.drop_table('batch_periods')
