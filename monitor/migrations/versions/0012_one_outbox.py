"""one outbox: the delivery records and the alert webhook events in one table with a topic

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-29 02:30:00

Every row of ``deliveries`` (topic ``assessment``) and ``alert_outbox`` (topic ``alert``) is copied with its
state, attempts, next attempt, last error and times; delivered rows too, since a delivered record is what
keeps an unchanged day from being sent again. The records keep their ids; the alert events follow them in
their own order (ids of the two old tables overlap). A record had no creation time: its next attempt
stands in. Downgrade copies them back (a record given up becomes pending again, since the old outbox of
records tried forever; the alert events are numbered from 1 in their order; a row the old tables cannot
hold, a record without site and day or an event without alert, is left out).
"""
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = '0012'
down_revision: str | None = '0011'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BigId = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')
UTC = sa.DateTime(timezone=True)

OUTBOX = sa.table(
    'outbox',
    sa.column('id', BigId),
    sa.column('topic', sa.String),
    sa.column('key', sa.String),
    sa.column('site_id', sa.String),
    sa.column('day', sa.Date),
    sa.column('alert_id', BigId),
    sa.column('payload', sa.JSON),
    sa.column('revision', sa.Integer),
    sa.column('state', sa.String),
    sa.column('attempts', sa.Integer),
    sa.column('next_attempt_at', UTC),
    sa.column('last_error', sa.Text),
    sa.column('created_at', UTC),
    sa.column('delivered_at', UTC),
)
DELIVERIES = sa.table(
    'deliveries',
    sa.column('id', BigId),
    sa.column('site_id', sa.String),
    sa.column('day', sa.Date),
    sa.column('payload', sa.JSON),
    sa.column('revision', sa.Integer),
    sa.column('state', sa.String),
    sa.column('attempts', sa.Integer),
    sa.column('next_attempt_at', UTC),
    sa.column('last_error', sa.Text),
    sa.column('delivered_at', UTC),
)
ALERT_OUTBOX = sa.table(
    'alert_outbox',
    sa.column('id', BigId),
    sa.column('key', sa.String),
    sa.column('alert_id', BigId),
    sa.column('payload', sa.JSON),
    sa.column('state', sa.String),
    sa.column('attempts', sa.Integer),
    sa.column('next_attempt_at', UTC),
    sa.column('last_error', sa.Text),
    sa.column('created_at', UTC),
    sa.column('delivered_at', UTC),
)
COMMON = ('payload', 'state', 'attempts', 'next_attempt_at', 'last_error', 'delivered_at')


def _rows(table: Any, *where: Any) -> list[dict[str, Any]]:
    query = sa.select(table).where(*where).order_by(table.c.id)
    return [dict(r._mapping) for r in op.get_bind().execute(query)]


def _restart_ids(table: str) -> None:
    """PostgreSQL: the id sequence continues after the ids copied in."""
    bind = op.get_bind()
    if bind.dialect.name == 'postgresql':
        bind.execute(
            sa.text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), COALESCE(MAX(id), 0) + 1, false) FROM {table}")
        )


