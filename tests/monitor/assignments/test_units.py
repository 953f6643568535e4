"""A unit user is told by the role the store hands out (``Account.role``, a ``Role``), never by its name."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy.orm import Session, sessionmaker

from monitor.assignments.units import bind, is_unit, unit_of
from monitor.store.users import Account, Role, UnknownUser, UserError, add_user, find_user, login, user_for_token

NOW = dt.datetime(2026, 11, 28, 12, tzinfo=dt.UTC)
PASSWORD = "correct-horse-battery"


def test_the_token_holder_is_an_account_whose_role_decides_the_unit(sessions: sessionmaker[Session]) -> None:
    with sessions() as s:
        add_user(s, "clinic", PASSWORD, Role.unit, "市卫健委", now=NOW)
        add_user(s, "li", PASSWORD, Role.viewer, now=NOW)
        token = login(s, "clinic", PASSWORD, NOW)
        assert token is not None
        unit = user_for_token(s, token, NOW)
        assert isinstance(unit, Account) and unit.role is Role.unit and unit.display_name == "市卫健委"
        assert is_unit(unit) and unit_of(s, unit) == ""  # not bound yet: it sees nothing
        bind(s, "clinic", "市卫健委")
        assert unit_of(s, unit) == "市卫健委"
        viewer = find_user(s, "li")
        assert not is_unit(viewer) and unit_of(s, viewer) is None
        with pytest.raises(UserError, match="user 'li' has the role viewer; only a unit user"):
            bind(s, "li", "市卫健委")
        with pytest.raises(UnknownUser, match="no user 'nobody'"):
            find_user(s, "nobody")
