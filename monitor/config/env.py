"""``${VAR}`` in the config: expanded from the environment in one place, and every value so taken a secret.

Fields that take a secret or a URL use the annotated types ``EnvSecret`` and ``EnvUrl``; a config loaded
for tools that open no camera and send nothing (``resolve_sources=False``) keeps them as written.
"""

from __future__ import annotations

import os
import re
from typing import Annotated, Any

from pydantic import BeforeValidator, SecretStr, ValidationInfo

from monitor.core.redact import add_secret, add_url_secrets

_ENV_REF = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


def expand_env(value: str) -> str:
    """Replace each ``${VAR}`` with the environment's value; a missing variable is an error.

    Every value taken from the environment is a secret from then on: scrubbed from logs, errors and the API.
    """
    missing = [name for name in _ENV_REF.findall(value) if name not in os.environ]
    if missing:
        raise ValueError(f"environment variable {', '.join(sorted(set(missing)))} is not set")
    for name in _ENV_REF.findall(value):
        add_secret(os.environ[name])
    return _ENV_REF.sub(lambda m: os.environ[m.group(1)], value)


def expand_secret(value: str) -> str:
    """A token or password field: ``${VAR}`` expanded, and the whole value a secret."""
    value = expand_env(value)
    add_secret(value)
    return value


def expand_url(value: str) -> str:
    """A URL field: ``${VAR}`` expanded, and its user info and query values secrets."""
    value = expand_env(value)
    add_url_secrets(value)
    return value


def keeps_references(info: ValidationInfo) -> bool:
    """A config loaded with ``resolve_sources=False`` (tools that open no camera and send nothing, such as
    `sitemon replay`) keeps URLs and secrets as written: their ${VAR}s need not be set."""
    return (info.context or {}).get("resolve_sources") is False


def _secret_field(value: Any, info: ValidationInfo) -> Any:
    if keeps_references(info) or not isinstance(value, str):
        return value
    return expand_secret(value)


def _url_field(value: Any, info: ValidationInfo) -> Any:
    if keeps_references(info) or not isinstance(value, str):
        return value
    return expand_url(value)


EnvSecret = Annotated[SecretStr, BeforeValidator(_secret_field)]
"""A token or password: ``${VAR}`` expanded, the whole value a secret."""
EnvUrl = Annotated[SecretStr, BeforeValidator(_url_field)]
"""A receiver's URL: ``${VAR}`` expanded, its user info and query values secrets."""
