"""Users of the ``unit`` role and the responsible unit each belongs to."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from monitor.store import models
from monitor.store.users import Role, UserError, find_user


def bind(session: Session, username: str, unit: str) -> None:
    """Tie a unit user to a responsible unit (as the sites' ``responsible_unit`` spells it). Commits."""
    unit = unit.strip()
    if not unit:
        raise UserError("unit: give the responsible unit, as the sites' responsible_unit names it")
    user = find_user(session, username)
    if user.role != Role.unit.name:
        raise UserError(f"user '{username}' has the role {user.role}; only a unit user belongs to a unit")
    row = session.get(models.UnitMember, user.id)
    if row is None:
        session.add(models.UnitMember(user_id=user.id, unit=unit))
    else:
        row.unit = unit
    session.commit()


def unit_of(session: Session, user: models.User) -> str | None:
    """The unit a unit user sees ("" if none is bound yet: it then sees nothing); None for every other role."""
    if user.role != Role.unit.name:
        return None
    row = session.get(models.UnitMember, user.id)
    return row.unit if row is not None else ""


def units(session: Session) -> list[str]:
    """The responsible units of the sites in service."""
    query = select(models.Site.responsible_unit).where(models.Site.active, models.Site.responsible_unit != "")
    return sorted(set(session.scalars(query)))


def unit_site_ids(session: Session, unit: str) -> list[str]:
    """The sites in service of ``unit``; none for "" (a unit user not bound yet, never the unowned sites)."""
    if not unit:
        return []
    query = select(models.Site.id).where(models.Site.active, models.Site.responsible_unit == unit)
    return list(session.scalars(query.order_by(models.Site.id)))
