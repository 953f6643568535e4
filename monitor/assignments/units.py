"""Users of the ``unit`` role and the responsible unit each belongs to."""

from __future__ import annotations

from sqlalchemy.orm import Session

from monitor.assignments import repository
from monitor.store.users import Account, Role, UserError, find_user


def is_unit(user: Account) -> bool:
    """Whether the user is a responsible unit's (role ``unit``)."""
    return user.role is Role.unit


def bind(session: Session, username: str, unit: str) -> None:
    """Tie a unit user to a responsible unit (as the sites' ``responsible_unit`` spells it). Commits."""
    unit = unit.strip()
    if not unit:
        raise UserError("unit: give the responsible unit, as the sites' responsible_unit names it")
    user = find_user(session, username)
    if not is_unit(user):
        raise UserError(f"user '{username}' has the role {user.role.name}; only a unit user belongs to a unit")
    repository.bind_unit(session, user.id, unit)


def unit_of(session: Session, user: Account) -> str | None:
    """The unit a unit user sees ("" if none is bound yet: it then sees nothing); None for every other role."""
    if not is_unit(user):
        return None
    unit = repository.unit_of_user(session, user.id)
    return unit if unit is not None else ""


def units(session: Session) -> list[str]:
    """The responsible units of the sites in service."""
    return repository.units(session)


def unit_site_ids(session: Session, unit: str) -> list[str]:
    """The sites in service of ``unit``; none for "" (a unit user not bound yet, never the unowned sites)."""
    if not unit:
        return []
    return repository.unit_site_ids(session, unit)
