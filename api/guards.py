"""Checks every request passes before any endpoint sees it."""

from __future__ import annotations

from urllib.parse import unquote_to_bytes

from fastapi import HTTPException, Request

NUL_MESSAGE = "the request holds a NUL character (\\u0000), which no field accepts"


async def reject_nul(request: Request) -> None:
    """PostgreSQL text cannot hold NUL: refuse it in the path, the query or a JSON body with a 400,
    instead of failing deep in the database with a 500."""
    if b"\x00" in unquote_to_bytes(request.url.path) or b"\x00" in unquote_to_bytes(request.url.query):
        raise HTTPException(400, NUL_MESSAGE)
    if request.method in ("POST", "PUT", "PATCH"):
        body = await request.body()
        if b"\x00" in body or b"\\u0000" in body:
            raise HTTPException(400, NUL_MESSAGE)
