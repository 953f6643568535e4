"""assignments to responsible units and unit users

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-29 02:30:00.000000
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0011'
down_revision: str | None = '0010'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def upgrade() -> None:
    op.create_table('unit_members',
    sa.Column('user_id', BIG_ID, nullable=False),
    sa.Column('unit', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_unit_members_user_id_users')),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_unit_members'))
    )
    op.create_index(op.f('ix_unit_members_unit'), 'unit_members', ['unit'], unique=False)
    op.create_table('assignments',
    sa.Column('id', BIG_ID, autoincrement=True, nullable=False),
    sa.Column('site_id', sa.String(length=64), nullable=False),
    sa.Column('unit', sa.String(length=200), nullable=False),
    sa.Column('alert_id', BIG_ID, nullable=True),
    sa.Column('problem', sa.String(length=30), nullable=False),
    sa.Column('ask', sa.Text(), nullable=False),
    sa.Column('deadline', sa.Date(), nullable=False),
    sa.Column('assigned_by', sa.String(length=100), nullable=False),
    sa.Column('assigned_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('state', sa.String(length=12), nullable=False),
    sa.Column('reply', sa.Text(), nullable=False),
    sa.Column('replied_by', sa.String(length=100), nullable=True),
    sa.Column('replied_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('resumed_on', sa.Date(), nullable=True),
    sa.Column('overdue_since', sa.Date(), nullable=True),
    sa.Column('closed_by', sa.String(length=100), nullable=True),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('close_note', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['alert_id'], ['alerts.id'], name=op.f('fk_assignments_alert_id_alerts')),
    sa.ForeignKeyConstraint(['site_id'], ['sites.id'], name=op.f('fk_assignments_site_id_sites')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assignments'))
    )
    op.create_index('ix_assignments_unit_state', 'assignments', ['unit', 'state'], unique=False)
    op.create_index('ix_assignments_site_state', 'assignments', ['site_id', 'state'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_assignments_site_state', table_name='assignments')
    op.drop_index('ix_assignments_unit_state', table_name='assignments')
    op.drop_table('assignments')
    op.drop_index(op.f('ix_unit_members_unit'), table_name='unit_members')
    op.drop_table('unit_members')
