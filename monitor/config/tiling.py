"""Tiled detection for a wide camera view (small, far workers)."""

from __future__ import annotations

from pydantic import Field

from monitor.config.base import ConfigModel


class TilingConfig(ConfigModel):
    """The picture cut into overlapping tiles, each detected at the model's full input size, plus the whole
    picture; boxes merged across tiles. Costs ``columns x rows + 1`` model runs per picture instead of one:
    meant for the few wide views whose workers are a few pixels tall (docs/configuration.md, models/README.md).
    """

    columns: int = Field(default=2, ge=1, le=8, description="Tiles across the picture")
    rows: int = Field(default=1, ge=1, le=8, description="Tiles down the picture")
    overlap: float = Field(default=0.2, ge=0.0, le=0.5, description="Share of a tile shared with its neighbour")
    full_frame: bool = Field(default=True, description="Also detect on the whole picture (large objects)")
