"""The API's own limits and the host names it answers to (docs/operations.md, Security)."""

from __future__ import annotations

import ipaddress
import re

from pydantic import Field, field_validator

from monitor.config.base import ConfigModel

_HOST_NAME = re.compile(r"^(\*\.)?[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*\.?$")


class ApiConfig(ConfigModel):
    """Live-update streams and the Host check (DNS rebinding)."""

    max_streams: int = Field(
        default=200,
        ge=1,
        le=10_000,
        description="Live-update streams (GET /api/events) open at once, all users together; one more is a 429",
    )
    max_streams_per_user: int = Field(
        default=20,
        ge=1,
        le=1_000,
        description="Live-update streams one user may hold at once (the dashboard's tabs share one); then a 429",
    )
    allowed_hosts: list[str] = Field(
        default_factory=list,
        max_length=100,
        description="Host names a browser may reach sitemon by (the TLS proxy's name, e.g. sitemon.example.gov.cn; "
        "'*.example.gov.cn' for every name under it), besides localhost and IP addresses, which always pass; "
        "'*' turns the check off",
    )

    @field_validator("allowed_hosts")
    @classmethod
    def _host_names(cls, hosts: list[str]) -> list[str]:
        out = []
        for host in hosts:
            name = host.strip().lower()
            if name == "*":
                out.append(name)
                continue
            try:
                ipaddress.ip_address(name.strip("[]"))
            except ValueError:
                pass
            else:
                raise ValueError(f"'{host}': IP addresses always pass; list host names only")
            if not _HOST_NAME.match(name) or len(name) > 253:
                raise ValueError(f"'{host}' is not a host name (no scheme, port or path: e.g. sitemon.example.gov.cn)")
            out.append(name.rstrip("."))
        return out
