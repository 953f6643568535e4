"""Which camera URLs the config takes, and how each is read."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from monitor.config import CameraConfig
from monitor.config.camera import url_kind


@pytest.mark.parametrize(
    ("url", "kind"),
    [
        ("rtsp://admin:p@ss@10.0.0.2:554/Streaming/Channels/101", "rtsp"),
        ("rtsps://cam/live", "rtsp"),
        ("rtmp://media.platform:1935/live/34020000001320000001", "rtmp"),
        ("rtmps://media.platform/live/cam?token=abc", "rtmp"),
        ("http://media.platform/live/34020000001320000001.flv?token=abc.m3u8", "http-flv"),
        ("https://media.platform/hls/cam/INDEX.M3U8", "hls"),
        ("http://u:pw.flv@cam/ISAPI/Streaming/channels/101/picture", "http"),
        ("http://cam/cgi-bin/snapshot.cgi?channel=1", "http"),
        ("/srv/footage/day.mp4", "file"),
    ],
)
def test_url_kind(url: str, kind: str) -> None:
    assert url_kind(url) == kind


def test_rtmp_and_platform_urls_are_accepted() -> None:
    camera = CameraConfig.model_validate({"id": "c", "url": "rtmp://media.platform/live/cam"})
    assert camera.kind == "rtmp"
    camera = CameraConfig.model_validate(
        {"id": "c", "url": "rtsp://cam/main", "substream_url": "http://platform/hls/c.m3u8"}
    )
    assert camera.kind == "hls"  # the detection URL is the sub-stream


def test_an_unknown_scheme_names_the_ones_accepted() -> None:
    with pytest.raises(ValidationError, match="rtmp://"):
        CameraConfig.model_validate({"id": "c", "url": "srt://platform/live"})
