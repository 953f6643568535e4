"""The one base model every configuration section inherits."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class ConfigModel(BaseModel):
    """Strict, immutable configuration: unknown keys are errors, not silently ignored."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        str_strip_whitespace=True,
        validate_default=True,
        use_attribute_docstrings=True,
    )
