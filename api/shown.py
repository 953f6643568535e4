"""What a user may read of stored text: a camera's reason, an alert's message, a delivery's last error."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends

from api.auth import UserDep
from monitor.core.redact import redact_text, strip_urls
from monitor.store.users import Role

TextFilter = Callable[[str], str]


def text_filter(user: UserDep) -> TextFilter:
    """Viewers read no URL at all, not even a host or path; operators and admins read it masked. Known
    secrets go for everyone, also from rows written before sitemon knew them."""
    return strip_urls if user.role < Role.operator else redact_text


ShownDep = Annotated[TextFilter, Depends(text_filter)]
