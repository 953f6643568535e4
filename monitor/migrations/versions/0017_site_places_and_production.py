"""site places and production: each site's WGS-84 coordinates for the map, and production moves the batch

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-06 18:00:00

``sites.longitude`` and ``sites.latitude`` hold the config's coordinates (NULL: not placed). Recording a
site's actual production now moves it to the in-production batch from that day (``batch_periods``); a
production date recorded before this gets its period here, unless the site was configured in production or
already has a period on that day.
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0017'
down_revision: str | None = '0016'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('sites') as batch:
        batch.add_column(sa.Column('longitude', sa.Float(), nullable=True))
        batch.add_column(sa.Column('latitude', sa.Float(), nullable=True))
    op.execute(
        """
        INSERT INTO batch_periods (site_id, batch, since, "by", "at")
        SELECT m.site_id, 'in_production', m.actual, 'migration', CURRENT_TIMESTAMP
        FROM site_milestones m JOIN sites s ON s.id = m.site_id
        WHERE m.milestone = 'production' AND m.actual IS NOT NULL AND s.batch <> 'in_production'
          AND NOT EXISTS (SELECT 1 FROM batch_periods p WHERE p.site_id = m.site_id AND p.since = m.actual)
        """
    )


def downgrade() -> None:
    op.execute("DELETE FROM batch_periods WHERE batch = 'in_production' AND \"by\" = 'migration'")
    with op.batch_alter_table('sites') as batch:
        batch.drop_column('latitude')
        batch.drop_column('longitude')
