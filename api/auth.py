"""Authentication: Bearer tokens (or the dashboard's cookie); roles are enforced here, on the server."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from typing import Annotated, TypeVar

from fastapi import APIRouter, Depends, HTTPException, Request, Response
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session
from starlette.requests import HTTPConnection

from api.deps import SessionDep, app_now
from api.login_guard import LoginGuard, LoginRefused
from api.unit_scope import refuse_outside_scope
from monitor.store.users import (
    TOKEN_LIFETIME,
    Account,
    Role,
    login,
    logout,
    password_matches,
    set_password,
    user_for_token,
)

COOKIE = "sitemon_token"
log = logging.getLogger(__name__)
T = TypeVar("T")
router = APIRouter(tags=["auth"])


def token_from(connection: HTTPConnection) -> str | None:
    """The Bearer token, else the dashboard's cookie."""
    header = connection.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip() or None
    return connection.cookies.get(COOKIE)


def current_user(request: Request, session: SessionDep) -> Account:
    """The logged-in user (401 without a valid token); a unit user only on the paths its scope allows."""
    token = token_from(request)
    user = user_for_token(session, token, app_now(request)) if token else None
    if user is None:
        raise HTTPException(401, "login required", headers={"WWW-Authenticate": "Bearer"})
    if user.role is Role.unit:
        refuse_outside_scope(request)
    return user


UserDep = Annotated[Account, Depends(current_user)]


def require(role: Role) -> Callable[[Account], Account]:
    """A dependency: the user, once they hold ``role`` or a higher one (403 below it)."""

    def check(user: UserDep) -> Account:
        if user.role < role:
            raise HTTPException(403, f"this needs the {role.name} role; you are {user.role.name}")
        return user

    return check


def named(role: Role) -> Callable[[Account], str]:
    """A dependency: who acts (the name recorded), once ``role`` is checked (403 below it)."""
    check = require(role)

    def who(user: UserDep) -> str:
        checked = check(user)
        return checked.display_name or checked.username

    return who


async def password_checked(request: Request, username: str, work: Callable[[], T | None]) -> T | None:
    """Run ``work``, a password check, under the login limits (429/503 when they refuse): its result, or
    None for a wrong password, which counts as a failure for the user and the client's address."""
    guard: LoginGuard = request.app.state.login_guard
    address = request.client.host if request.client else "unknown"
    try:
        attempt = guard.admit(username, address)
        try:
            result = await guard.hash_work(work)
        except BaseException:
            # Refused before checking, or the check itself failed (a database that cannot be written):
            # not a wrong password, so it must not count towards a lockout.
            guard.succeeded(attempt)
            raise
    except LoginRefused as exc:
        raise HTTPException(exc.status, exc.detail, headers={"Retry-After": str(exc.retry_after)}) from None
    if result is None:
        log.info("wrong password for %r from %s", username, address)
    else:
        guard.succeeded(attempt)
    return result


class LoginIn(BaseModel):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=200)


class UserOut(BaseModel):
    username: str
    display_name: str
    role: str


class LoginOut(UserOut):
    token: str


@router.post(
    "/api/auth/login",
    response_model=LoginOut,
    responses={429: {"description": "too many failed logins"}, 503: {"description": "too many logins at once"}},
)
async def do_login(body: LoginIn, session: SessionDep, request: Request, response: Response) -> LoginOut:
    """Exchange a user name and password for a token (also set as an HttpOnly cookie for the dashboard).
    Failed logins are limited per user and per address (429 with Retry-After)."""
    found = await password_checked(
        request, body.username, lambda: _check(session, body.username, body.password, app_now(request))
    )
    if found is None:
        raise HTTPException(401, "wrong user name or password")
    token, user = found
    secure = request.url.scheme == "https"  # behind a TLS proxy that says so (X-Forwarded-Proto)
    max_age = int(TOKEN_LIFETIME.total_seconds())
    response.set_cookie(COOKIE, token, max_age=max_age, httponly=True, samesite="strict", secure=secure)
    return LoginOut(username=user.username, display_name=user.display_name, role=user.role.name, token=token)


def _check(session: Session, username: str, password: str, now: dt.datetime) -> tuple[str, Account] | None:
    token = login(session, username, password, now)
    user = user_for_token(session, token, now) if token else None
    return (token, user) if token and user else None


@router.post("/api/auth/logout", status_code=204)
def do_logout(request: Request, session: SessionDep, response: Response) -> None:
    token = token_from(request)
    if token:
        logout(session, token)
    response.delete_cookie(COOKIE)


@router.get("/api/auth/me", response_model=UserOut)
def me(user: UserDep) -> UserOut:
    return UserOut(username=user.username, display_name=user.display_name, role=user.role.name)


class PasswordChangeIn(BaseModel):
    current: str = Field(min_length=1, max_length=200)
    new: str = Field(min_length=8, max_length=200)


@router.post(
    "/api/auth/password",
    status_code=204,
    responses={403: {"description": "the current password is wrong"}, 429: {"description": "too many failures"}},
)
async def change_password(
    body: PasswordChangeIn, user: UserDep, session: SessionDep, request: Request, response: Response
) -> None:
    """Change your own password. Every session of yours ends, this one included: log in again.
    Wrong current passwords count as failed logins."""

    def change() -> bool | None:
        if not password_matches(session, user.username, body.current):
            return None
        set_password(session, user.username, body.new)
        return True

    if await password_checked(request, user.username, change) is None:
        raise HTTPException(403, "the current password is wrong")
    response.delete_cookie(COOKIE)
