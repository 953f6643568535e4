"""Live updates for the dashboard (server-sent events) and Prometheus metrics."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Callable

import anyio
from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response
from prometheus_client import generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from sqlalchemy.orm import Session, sessionmaker
from sse_starlette import EventSourceResponse, ServerSentEvent
from starlette.types import Receive, Scope, Send

from api.auth import token_from
from api.deps import app_now
from api.live_feed import LiveFeed, TooManyStreams
from api.unit_scope import refuse_outside_scope
from monitor.store.users import Role, user_for_token

router = APIRouter(tags=["live"])
"""Authenticates by itself (``events``): app-wide login dependencies would hold a database session for
the stream's whole life."""
metrics_router = APIRouter(tags=["live"])
RETRY_MS = 3000  # how long a browser waits before it reconnects a broken stream
PING_SECONDS = 15  # a comment line now and then keeps proxies from closing a quiet stream
SEND_TIMEOUT_SECONDS = 30  # a client that takes no bytes for this long is let go
RETRY_AFTER_SECONDS = 30  # told to a stream over a cap


def stream_user(sessions: sessionmaker[Session], token: str, now: dt.datetime) -> tuple[str, Role] | None:
    """Who holds ``token`` (user name and role), read in a session of its own that is closed on return."""
    with sessions() as session:
        user = user_for_token(session, token, now)
        return (user.username, user.role) if user is not None else None


class LiveStream(EventSourceResponse):
    """An event stream that calls ``on_close`` once it ends, however it ends (even before its first event)."""

    def __init__(self, content: AsyncIterator[ServerSentEvent], on_close: Callable[[], None]) -> None:
        super().__init__(
            content,
            headers={"Cache-Control": "no-cache"},
            sep="\n",
            ping=PING_SECONDS,
            send_timeout=SEND_TIMEOUT_SECONDS,
        )
        self._on_close = on_close

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            self._on_close()


@router.get(
    "/api/events",
    responses={401: {"description": "login required"}, 429: {"description": "too many streams open"}},
)
async def events(request: Request) -> Response:
    """Server-sent events: ``hello`` once, then an ``update`` naming what changed (samples, scores, alerts,
    milestones; only what the user's role may see) whenever it changes. One reader of the database serves
    every stream; a stream holds no database connection. Once the session ends (logged out, revoked,
    expired) the stream says ``logout`` and ends. Over the stream caps (per user, in all): 429."""
    token = token_from(request)
    found = None
    if token:
        found = await anyio.to_thread.run_sync(stream_user, request.app.state.sessions, token, app_now(request))
    if token is None or found is None:
        raise HTTPException(401, "login required", headers={"WWW-Authenticate": "Bearer"})
    username, role = found
    if role is Role.unit:
        refuse_outside_scope(request)
    feed: LiveFeed = request.app.state.live_feed
    try:
        subscriber = feed.subscribe(token, role, username)
    except TooManyStreams as exc:
        raise HTTPException(429, str(exc), headers={"Retry-After": str(RETRY_AFTER_SECONDS)}) from None

    async def stream() -> AsyncIterator[ServerSentEvent]:
        yield ServerSentEvent(retry=RETRY_MS, sep="\n")
        feed.start()  # running since the lifespan began; this is for an app driven without its lifespan
        async for message in feed.messages(subscriber):
            yield ServerSentEvent(data=message.data, event=message.event, sep="\n")

    return LiveStream(stream(), on_close=lambda: feed.unsubscribe(subscriber))


@metrics_router.get("/metrics", response_class=Response)
def metrics(request: Request) -> Response:
    """Prometheus: per-camera sample age, camera status counts, detector latency, last sweep duration,
    alert webhook events by state, storage and the snapshot clean-up (read at each scrape)."""
    return Response(generate_latest(request.app.state.metrics), media_type=CONTENT_TYPE_LATEST)
