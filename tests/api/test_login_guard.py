"""The login limiter's counters on an injected clock."""

from __future__ import annotations

import pytest

from api.login_guard import LoginGuard, LoginLimits, LoginRefused


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


LIMITS = LoginLimits(failures_per_user_and_address=3, failures_per_user=6, failures_per_address=5, window_seconds=60)


@pytest.mark.parametrize(
    ("tries", "then", "refused"),
    [
        ([("li", "a")] * 2, ("li", "a"), None),
        ([("li", "a")] * 3, ("li", "a"), "this user from this address"),
        ([("li", "a")] * 3, ("li", "b"), None),  # one address cannot lock li out for the others
        ([("li", "a")] * 3 + [("li", "b")] * 3, ("li", "c"), "this user"),  # many addresses can
        ([("li", "a")] * 3, ("wang", "a"), None),
        ([(f"u{i}", "a") for i in range(5)], ("wang", "a"), "this address"),
        ([(f"u{i}", "a") for i in range(5)], ("wang", "b"), None),
    ],
)
def test_failures_count_per_user_and_per_address(
    tries: list[tuple[str, str]], then: tuple[str, str], refused: str | None
) -> None:
    guard = LoginGuard(LIMITS, Clock())
    for user, address in tries:
        guard.admit(user, address)
    if refused is None:
        guard.admit(*then)
    else:
        with pytest.raises(LoginRefused, match=refused) as caught:
            guard.admit(*then)
        assert caught.value.status == 429 and caught.value.retry_after == 60


def test_failures_leave_the_window_and_successes_do_not_count() -> None:
    clock = Clock()
    guard = LoginGuard(LIMITS, clock)
    guard.succeeded(guard.admit("li", "a"))
    guard.admit("li", "a")
    clock.now += 30
    guard.admit("li", "a")
    guard.admit("li", "a")
    with pytest.raises(LoginRefused) as caught:
        guard.admit("li", "a")
    assert caught.value.retry_after == 30  # when the first failure leaves the window
    clock.now += 30
    guard.admit("li", "a")


def test_a_login_whose_check_fails_is_no_failed_login() -> None:
    """A database that cannot be written makes the check raise: retrying must not lock the user out."""
    import asyncio
    from types import SimpleNamespace

    from api.auth import password_checked

    guard = LoginGuard(LIMITS, Clock())
    request = SimpleNamespace(app=SimpleNamespace(state=SimpleNamespace(login_guard=guard)), client=None)

    def broken() -> None:
        raise RuntimeError("attempt to write a readonly database")

    for _ in range(LIMITS.failures_per_user + 2):
        with pytest.raises(RuntimeError):
            asyncio.run(password_checked(request, "li", broken))  # type: ignore[arg-type]
    guard.admit("li", "unknown")  # not refused: none of those counted
