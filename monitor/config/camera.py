"""Cameras and the sites they watch."""

from __future__ import annotations

import ipaddress
import re
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

from pydantic import Field, SecretStr, ValidationInfo, field_validator, model_validator

from monitor.config.base import ConfigModel
from monitor.config.env import expand_url, keeps_references
from monitor.config.geometry import NamedPolygon, Zones
from monitor.config.milestones import SiteMilestones
from monitor.config.settings import SamplingMode, Transport
from monitor.config.tiling import TilingConfig
from monitor.core.geo import point_problem
from monitor.core.redact import mask_url, split_url

Slug = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")]
NETWORK_SCHEMES = ("rtsp", "rtsps", "rtmp", "rtmps", "http", "https")
STREAM_SUFFIXES = {".m3u8": "hls", ".flv": "http-flv"}
"""An http(s) URL whose path ends so is a platform's stream (GB/T 28181 media servers), not a picture."""


def url_kind(url: str) -> str:
    """How a camera URL is read: file, rtsp, rtmp, hls, http-flv, or http (a snapshot or MJPEG)."""
    parts = split_url(url)  # the path as sitemon reads it, whatever the password holds
    if parts is None:
        return "file"
    scheme = parts.scheme.lower()
    if scheme in ("rtsp", "rtsps", "rtmp", "rtmps"):
        return scheme.rstrip("s")
    path = parts.path.lower()
    return next((kind for suffix, kind in STREAM_SUFFIXES.items() if path.endswith(suffix)), "http")


_HOST_NAME = re.compile(r"^[A-Za-z0-9]([A-Za-z0-9_-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9_-]*[A-Za-z0-9])?)*\.?$")


def authority_problem(url: str) -> str | None:
    """What is wrong with a network URL's host and port (``rtsp://127.0.0.1:99999/cam``: the port), or None.

    A host or port given as ``${VAR}`` is checked once it is expanded. The message names no password."""
    parts = split_url(url)
    if parts is None or "${" in parts.host:
        return None
    host, port = parts.host, None
    if host.startswith("["):
        name, bracket, rest = host[1:].partition("]")
        if not bracket or (rest and not rest.startswith(":")):
            return f"'{host}' is not a host: write an IPv6 address as [addr]:port"
        try:
            ipaddress.IPv6Address(name)
        except ValueError:
            return f"'{name}' is not an IPv6 address"
        port = rest[1:] if rest else None
    else:
        name, colon, after = host.rpartition(":")
        if not colon:
            name = host
        else:
            port = after
        if not name:
            return "has no host"
        if re.fullmatch(r"[0-9.]+", name):
            try:
                ipaddress.IPv4Address(name)
            except ValueError:
                return f"'{name}' is not an IP address"
        elif not _HOST_NAME.match(name):
            return f"'{name}' is not a host name or IP address"
    if port is not None and not (port.isascii() and port.isdigit() and 1 <= int(port) <= 65535):
        return f"port '{port}' is not a number from 1 to 65535"
    return None


def resolve_camera_url(raw: str, base_dir: Path | None) -> str:
    """Expand ``${VAR}`` and check the scheme, host and port; a plain path is a video file (relative to the
    config)."""
    url = expand_url(raw)
    scheme, sep, _ = url.partition("://")
    if sep:
        if scheme.lower() not in NETWORK_SCHEMES:
            raise ValueError(
                f"unsupported URL scheme '{scheme}://' (use rtsp://, rtsps://, rtmp://, rtmps://, http://, https:// "
                "or a file path)"
            )
        if (problem := authority_problem(url)) is not None:
            raise ValueError(f"{problem} ({mask_url(url)})")
        return url
    path = Path(url[len("file:") :] if url.startswith("file:") else url).expanduser()
    if not path.is_absolute() and base_dir is not None:
        path = (base_dir / path).resolve()
    if not path.is_file():
        raise ValueError(f"video file not found: {path}")
    return str(path)


class Batch(StrEnum):
    """The "three batches" of the commission's key projects."""

    signed = "signed"  # 签约
    started = "started"  # 开工
    in_production = "in_production"  # 投产


