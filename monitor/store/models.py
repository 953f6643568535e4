"""Database tables (SQLAlchemy 2.0). Times are stored in UTC; days are local dates."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from monitor.core.clock import ensure_utc

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# BIGINT on PostgreSQL; SQLite only auto-increments an INTEGER primary key.
BigId = BigInteger().with_variant(Integer(), "sqlite")


class UTCDateTime(TypeDecorator[dt.datetime]):
    """Aware UTC datetimes in and out, on every backend (SQLite returns naive values)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(dt.UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        return None if value is None else ensure_utc(value)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Site(Base):
    __tablename__ = "sites"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    district: Mapped[str] = mapped_column(String(100), index=True)
    batch: Mapped[str] = mapped_column(String(20), index=True)
    responsible_unit: Mapped[str] = mapped_column(String(200), default="")
    planned_investment: Mapped[float | None] = mapped_column(Float, nullable=True)
    longitude: Mapped[float | None] = mapped_column(Float, nullable=True)  # WGS-84, for the map
    latitude: Mapped[float | None] = mapped_column(Float, nullable=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    """Set by ``sync_config`` when the config changes the row."""


class Camera(Base):
    __tablename__ = "cameras"
    __table_args__ = (UniqueConstraint("site_id", "camera_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    site_id: Mapped[str] = mapped_column(ForeignKey("sites.id"), index=True)
    camera_id: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(100), default="")
    masked_url: Mapped[str] = mapped_column(Text, default="")
    """The URL with its password replaced by ***: the real one lives only in the config."""
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    status: Mapped[str] = mapped_column(String(20), default="unknown")
    status_reason: Mapped[str] = mapped_column(Text, default="")
    status_cause: Mapped[str | None] = mapped_column(String(32), nullable=True)
    """The machine-readable cause of the status (``Cause``); NULL while plainly online."""
    status_since: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_sample_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_online_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_sample_id: Mapped[int | None] = mapped_column(BigInteger().with_variant(Integer(), "sqlite"), nullable=True)
    """The newest sample (by time): the overview reads it without scanning the samples."""


class Sample(Base):
    __tablename__ = "samples"
    __table_args__ = (
        UniqueConstraint("camera_pk", "slot_at"),
        Index("ix_samples_site_slot", "site_id", "slot_at"),
        Index("ix_samples_slot", "slot_at"),  # which cameras a sweep has done (workers, the scheduler)
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    camera_pk: Mapped[int] = mapped_column(ForeignKey("cameras.id"))
    site_id: Mapped[str] = mapped_column(ForeignKey("sites.id"))
    slot_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    captured_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(Text, default="")
    cause: Mapped[str | None] = mapped_column(String(32), nullable=True)
    workers: Mapped[int | None] = mapped_column(Integer, nullable=True)
    machinery: Mapped[int | None] = mapped_column(Integer, nullable=True)
    vehicles: Mapped[int | None] = mapped_column(Integer, nullable=True)
    detections: Mapped[int] = mapped_column(Integer, default=0)
    snapshot_path: Mapped[str | None] = mapped_column(Text, nullable=True)
    detect_ms: Mapped[float | None] = mapped_column(Float, nullable=True)
    moving_workers: Mapped[int | None] = mapped_column(Integer, nullable=True)
    working_machines: Mapped[int | None] = mapped_column(Integer, nullable=True)
    moving_vehicles: Mapped[int | None] = mapped_column(Integer, nullable=True)
    motion: Mapped[float | None] = mapped_column(Float, nullable=True)
    activity: Mapped[float | None] = mapped_column(Float, nullable=True)


class DailyScore(Base):
    __tablename__ = "daily_scores"
    __table_args__ = (
        UniqueConstraint("site_id", "day"),
        Index("ix_daily_scores_computed_at", "computed_at"),  # the overview's data version
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    site_id: Mapped[str] = mapped_column(ForeignKey("sites.id"))
    day: Mapped[dt.date] = mapped_column(Date, index=True)
    score: Mapped[float | None] = mapped_column(Float, nullable=True)
    status: Mapped[str] = mapped_column(String(20))
    components: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    computed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class Alert(Base):
    __tablename__ = "alerts"
    __table_args__ = (Index("ix_alerts_site_state", "site_id", "state"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    site_id: Mapped[str] = mapped_column(ForeignKey("sites.id"))
    camera_pk: Mapped[int | None] = mapped_column(ForeignKey("cameras.id"), nullable=True)
    type: Mapped[str] = mapped_column(String(30))
    severity: Mapped[str] = mapped_column(String(10), default="warning")
    state: Mapped[str] = mapped_column(String(15), default="open")
    message: Mapped[str] = mapped_column(Text, default="")
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    opened_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    acknowledged_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    acknowledged_by: Mapped[str | None] = mapped_column(String(100), nullable=True)
    resolved_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    resolved_by: Mapped[str | None] = mapped_column(String(100), nullable=True)
    """Who closed it by hand (an operator's word); NULL when its condition cleared."""
    resolve_note: Mapped[str | None] = mapped_column(Text, nullable=True)


class CameraEvent(Base):
    __tablename__ = "camera_events"
    __table_args__ = (Index("ix_camera_events_camera_at", "camera_pk", "at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    camera_pk: Mapped[int] = mapped_column(ForeignKey("cameras.id"))
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    previous_status: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(Text, default="")
    cause: Mapped[str | None] = mapped_column(String(32), nullable=True)


class CameraStateRow(Base):
    """Each camera's sampling memory (last picture signature and texture, frozen count, machine boxes)."""

    __tablename__ = "camera_state"

    camera_pk: Mapped[int] = mapped_column(ForeignKey("cameras.id"), primary_key=True)
    slot_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    signature_png: Mapped[bytes] = mapped_column(LargeBinary)
    texture_png: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    unchanged: Mapped[int] = mapped_column(Integer, default=0)
    boxes: Mapped[list[Any]] = mapped_column(JSON, default=list)
    """What the last sample counted: [category, x1, y1, x2, y2] each (until 0014 machines only)."""
    frozen: Mapped[bool] = mapped_column(Boolean, default=False)
    """Judged frozen at the last sample: it stays so until two live pictures in a row."""
    live: Mapped[int] = mapped_column(Integer, default=0)
    anchor_png: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    """The coarse picture (80x45) the current run of repeated pictures is compared with."""
    anchor_texture_png: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    reencoded: Mapped[bool] = mapped_column(Boolean, default=False)
    views_png: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    """The other views the camera showed lately: their last signatures, stacked top to bottom, newest first."""
    views: Mapped[list[Any]] = mapped_column(JSON, default=list)
    """Of each remembered view: its slot and boxes."""
    new_views: Mapped[int] = mapped_column(Integer, default=0)


class StructureRef(Base):
    """The day's reference picture of a camera's structure zone (daylight, least occluded)."""

    __tablename__ = "structure_refs"
    __table_args__ = (UniqueConstraint("camera_pk", "day"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    camera_pk: Mapped[int] = mapped_column(ForeignKey("cameras.id"))
    day: Mapped[dt.date] = mapped_column(Date)
    slot_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    quality: Mapped[float] = mapped_column(Float)
    image_png: Mapped[bytes] = mapped_column(LargeBinary)


class Lease(Base):
    """A named lease held by one process at a time (the deployment's scheduler)."""

    __tablename__ = "leases"

    name: Mapped[str] = mapped_column(String(50), primary_key=True)
    holder: Mapped[str] = mapped_column(String(200))
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(100), default="")
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(10))  # viewer / operator / admin
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class ApiToken(Base):
    """A login session: only the SHA-256 of the token is stored."""

    __tablename__ = "api_tokens"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class OutboxItem(Base):
    """The durable outbox: one message for a receiver outside sitemon, delivered only on a 2xx.

    ``topic`` names the receiver: ``assessment`` (one record per site and day for the scheduling system,
    ``site_id`` and ``day`` set, a changed record a new ``revision``) or ``alert`` (one row per alert event
    for the webhook, ``alert_id`` set). ``key`` is the receiver's Idempotency-Key. ``state``: pending,
    delivered, or failed once ``max_attempts`` tries failed (kept, retried only when an operator asks)."""

    __tablename__ = "outbox"
    __table_args__ = (
        UniqueConstraint("topic", "key"),
        Index("ix_outbox_topic_state_next", "topic", "state", "next_attempt_at"),
        Index("ix_outbox_topic_day", "topic", "day"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    topic: Mapped[str] = mapped_column(String(20))
    key: Mapped[str] = mapped_column(String(200))
    site_id: Mapped[str | None] = mapped_column(ForeignKey("sites.id"), nullable=True)
    day: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    alert_id: Mapped[int | None] = mapped_column(ForeignKey("alerts.id"), nullable=True)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    revision: Mapped[int] = mapped_column(Integer, default=1)
    state: Mapped[str] = mapped_column(String(12), default="pending")  # pending / delivered / failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    delivered_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)


class SiteMilestone(Base):
    """A site's milestone (start, structure complete, completion, production): planned and actual dates."""

    __tablename__ = "site_milestones"
    __table_args__ = (UniqueConstraint("site_id", "milestone"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    site_id: Mapped[str] = mapped_column(ForeignKey("sites.id"))
    milestone: Mapped[str] = mapped_column(String(20))
    planned: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    actual: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    planned_by: Mapped[str] = mapped_column(String(100), default="config")
    """"config" while the planned date is the file's; the admin's name once changed in the API (the file's
    date then no longer overrides it)."""


class MilestoneChange(Base):
    """Every change of a milestone date: who, when, the old and the new date."""

    __tablename__ = "milestone_changes"
    __table_args__ = (Index("ix_milestone_changes_site_at", "site_id", "at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    site_id: Mapped[str] = mapped_column(ForeignKey("sites.id"))
    milestone: Mapped[str] = mapped_column(String(20))
    field: Mapped[str] = mapped_column(String(10))  # planned / actual
    old: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    new: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    by: Mapped[str] = mapped_column(String(100))
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    note: Mapped[str] = mapped_column(Text, default="")


class StartProposal(Base):
    """A start seen on camera, waiting for an operator (pending), confirmed or rejected, with its evidence."""

    __tablename__ = "start_proposals"
    __table_args__ = (Index("ix_start_proposals_site_state", "site_id", "state"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    site_id: Mapped[str] = mapped_column(ForeignKey("sites.id"))
    day: Mapped[dt.date] = mapped_column(Date)
    """The proposed start: the first active day of the window."""
    last_day: Mapped[dt.date] = mapped_column(Date)
    """The window's last working day: a rejected proposal is never made again from days up to it."""
    evidence: Mapped[list[Any]] = mapped_column(JSON, default=list)
    state: Mapped[str] = mapped_column(String(12), default="pending")  # pending / confirmed / rejected
    proposed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    decided_by: Mapped[str | None] = mapped_column(String(100), nullable=True)
    note: Mapped[str] = mapped_column(Text, default="")


class BatchPeriod(Base):
    """A site's confirmed move to another batch from a day on; before its first row, the config's batch holds."""

    __tablename__ = "batch_periods"
    __table_args__ = (UniqueConstraint("site_id", "since"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    site_id: Mapped[str] = mapped_column(ForeignKey("sites.id"))
    batch: Mapped[str] = mapped_column(String(20))
    since: Mapped[dt.date] = mapped_column(Date)
    by: Mapped[str] = mapped_column(String(100))
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class UnitMember(Base):
    """The responsible unit (责任单位) a user of the ``unit`` role belongs to: all it may see."""

    __tablename__ = "unit_members"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    unit: Mapped[str] = mapped_column(String(200), index=True)


class Assignment(Base):
    """An issue given to a site's responsible unit (交办事项), tracked until closed (销号)."""

    __tablename__ = "assignments"
    __table_args__ = (
        Index("ix_assignments_unit_state", "unit", "state"),
        Index("ix_assignments_site_state", "site_id", "state"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    site_id: Mapped[str] = mapped_column(ForeignKey("sites.id"))
    unit: Mapped[str] = mapped_column(String(200))
    """The site's responsible unit when assigned (kept if the config changes later)."""
    alert_id: Mapped[int | None] = mapped_column(ForeignKey("alerts.id"), nullable=True)
    problem: Mapped[str] = mapped_column(String(30))  # idle / outage / start_overdue / other, or the alert's type
    ask: Mapped[str] = mapped_column(Text)
    deadline: Mapped[dt.date] = mapped_column(Date)
    assigned_by: Mapped[str] = mapped_column(String(100))
    assigned_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    state: Mapped[str] = mapped_column(String(12), default="open")  # open / replied / closed / overdue
    reply: Mapped[str] = mapped_column(Text, default="")
    replied_by: Mapped[str | None] = mapped_column(String(100), nullable=True)
    replied_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    reply_photo: Mapped[str | None] = mapped_column(String(200), nullable=True)
    """The unit's photo with its reply: a JPEG under the snapshot folder (``_assignments/<id>/...``)."""
    resumed_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    """The day sitemon saw the site active again for the configured days (活动已恢复)."""
    overdue_since: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    closed_by: Mapped[str | None] = mapped_column(String(100), nullable=True)
    closed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    close_note: Mapped[str] = mapped_column(Text, default="")
