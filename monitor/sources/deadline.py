"""One deadline per grab: every wait inside a grab (connect, answer, body, first key frame) is bounded by the
time left before it, so that no grab thread outlives the grab."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import TypeVar

log = logging.getLogger(__name__)
T = TypeVar("T")

MIN_WAIT_S = 0.001
"""A wait is never 0 or less: a socket with timeout 0 would turn non-blocking instead of timing out."""


class Deadline:
    """A point in monotonic time, ``seconds`` after its creation."""

    def __init__(self, seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.seconds = seconds
        self._clock = clock
        self.started = clock()
        self._end = self.started + seconds

    def left(self) -> float:
        """Seconds until the deadline (0 once it has passed)."""
        return max(0.0, self._end - self._clock())

    def elapsed(self) -> float:
        return self._clock() - self.started

    @property
    def passed(self) -> bool:
        return self._clock() >= self._end

    def bound(self, timeout: float | None, keep: float = 0.0) -> float:
        """``timeout`` cut to the time left, less ``keep`` seconds kept back for what comes after."""
        left = max(MIN_WAIT_S, self.left() - keep)
        return left if timeout is None else max(MIN_WAIT_S, min(timeout, left))


class Overdue(Exception):
    """A call did not return by its deadline; its thread was left to end on its own."""


def within(call: Callable[[], T], seconds: float) -> T:
    """``call()`` on a daemon thread, waited for ``seconds`` at most: past them, Overdue is raised and the thread
    is abandoned (a daemon never holds the process open; the call's own deadline ends it)."""
    box: list[T] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            box.append(call())
        except BaseException as exc:  # handed to the caller's thread
            errors.append(exc)

    thread = threading.Thread(target=run, name="bounded call", daemon=True)
    thread.start()
    thread.join(seconds)
    if thread.is_alive():
        log.warning("a call still ran %.1f s after it was due; abandoned", seconds)
        raise Overdue(f"no result within {seconds:g} s")
    if errors:
        raise errors[0]
    return box[0]
