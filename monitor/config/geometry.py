"""Polygons in normalised image coordinates (0..1), so one zone fits main and sub streams."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, Field

from monitor.config.base import ConfigModel

Point = tuple[
    Annotated[float, Field(ge=0.0, le=1.0)],
    Annotated[float, Field(ge=0.0, le=1.0)],
]


def _non_degenerate(points: list[Point]) -> list[Point]:
    area2 = 0.0
    for (x1, y1), (x2, y2) in zip(points, points[1:] + points[:1], strict=True):
        area2 += x1 * y2 - x2 * y1
    if abs(area2) < 1e-9:
        raise ValueError("polygon has zero area (points are repeated or on one line)")
    return points


Polygon = Annotated[list[Point], Field(min_length=3, max_length=256), AfterValidator(_non_degenerate)]


class NamedPolygon(ConfigModel):
    """A labelled region, e.g. the on-screen clock or a watermark to leave out."""

    name: str = Field(default="", max_length=64, description="What the region is (clock, watermark, ...)")
    polygon: Polygon = Field(description="Points [x, y], each 0..1 of the image width and height")


class Zones(ConfigModel):
    """Where on the picture the construction happens."""

    site: Polygon | None = Field(
        default=None, description="Site zone: only detections inside count; none = the whole picture"
    )
    structure: Polygon | None = Field(
        default=None, description="Structure zone: where the building grows, for structure change"
    )
