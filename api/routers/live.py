"""Live updates for the dashboard (server-sent events) and Prometheus metrics."""

from __future__ import annotations

from collections.abc import AsyncIterator

from fastapi import APIRouter, Request
from fastapi.responses import Response
from prometheus_client import generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from sse_starlette import EventSourceResponse, ServerSentEvent

from api.auth import UserDep, token_from
from api.live_feed import LiveFeed
from monitor.store.users import Role

router = APIRouter(tags=["live"])
RETRY_MS = 3000  # how long a browser waits before it reconnects a broken stream
PING_SECONDS = 15  # a comment line now and then keeps proxies from closing a quiet stream
SEND_TIMEOUT_SECONDS = 30  # a client that takes no bytes for this long is let go


@router.get("/api/events")
async def events(request: Request, user: UserDep) -> EventSourceResponse:
    """Server-sent events: ``hello`` once, then an ``update`` naming what changed (samples, scores, alerts,
    milestones; only what the user's role may see) whenever it changes. One reader of the database serves
    every stream. Once the session ends (logged out, revoked, expired) the stream says ``logout`` and ends."""
    feed: LiveFeed = request.app.state.live_feed
    token = token_from(request) or ""  # the login check before this one found it

    async def stream() -> AsyncIterator[ServerSentEvent]:
        yield ServerSentEvent(retry=RETRY_MS, sep="\n")
        feed.start()  # running since the lifespan began; this is for an app driven without its lifespan
        subscriber = feed.subscribe(token, Role[user.role])
        try:
            async for message in feed.messages(subscriber):
                yield ServerSentEvent(data=message.data, event=message.event, sep="\n")
        finally:  # the client went away, or the stream ended
            feed.unsubscribe(subscriber)

    return EventSourceResponse(
        stream(),
        headers={"Cache-Control": "no-cache"},
        sep="\n",
        ping=PING_SECONDS,
        send_timeout=SEND_TIMEOUT_SECONDS,
    )


@router.get("/metrics", response_class=Response)
def metrics(request: Request) -> Response:
    """Prometheus: per-camera sample age, camera status counts, detector latency, last sweep duration,
    alert webhook events by state, storage and the snapshot clean-up (read at each scrape)."""
    return Response(generate_latest(request.app.state.metrics), media_type=CONTENT_TYPE_LATEST)
