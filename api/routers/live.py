"""Live updates for the dashboard (server-sent events) and Prometheus metrics."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from collections.abc import AsyncIterator

from fastapi import APIRouter, Request
from fastapi.responses import Response, StreamingResponse
from prometheus_client import CollectorRegistry, Gauge, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from api.auth import token_from
from api.deps import SessionDep
from api.routers.health import add_storage_metrics
from monitor.delivery.receivers import ALERT
from monitor.store import models
from monitor.store.users import user_for_token

router = APIRouter(tags=["live"])
POLL_SECONDS = 2.0


def version(sessions: sessionmaker[Session], token: str | None) -> dict[str, str] | None:
    """What changed is seen in the database, so it works whichever process sampled or scored; None once
    the token that opened the stream is no longer valid (logged out, revoked, expired, user disabled)."""
    with sessions() as session:
        if token is None or user_for_token(session, token, dt.datetime.now(dt.UTC)) is None:
            return None
        sample = session.scalar(select(func.max(models.Sample.id)))
        score = session.scalar(select(func.max(models.DailyScore.computed_at)))
        alert = session.scalar(select(func.count(models.Alert.id)))
        alert_state = session.scalar(
            select(func.count(models.Alert.id)).where(models.Alert.state.in_(("open", "acknowledged")))
        )
        change = session.scalar(select(func.max(models.MilestoneChange.id)))
        proposal = session.scalar(select(func.max(models.StartProposal.id)))
        decided = session.scalar(
            select(func.count(models.StartProposal.id)).where(models.StartProposal.state != "pending")
        )
    return {
        "samples": str(sample),
        "scores": str(score),
        "alerts": f"{alert}/{alert_state}",
        "milestones": f"{change}/{proposal}/{decided}",
    }


@router.get("/api/events")
async def events(request: Request) -> StreamingResponse:
    """Server-sent events: an ``update`` naming what changed (samples, scores, alerts, milestones) whenever
    it changes.
    The token is checked at every poll: once it dies the stream says ``logout`` and ends."""
    sessions = request.app.state.sessions
    token = token_from(request)

    async def stream() -> AsyncIterator[str]:
        last: dict[str, str] = {}
        yield "retry: 3000\n\n"
        while not await request.is_disconnected():
            now = await asyncio.to_thread(version, sessions, token)
            if now is None:
                yield "event: logout\ndata: {}\n\n"
                return
            changed = [k for k, v in now.items() if last.get(k) != v]
            if changed and last:
                yield f"event: update\ndata: {json.dumps({'changed': changed})}\n\n"
            elif not last:
                yield "event: hello\ndata: {}\n\n"
            last = now
            await asyncio.sleep(POLL_SECONDS)

    return StreamingResponse(stream(), media_type="text/event-stream", headers={"Cache-Control": "no-cache"})


@router.get("/metrics", response_class=Response)
def metrics(session: SessionDep, request: Request) -> Response:
    """Prometheus: per-camera sample age, camera status counts, detector latency, last sweep duration,
    alert webhook events by state."""
    registry = CollectorRegistry()
    age = Gauge(
        "sitemon_camera_sample_age_seconds",
        "Seconds since the camera's last sample",
        ["site", "camera"],
        registry=registry,
    )
    status = Gauge("sitemon_cameras", "Cameras per status", ["status"], registry=registry)
    latency = Gauge("sitemon_detector_latency_ms", "Mean detector time per frame, last 500 samples", registry=registry)
    sweep = Gauge("sitemon_sweep_duration_seconds", "Duration of the last sweep in this process", registry=registry)
    now = dt.datetime.now(dt.UTC)
    counts: dict[str, int] = {}
    for cam in session.scalars(select(models.Camera).where(models.Camera.active)):
        counts[cam.status] = counts.get(cam.status, 0) + 1
        if cam.last_sample_at is not None:
            age.labels(cam.site_id, cam.camera_id).set((now - cam.last_sample_at).total_seconds())
    for name, n in counts.items():
        status.labels(name).set(n)
    recent = (
        select(models.Sample.detect_ms)
        .where(models.Sample.detect_ms.is_not(None))
        .order_by(models.Sample.id.desc())
        .limit(500)
        .subquery()
    )
    mean = session.scalar(select(func.avg(recent.c.detect_ms)))
    latency.set(float(mean or 0.0))
    webhook = Gauge("sitemon_alert_webhook_events", "Alert events in the webhook outbox", ["state"], registry=registry)
    outbox = Gauge("sitemon_outbox_messages", "Messages in the outbox", ["topic", "state"], registry=registry)
    item = models.OutboxItem
    for topic, state, n in session.execute(
        select(item.topic, item.state, func.count()).group_by(item.topic, item.state)
    ).all():
        outbox.labels(topic, state).set(n)
        if topic == ALERT:
            webhook.labels(state).set(n)
    last_sweep = getattr(request.app.state, "last_sweep_seconds", None)
    if callable(last_sweep) and last_sweep() is not None:
        sweep.set(last_sweep())
    add_storage_metrics(registry, request.app.state)
    return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)
