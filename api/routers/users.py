"""Admin: users and their login sessions, the API twin of `sitemon users`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Literal, TypeVar

from fastapi import APIRouter, Depends, HTTPException, Path, Request
from pydantic import BaseModel, Field, field_validator, model_validator

from api.auth import UserDep, require
from api.deps import ClockDep, SessionDep, app_now
from api.login_guard import LoginGuard, LoginRefused
from monitor.assignments.units import bind
from monitor.store import users

# Every endpoint here is the admin's.
router = APIRouter(prefix="/api/admin/users", tags=["admin"], dependencies=[Depends(require(users.Role.admin))])
Username = Annotated[str, Path(min_length=1, max_length=64)]
T = TypeVar("T")


class UserAdminOut(BaseModel):
    username: str
    display_name: str
    role: str
    active: bool
    sessions: int = Field(description="live login sessions")
    unit: str | None = Field(default=None, description="the responsible unit of a unit user")


class UserIn(BaseModel):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=8, max_length=200)
    role: Literal["unit", "viewer", "operator", "admin"]
    display_name: str = Field("", max_length=100)
    unit: str | None = Field(default=None, min_length=1, max_length=200, description="with role unit: its 责任单位")

    @field_validator("unit")
    @classmethod
    def _unit_named(cls, value: str | None) -> str | None:
        """Checked before the user is created: a unit of blanks would leave a unit user bound to nothing."""
        if value is not None and not value.strip():
            raise ValueError("give the responsible unit, as the sites' responsible_unit names it")
        return value.strip() if value is not None else None

    @model_validator(mode="after")
    def _unit_with_unit_role(self) -> UserIn:
        if (self.role == "unit") != (self.unit is not None):
            raise ValueError("unit: give it with the role unit, and only then")
        return self


class PasswordIn(BaseModel):
    password: str = Field(min_length=8, max_length=200)


class SessionsOut(BaseModel):
    username: str
    sessions_ended: int


def _out(user: users.Account, sessions: int, unit: str | None = None) -> UserAdminOut:
    return UserAdminOut(
        username=user.username,
        display_name=user.display_name,
        role=user.role.name,
        active=user.active,
        sessions=sessions,
        unit=unit,
    )


def _run(action: Callable[[], T]) -> T:
    try:
        return action()
    except users.UnknownUser as exc:
        raise HTTPException(404, str(exc)) from None
    except users.UserError as exc:
        raise HTTPException(409, str(exc)) from None


async def _hashing(request: Request, action: Callable[[], T]) -> T:
    """Password hashes share the login's bounded hashing threads."""
    guard: LoginGuard = request.app.state.login_guard
    try:
        return await guard.hash_work(lambda: _run(action))
    except LoginRefused as exc:
        raise HTTPException(exc.status, exc.detail, headers={"Retry-After": str(exc.retry_after)}) from None


@router.get("", response_model=list[UserAdminOut])
def list_users(session: SessionDep, clock: ClockDep) -> list[UserAdminOut]:
    return [_out(u.account, u.sessions, u.unit) for u in users.listing(session, clock())]


@router.post("", response_model=UserAdminOut, status_code=201)
async def add_user(body: UserIn, session: SessionDep, request: Request) -> UserAdminOut:
    role = users.Role[body.role]
    user = await _hashing(
        request,
        lambda: users.add_user(session, body.username, body.password, role, body.display_name, now=app_now(request)),
    )
    if body.unit is not None:
        unit = body.unit
        _run(lambda: bind(session, user.username, unit))
    return _out(user, 0, body.unit)


@router.post("/{username}/disable", response_model=SessionsOut)
def disable(username: Username, session: SessionDep, admin: UserDep) -> SessionsOut:
    """Disable the user and end their sessions (an admin cannot disable themself)."""
    if username == admin.username:
        raise HTTPException(409, "you cannot disable yourself")
    return SessionsOut(username=username, sessions_ended=_run(lambda: users.set_active(session, username, False)))


@router.post("/{username}/enable", response_model=SessionsOut)
def enable(username: Username, session: SessionDep) -> SessionsOut:
    return SessionsOut(username=username, sessions_ended=_run(lambda: users.set_active(session, username, True)))


@router.post("/{username}/password", response_model=SessionsOut)
async def set_password(username: Username, body: PasswordIn, session: SessionDep, request: Request) -> SessionsOut:
    """A new password for the user; their sessions end."""
    ended = await _hashing(request, lambda: users.set_password(session, username, body.password))
    return SessionsOut(username=username, sessions_ended=ended)


@router.post("/{username}/revoke", response_model=SessionsOut)
def revoke(username: Username, session: SessionDep) -> SessionsOut:
    """End every session of the user: they are logged out everywhere."""
    return SessionsOut(username=username, sessions_ended=_run(lambda: users.revoke_sessions(session, username)))