def upgrade() -> None:
    op.create_table(
        'outbox',
        sa.Column('id', BigId, autoincrement=True, nullable=False),
        sa.Column('topic', sa.String(length=20), nullable=False),
        sa.Column('key', sa.String(length=200), nullable=False),
        sa.Column('site_id', sa.String(length=64), nullable=True),
        sa.Column('day', sa.Date(), nullable=True),
        sa.Column('alert_id', BigId, nullable=True),
        sa.Column('payload', sa.JSON(), nullable=False),
        sa.Column('revision', sa.Integer(), nullable=False),
        sa.Column('state', sa.String(length=12), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('next_attempt_at', UTC, nullable=False),
        sa.Column('last_error', sa.Text(), nullable=False),
        sa.Column('created_at', UTC, nullable=False),
        sa.Column('delivered_at', UTC, nullable=True),
        sa.ForeignKeyConstraint(['alert_id'], ['alerts.id'], name=op.f('fk_outbox_alert_id_alerts')),
        sa.ForeignKeyConstraint(['site_id'], ['sites.id'], name=op.f('fk_outbox_site_id_sites')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox')),
        sa.UniqueConstraint('topic', 'key', name=op.f('uq_outbox_topic_key')),
    )
    op.create_index('ix_outbox_topic_state_next', 'outbox', ['topic', 'state', 'next_attempt_at'], unique=False)
    op.create_index('ix_outbox_topic_day', 'outbox', ['topic', 'day'], unique=False)

    records = _rows(DELIVERIES)
    copied = [
        {
            **{c: r[c] for c in COMMON},
            'id': r['id'],
            'topic': 'assessment',
            'key': str((r['payload'] or {}).get('idempotency_key') or f"{r['site_id']}:{r['day'].isoformat()}"),
            'site_id': r['site_id'],
            'day': r['day'],
            'alert_id': None,
            'revision': r['revision'],
            'created_at': r['next_attempt_at'],
        }
        for r in records
    ]
    offset = max((r['id'] for r in records), default=0)
    alerts = {a_id: site for a_id, site in op.get_bind().execute(sa.text('SELECT id, site_id FROM alerts'))}
    copied += [
        {
            **{c: r[c] for c in COMMON},
            'id': offset + n,
            'topic': 'alert',
            'key': r['key'],
            'site_id': alerts.get(r['alert_id']),
            'day': None,
            'alert_id': r['alert_id'],
            'revision': 1,
            'created_at': r['created_at'],
        }
        for n, r in enumerate(_rows(ALERT_OUTBOX), start=1)
    ]
    if copied:
        op.bulk_insert(OUTBOX, copied)
    _restart_ids('outbox')
    op.drop_table('alert_outbox')
    op.drop_table('deliveries')


def downgrade() -> None:
    op.create_table(
        'deliveries',
        sa.Column('id', BigId, autoincrement=True, nullable=False),
        sa.Column('site_id', sa.String(length=64), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('payload', sa.JSON(), nullable=False),
        sa.Column('revision', sa.Integer(), nullable=False),
        sa.Column('state', sa.String(length=12), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('next_attempt_at', UTC, nullable=False),
        sa.Column('last_error', sa.Text(), nullable=False),
        sa.Column('delivered_at', UTC, nullable=True),
        sa.ForeignKeyConstraint(['site_id'], ['sites.id'], name=op.f('fk_deliveries_site_id_sites')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_deliveries')),
        sa.UniqueConstraint('site_id', 'day', name=op.f('uq_deliveries_site_id_day')),
    )
    op.create_index('ix_deliveries_state_next', 'deliveries', ['state', 'next_attempt_at'], unique=False)
    op.create_table(
        'alert_outbox',
        sa.Column('id', BigId, autoincrement=True, nullable=False),
        sa.Column('key', sa.String(length=100), nullable=False),
        sa.Column('alert_id', BigId, nullable=False),
        sa.Column('payload', sa.JSON(), nullable=False),
        sa.Column('state', sa.String(length=12), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('next_attempt_at', UTC, nullable=False),
        sa.Column('last_error', sa.Text(), nullable=False),
        sa.Column('created_at', UTC, nullable=False),
        sa.Column('delivered_at', UTC, nullable=True),
        sa.ForeignKeyConstraint(['alert_id'], ['alerts.id'], name=op.f('fk_alert_outbox_alert_id_alerts')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_alert_outbox')),
        sa.UniqueConstraint('key', name=op.f('uq_alert_outbox_key')),
    )
    op.create_index('ix_alert_outbox_state_next', 'alert_outbox', ['state', 'next_attempt_at'], unique=False)

    records = [
        {
            **{c: r[c] for c in COMMON},
            'id': r['id'],
            'site_id': r['site_id'],
            'day': r['day'],
            'revision': r['revision'],
            'state': 'pending' if r['state'] == 'failed' else r['state'],
        }
        for r in _rows(OUTBOX, OUTBOX.c.topic == 'assessment', OUTBOX.c.site_id.is_not(None), OUTBOX.c.day.is_not(None))
    ]
    if records:
        op.bulk_insert(DELIVERIES, records)
    events = [
        {**{c: r[c] for c in COMMON}, 'id': n, 'key': r['key'], 'alert_id': r['alert_id'], 'created_at': r['created_at']}
        for n, r in enumerate(_rows(OUTBOX, OUTBOX.c.topic == 'alert', OUTBOX.c.alert_id.is_not(None)), start=1)
    ]
    if events:
        op.bulk_insert(ALERT_OUTBOX, events)
    _restart_ids('deliveries')
    _restart_ids('alert_outbox')
    op.drop_table('outbox')
