"""camera views and frozen spells: what a camera's memory keeps of its other views and of a frozen run

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06 09:00:00

A dome on cruise shows a few views in turn; each sample is compared with the last of its own view, so the
camera remembers the others (their signatures stacked in one PNG, their slots and machines as JSON) and how
many new views came in a row (a view that never settles is a fault). A frozen camera stays frozen until two
live pictures in a row (``frozen``, ``live``), and a run of repeated pictures is compared with its first
(``anchor_png`` at coarse scale, ``anchor_texture_png``) so that a recorder re-encoding one picture is found
(``reencoded``: the run holds such repeats, and must last longer). Existing rows start with
no other views, not frozen, no anchor: exactly as the memory behaved before. ``machines`` becomes ``boxes``:
the memory keeps the last sample's workers too (a worker the detector misses next time, whose place changed,
moved), so a stored memory holds machines only until its camera's next sample.
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0014'
down_revision: str | None = '0013'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('camera_state') as batch:
        batch.alter_column('machines', new_column_name='boxes')
        batch.add_column(sa.Column('frozen', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.add_column(sa.Column('live', sa.Integer(), nullable=False, server_default='0'))
        batch.add_column(sa.Column('anchor_png', sa.LargeBinary(), nullable=True))
        batch.add_column(sa.Column('anchor_texture_png', sa.LargeBinary(), nullable=True))
        batch.add_column(sa.Column('reencoded', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.add_column(sa.Column('views_png', sa.LargeBinary(), nullable=True))
        batch.add_column(sa.Column('views', sa.JSON(), nullable=False, server_default='[]'))
        batch.add_column(sa.Column('new_views', sa.Integer(), nullable=False, server_default='0'))


def downgrade() -> None:
    with op.batch_alter_table('camera_state') as batch:
        for column in ('new_views', 'views', 'views_png', 'reencoded', 'anchor_texture_png', 'anchor_png', 'live', 'frozen'):
            batch.drop_column(column)
        batch.alter_column('boxes', new_column_name='machines')
