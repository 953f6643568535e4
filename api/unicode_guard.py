"""A JSON body must be text. Raw bytes that are not UTF-8 (``"a\\xed\\xa0\\x80"``, a surrogate encoded as bytes,
which Python's JSON parser lets through) and a lone UTF-16 surrogate escaped as JSON allows (``"\\ud800"``)
both decode to something that cannot be encoded again: it would fail in the database or in the error
response itself (a 500). Refuse them with a 400 up front."""

from __future__ import annotations

import json
from typing import Any

from fastapi import HTTPException, Request

from api.guards import UPLOAD_PATH

SURROGATE_MESSAGE = "the JSON body holds a lone UTF-16 surrogate (such as \\ud800), which is not text"
NOT_UTF8_MESSAGE = "the request body is not UTF-8 text (byte {at} is not)"


def _holds_surrogate(data: Any) -> bool:
    stack = [data]  # a loop, not recursion: the body may nest as deep as the JSON parser allows
    while stack:
        value = stack.pop()
        if isinstance(value, str):
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                return True
        elif isinstance(value, dict):
            stack.extend(value.keys())
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
    return False


async def reject_lone_surrogates(request: Request) -> None:
    """Runs before every endpoint (an app dependency). A body that is not UTF-8 is a 400; only bodies that
    escape a surrogate are parsed again; a body that is not JSON is left to the endpoint's own validation
    (a 422)."""
    if request.method not in ("POST", "PUT", "PATCH") or UPLOAD_PATH.fullmatch(request.url.path):
        return  # the one binary body (a unit's photo) is judged by its own bytes
    body = await request.body()
    try:
        body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise HTTPException(400, NOT_UTF8_MESSAGE.format(at=exc.start)) from None
    if b"\\u" not in body:
        return
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):
        return
    if _holds_surrogate(data):
        raise HTTPException(400, SURROGATE_MESSAGE)