class CameraConfig(ConfigModel):
    """One camera. Its URL may hold a password: it is kept secret and shown masked."""

    id: Slug = Field(description="Camera id, unique within its site")
    name: str = Field(default="", max_length=100, description="Display name, e.g. 塔吊北侧")
    url: SecretStr = Field(
        description="rtsp(s)://, rtmp(s)://, http(s):// (snapshot, MJPEG, .m3u8, .flv) or a video file path; ${VAR} from the environment"
    )
    substream_url: SecretStr | None = Field(default=None, description="Optional lower-resolution stream")
    mode: SamplingMode | None = Field(default=None, description="Overrides sampling.mode for this camera")
    transport: Transport | None = Field(default=None, description="Overrides sampling.transport for this camera")
    file_loop_seconds: float | None = Field(
        default=None, gt=0, description="Video files only: loop over the first N seconds (e.g. to skip an end card)"
    )
    zones: Zones = Field(default_factory=Zones)
    masks: list[NamedPolygon] = Field(default_factory=list, description="Regions left out (clock, watermark)")
    tiling: TilingConfig | None = Field(
        default=None, description="Tiled detection for a wide view with small, far workers; none = the whole picture"
    )

    @field_validator("url", "substream_url", mode="before")
    @classmethod
    def _resolve_url(cls, value: Any, info: ValidationInfo) -> Any:
        if value is None or isinstance(value, SecretStr):
            return value
        if not isinstance(value, str) or not value.strip():
            raise ValueError("must be a non-empty string")
        if keeps_references(info):
            if (problem := authority_problem(value.strip())) is not None:
                raise ValueError(f"{problem} ({mask_url(value.strip())})")
            return value.strip()
        return resolve_camera_url(value.strip(), (info.context or {}).get("base_dir"))

    @property
    def masked_url(self) -> str:
        return mask_url(self.url.get_secret_value())

    @property
    def is_file(self) -> bool:
        return "://" not in self.url.get_secret_value()

    @property
    def kind(self) -> str:
        """file, rtsp, rtmp, hls, http-flv or http (snapshot / MJPEG): how the detection URL is read."""
        return url_kind(self.detection_url)

    @property
    def detection_url(self) -> str:
        """The sub-stream when there is one: fewer pixels to decode, same picture."""
        return (self.substream_url or self.url).get_secret_value()


class SiteConfig(ConfigModel):
    """A key project site (重点项目)."""

    id: Slug = Field(description="Site id, unique in the deployment")
    name: str = Field(min_length=1, max_length=200, description="Project name, e.g. 城东污水处理厂二期")
    district: str = Field(min_length=1, max_length=100, description="County or district (区县)")
    batch: Batch = Field(description="signed / started / in_production")
    responsible_unit: str = Field(default="", max_length=200, description="Responsible unit (责任单位)")
    planned_investment: float | None = Field(default=None, ge=0, description="Planned investment in 10,000 CNY (万元)")
    longitude: float | None = Field(default=None, description="WGS-84 longitude (经度) of the site, for the map")
    latitude: float | None = Field(default=None, description="WGS-84 latitude (纬度) of the site, for the map")
    milestones: SiteMilestones = Field(
        default_factory=SiteMilestones, description="Planned (and earlier actual) milestone dates (挂图作战)"
    )
    cameras: list[CameraConfig] = Field(min_length=1, description="At least one camera")

    @field_validator("cameras")
    @classmethod
    def _unique_camera_ids(cls, cameras: list[CameraConfig]) -> list[CameraConfig]:
        seen: dict[str, int] = {}
        for index, camera in enumerate(cameras):
            if camera.id in seen:
                raise ValueError(f"duplicate camera id '{camera.id}' at cameras[{seen[camera.id]}] and [{index}]")
            seen[camera.id] = index
        return cameras

    @model_validator(mode="after")
    def _a_place(self) -> SiteConfig:
        if (problem := point_problem(self.longitude, self.latitude)) is not None:
            raise ValueError(f"longitude/latitude: {problem}")
        return self

    @model_validator(mode="after")
    def _signed_has_not_started(self) -> SiteConfig:
        # A signed site's start is seen on camera and confirmed by an operator, never written in the file.
        if self.batch is Batch.signed and self.milestones.start.actual is not None:
            raise ValueError("milestones.start.actual: a signed-batch site has not started (its start is confirmed)")
        return self
