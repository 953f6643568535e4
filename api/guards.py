"""Checks every request passes before any endpoint sees it."""

from __future__ import annotations

import re
from urllib.parse import unquote_to_bytes

import anyio
from fastapi import HTTPException, Request
from sqlalchemy.orm import Session, sessionmaker
from starlette.datastructures import Headers
from starlette.requests import HTTPConnection
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.auth import token_from
from monitor.core.clock import Clock
from monitor.store.users import user_for_token

NUL_MESSAGE = "the request holds a NUL character (\\u0000), which no field accepts"
MAX_BODY_BYTES = 256 * 1024  # the largest body an endpoint takes (a login, a user) is well under 1 KB
PUBLIC_BODY_PATHS = frozenset({"/api/auth/login"})
UPLOAD_PATH = re.compile(r"/api/assignments/[0-9]+/photo")
"""The one path whose body is binary (a unit's photo, api/routers/assignment_photos.py): its own cap, no NUL check."""
MAX_UPLOAD_BYTES = 5 * 1024 * 1024 + 1024


async def reject_nul(request: Request) -> None:
    """PostgreSQL text cannot hold NUL: refuse it in the path, the query or a JSON body with a 400,
    instead of failing deep in the database with a 500. The body is capped and, but for a login, comes
    from a logged-in user by now (BodyGuard)."""
    if b"\x00" in unquote_to_bytes(request.url.path) or b"\x00" in unquote_to_bytes(request.url.query):
        raise HTTPException(400, NUL_MESSAGE)
    if request.method in ("POST", "PUT", "PATCH") and not UPLOAD_PATH.fullmatch(request.url.path):
        body = await request.body()
        if b"\x00" in body or b"\\u0000" in body:
            raise HTTPException(400, NUL_MESSAGE)


def refuse(status: int, detail: str, **headers: str) -> JSONResponse:
    # Connection: close, so the server stops reading a body the client may still be sending.
    return JSONResponse({"detail": detail}, status, headers={"Connection": "close", **headers})


class BodyGuard:
    """Before anything reads a request body: a body over ``max_bytes`` is a 413 (by its Content-Length, or
    once a chunked body passes the cap), and a body sent to any path but the login, by a caller without a
    valid token, is a 401. An anonymous upload is never buffered, whatever its size."""

    def __init__(self, app: ASGIApp, max_bytes: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        length_header = headers.get("content-length")
        chunked = "chunked" in headers.get("transfer-encoding", "").lower()
        try:
            length = int(length_header) if length_header is not None else 0
        except ValueError:
            await refuse(400, "Content-Length is not a number")(scope, receive, send)
            return
        if length == 0 and not chunked:
            await self.app(scope, receive, send)
            return
        cap = MAX_UPLOAD_BYTES if UPLOAD_PATH.fullmatch(scope["path"]) else self.max_bytes
        if length > cap:
            await refuse(413, self._too_large(cap))(scope, receive, send)
            return
        if scope["path"] not in PUBLIC_BODY_PATHS and not await _authenticated(scope):
            await refuse(401, "login required", **{"WWW-Authenticate": "Bearer"})(scope, receive, send)
            return
        started = False

        async def tracked(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, self._counted(receive, cap), tracked)
        except HTTPException as exc:  # raised by the counter where no endpoint turned it into a response
            if started or exc.status_code != 413:
                raise
            await refuse(413, self._too_large(cap))(scope, receive, send)

    @staticmethod
    def _too_large(cap: int) -> str:
        return f"the request body is larger than {cap // 1024} KB"

    def _counted(self, receive: Receive, cap: int) -> Receive:
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > cap:
                raise HTTPException(413, self._too_large(cap), headers={"Connection": "close"})
            return message

        return counted


async def _authenticated(scope: Scope) -> bool:
    connection = HTTPConnection(scope)
    token = token_from(connection)
    if token is None:
        return False
    sessions: sessionmaker[Session] = scope["app"].state.sessions
    clock: Clock = scope["app"].state.clock

    def lookup() -> bool:
        with sessions() as session:
            return user_for_token(session, token, clock()) is not None

    return await anyio.to_thread.run_sync(lookup)
