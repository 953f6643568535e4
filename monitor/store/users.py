"""Users, roles and login tokens (argon2 password hashes; only token hashes are stored)."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from enum import IntEnum
from typing import Any, cast

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import CursorResult, delete, func, select
from sqlalchemy.orm import Session

from monitor.store import models

TOKEN_LIFETIME = dt.timedelta(hours=12)
_hasher = PasswordHasher()


class Role(IntEnum):
    unit = 0  # a responsible unit (责任单位): only its own sites, scores and assignments; replies
    viewer = 1  # dispatch staff: sees everything
    operator = 2  # acknowledges alerts
    admin = 3  # manages users, triggers exports and rescoring

    @classmethod
    def parse(cls, name: str) -> Role:
        try:
            return cls[name]
        except KeyError:
            raise ValueError(f"unknown role '{name}' (unit, viewer, operator or admin)") from None


@dataclass(frozen=True)
class Account:
    """A user as the rest of sitemon reads them: never the password hash."""

    id: int
    username: str
    display_name: str
    role: Role
    active: bool


def _account(user: models.User) -> Account:
    return Account(user.id, user.username, user.display_name, Role[user.role], user.active)


class UserError(ValueError):
    pass


class UnknownUser(UserError):
    pass


def _check_password(password: str) -> None:
    if len(password) < 8:
        raise UserError("password must have at least 8 characters")


def add_user(
    session: Session, username: str, password: str, role: Role, display_name: str = "", *, now: dt.datetime
) -> Account:
    _check_password(password)
    if session.scalars(select(models.User).where(models.User.username == username)).first() is not None:
        raise UserError(f"user '{username}' exists already")
    user = models.User(
        username=username,
        display_name=display_name or username,
        password_hash=_hasher.hash(password),
        role=role.name,
        active=True,
        created_at=now,
    )
    session.add(user)
    session.commit()
    return _account(user)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def login(session: Session, username: str, password: str, now: dt.datetime) -> str | None:
    """A new token for valid credentials, else None (the same answer for an unknown user)."""
    user = session.scalars(select(models.User).where(models.User.username == username)).first()
    if user is None or not user.active:
        _hasher.hash(password)  # same work either way: no timing hint that the user exists
        return None
    try:
        _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return None
    token = secrets.token_urlsafe(32)
    session.execute(delete(models.ApiToken).where(models.ApiToken.expires_at < now))
    session.add(models.ApiToken(token_hash=_digest(token), user_id=user.id, expires_at=now + TOKEN_LIFETIME))
    session.commit()
    return token


def user_for_token(session: Session, token: str, now: dt.datetime) -> Account | None:
    """Who holds ``token``: None when it is unknown or expired, or its user is disabled."""
    row = session.get(models.ApiToken, _digest(token))
    if row is None or row.expires_at < now:
        return None
    user = session.get(models.User, row.user_id)
    return _account(user) if user is not None and user.active else None


def logout(session: Session, token: str) -> None:
    session.execute(delete(models.ApiToken).where(models.ApiToken.token_hash == _digest(token)))
    session.commit()


def account(session: Session, username: str) -> Account | None:
    """The user of that name, or None when there is none."""
    user = session.scalars(select(models.User).where(models.User.username == username)).first()
    return _account(user) if user is not None else None


def _row(session: Session, username: str) -> models.User:
    user = session.scalars(select(models.User).where(models.User.username == username)).first()
    if user is None:
        raise UnknownUser(f"no user '{username}'")
    return user


def find_user(session: Session, username: str) -> Account:
    """The user of that name; ``UnknownUser`` when there is none."""
    return _account(_row(session, username))


def revoke_sessions(session: Session, username: str) -> int:
    """End every login session of the user; the number ended."""
    user = _row(session, username)
    result = session.execute(delete(models.ApiToken).where(models.ApiToken.user_id == user.id))
    session.commit()
    return int(cast("CursorResult[Any]", result).rowcount)


def set_active(session: Session, username: str, active: bool) -> int:
    """Enable or disable a user; disabling ends their sessions (the number ended)."""
    user = _row(session, username)
    user.active = active
    session.commit()
    return 0 if active else revoke_sessions(session, username)


def password_matches(session: Session, username: str, password: str) -> bool:
    """Whether ``password`` is the user's (False for a user that does not exist)."""
    user = session.scalars(select(models.User).where(models.User.username == username)).first()
    if user is None:
        return False
    try:
        return _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def set_password(session: Session, username: str, password: str) -> int:
    """A new password; every session of the user ends (the number ended)."""
    _check_password(password)
    user = _row(session, username)
    user.password_hash = _hasher.hash(password)
    session.commit()
    return revoke_sessions(session, username)


def session_counts(session: Session, now: dt.datetime) -> dict[int, int]:
    """Live sessions per user id."""
    query = (
        select(models.ApiToken.user_id, func.count())
        .where(models.ApiToken.expires_at >= now)
        .group_by(models.ApiToken.user_id)
    )
    return {user_id: int(n) for user_id, n in session.execute(query).all()}


def roles_for_tokens(session: Session, tokens: Iterable[str], now: dt.datetime) -> dict[str, Role]:
    """The role behind each token that is still valid (as `user_for_token` judges it), in one query: the
    tokens of every open live stream are checked together."""
    by_digest = {_digest(token): token for token in tokens}
    if not by_digest:
        return {}
    query = (
        select(models.ApiToken.token_hash, models.User.role)
        .join(models.User, models.User.id == models.ApiToken.user_id)
        .where(models.ApiToken.token_hash.in_(by_digest), models.ApiToken.expires_at >= now, models.User.active)
    )
    return {by_digest[digest]: Role[role] for digest, role in session.execute(query).all()}


@dataclass(frozen=True)
class Listed:
    """A user in the admin's list: their live login sessions and, for a unit user, the unit they belong to
    ("" while none is bound; None for every other role, as ``monitor.assignments.units.unit_of`` says)."""

    account: Account
    sessions: int
    unit: str | None


def listing(session: Session, now: dt.datetime) -> list[Listed]:
    """Every user by name, with their sessions live at ``now`` and their unit, in two queries."""
    live = session_counts(session, now)
    rows = session.execute(
        select(models.User, models.UnitMember.unit)
        .outerjoin(models.UnitMember, models.UnitMember.user_id == models.User.id)
        .order_by(models.User.username)
    )
    listed = []
    for user, unit in rows:
        account = _account(user)
        listed.append(Listed(account, live.get(account.id, 0), (unit or "") if account.role is Role.unit else None))
    return listed
