"""Login throttling: failed logins limited per user and per address, argon2 hashing bounded.

Each password check costs an argon2 hash (64 MiB, about 0.17 s on the project's 2-core machine). Without
bounds, a burst of logins fills the worker threads and the memory of the process that also samples the
cameras. Here at most ``concurrent_hashes`` run at a time, in threads of their own; a few more wait without
holding a thread, and the rest are told to come back (503). Failed logins count in a sliding window per
user name from one address (5), per user name from anywhere (50) and per client address (20); at a limit
that user (from that address, or at all) or that address is refused (429) until the oldest failure leaves
the window, without any hashing. So one address cannot lock a user out for everyone else.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

import anyio

T = TypeVar("T")
_MAX_KEYS = 10_000  # counters kept before expired ones are swept


@dataclass(frozen=True)
class LoginLimits:
    failures_per_user_and_address: int = 5
    """A user from one address: the guessing limit that bites first."""
    failures_per_user: int = 50
    """A user from anywhere: so that one address cannot lock a user out, and many cannot guess freely."""
    failures_per_address: int = 20
    window_seconds: float = 15 * 60
    concurrent_hashes: int = 2
    waiting_hashes: int = 16


class LoginRefused(Exception):
    def __init__(self, status: int, detail: str, retry_after: int) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.retry_after = retry_after


@dataclass(frozen=True)
class Attempt:
    keys: tuple[str, ...]
    at: float


class LoginGuard:
    """Lives on the event loop: its counters need no lock."""

    def __init__(self, limits: LoginLimits | None = None, clock: Callable[[], float] = time.monotonic) -> None:
        self.limits = limits or LoginLimits()
        self._clock = clock
        self._tries: dict[str, deque[float]] = {}
        self._hashing = 0
        self._limiter: anyio.CapacityLimiter | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def admit(self, username: str, address: str) -> Attempt:
        """Count an attempt (as a failure until ``succeeded``), or raise LoginRefused (429) at the limit."""
        now = self._clock()
        if len(self._tries) > _MAX_KEYS:
            self._sweep(now)
        keys = (f"user@address:{username}@{address}", f"user:{username}", f"address:{address}")
        limits = (
            self.limits.failures_per_user_and_address,
            self.limits.failures_per_user,
            self.limits.failures_per_address,
        )
        whats = ("this user from this address", "this user", "this address")
        for key, limit, what in zip(keys, limits, whats, strict=True):
            tries = self._recent(key, now)
            if len(tries) >= limit:
                wait = math.ceil(tries[0] + self.limits.window_seconds - now)
                raise LoginRefused(429, f"too many failed logins for {what}; try again in {wait} s", max(wait, 1))
        for key in keys:
            self._tries.setdefault(key, deque()).append(now)
        return Attempt(keys, now)

    def succeeded(self, attempt: Attempt) -> None:
        """A login that worked (or was never checked) does not count as a failure."""
        for key in attempt.keys:
            tries = self._tries.get(key)
            if tries is not None and attempt.at in tries:
                tries.remove(attempt.at)

    async def hash_work(self, work: Callable[[], T]) -> T:
        """Run ``work`` (which checks or makes a password hash) in a thread, a bounded number at a time."""
        limits = self.limits
        if self._hashing >= limits.concurrent_hashes + limits.waiting_hashes:
            raise LoginRefused(503, "too many logins at once; try again in a second", 1)
        loop = asyncio.get_running_loop()
        if self._limiter is None or self._loop is not loop:
            self._limiter, self._loop = anyio.CapacityLimiter(limits.concurrent_hashes), loop
        self._hashing += 1
        try:
            return await anyio.to_thread.run_sync(work, limiter=self._limiter)
        finally:
            self._hashing -= 1

    def _recent(self, key: str, now: float) -> deque[float]:
        tries = self._tries.get(key, deque())
        while tries and tries[0] <= now - self.limits.window_seconds:
            tries.popleft()
        return tries

    def _sweep(self, now: float) -> None:
        for key in list(self._tries):
            if not self._recent(key, now):
                del self._tries[key]
