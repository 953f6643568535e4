"""The one base model every configuration section inherits."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, SecretStr, field_validator

NUL_MESSAGE = "holds a NUL character (\\u0000), which the database cannot store"


def holds_nul(value: Any) -> bool:
    """A NUL anywhere in a value as the config gives it: text, a secret, or a list or mapping of them."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, SecretStr):
            item = item.get_secret_value()
        if isinstance(item, str):
            if "\x00" in item:
                return True
        elif isinstance(item, list | tuple | set | frozenset):
            stack.extend(item)
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
    return False


class ConfigModel(BaseModel):
    """Strict, immutable configuration: unknown keys are errors, not silently ignored; no number is infinite
    or NaN (``.inf``, ``1e400``) and no text holds a NUL, which PostgreSQL cannot store."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        str_strip_whitespace=True,
        validate_default=True,
        use_attribute_docstrings=True,
        allow_inf_nan=False,
    )

    @field_validator("*", mode="after")
    @classmethod
    def _no_nul(cls, value: Any) -> Any:
        if holds_nul(value):
            raise ValueError(NUL_MESSAGE)
        return value
