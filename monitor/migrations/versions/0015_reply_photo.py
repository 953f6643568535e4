"""reply photo: a responsible unit's photo with its reply to an assignment

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06 12:00:00

The unit answers an assignment with words and, now, a photo of the site (size-capped, an image by its bytes,
re-encoded as a JPEG beside the snapshots). ``reply_photo`` holds its path under the snapshot folder, NULL
when there is none.
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0015'
down_revision: str | None = '0014'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('assignments') as batch:
        batch.add_column(sa.Column('reply_photo', sa.String(length=200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('assignments') as batch:
        batch.drop_column('reply_photo')
