"""Read camera_config.yaml into an AppConfig, with errors that name the file and the field."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from monitor.config.root import AppConfig
from monitor.redact import redact_text

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class FieldError:
    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


class ConfigError(Exception):
    """The configuration cannot be used. ``errors`` lists every problem with its field path."""

    def __init__(self, source: str, errors: list[FieldError]) -> None:
        self.source = source
        self.errors = errors
        lines = "\n".join(f"  {e}" for e in errors)
        super().__init__(f"{source}: {len(errors)} configuration error(s):\n{lines}")


def format_loc(loc: tuple[int | str, ...]) -> str:
    """('sites', 3, 'cameras', 0, 'url') -> 'sites[3].cameras[0].url'."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def _clean_message(message: str) -> str:
    # Pydantic prefixes errors raised from validators; the field path already says enough.
    for prefix in ("Value error, ", "Assertion failed, "):
        if message.startswith(prefix):
            message = message[len(prefix) :]
    return redact_text(message)


def errors_from_validation(exc: ValidationError) -> list[FieldError]:
    # Never include the input value: it may be a URL holding a password.
    return [FieldError(format_loc(tuple(err["loc"])), _clean_message(err["msg"])) for err in exc.errors()]


def parse_config(
    data: Any, source: str = "<config>", base_dir: Path | None = None, resolve_sources: bool = True
) -> AppConfig:
    """``resolve_sources=False`` keeps camera URLs as written (no ${VAR} needed): for tools that read no camera."""
    if not isinstance(data, dict):
        raise ConfigError(source, [FieldError("", "the file must hold a mapping (key: value) at the top")])
    try:
        return AppConfig.model_validate(data, context={"base_dir": base_dir, "resolve_sources": resolve_sources})
    except ValidationError as exc:
        raise ConfigError(source, errors_from_validation(exc)) from None


def load_config(path: str | Path, resolve_sources: bool = True) -> AppConfig:
    """Load and validate ``path``. Relative file paths in it are taken from the file's folder."""
    file = Path(path)
    source = str(file)
    try:
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(source, [FieldError("", "file not found")]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(source, [FieldError("", f"cannot read the file: {exc}")]) from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise ConfigError(source, [FieldError("", f"YAML syntax error at {where}{problem}")]) from None
    config = parse_config(data, source, file.resolve().parent, resolve_sources)
    log.debug("loaded %s: %d sites, %d cameras", source, len(config.sites), sum(1 for _ in config.cameras()))
    return config
