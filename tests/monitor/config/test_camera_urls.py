"""Which camera URLs the config takes, and how each is read."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from monitor.config import CameraConfig, ConfigError, FieldError, parse_config
from monitor.config.camera import authority_problem, url_kind
from tests.helpers import config_dict


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


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("rtsp://10.0.0.1:554/Streaming/Channels/101", None),
        ("rtsp://admin:p@ss:w@cam-01.site_a.local/live", None),
        ("rtsp://[fe80::1]:8554/cam", None),
        ("http://[::1]/snap.jpg", None),
        ("rtsp://${CAM_HOST}:${CAM_PORT}/x", None),  # checked once expanded
        ("rtsp://127.0.0.1:99999/cam", "port '99999' is not a number from 1 to 65535"),
        ("rtsp://127.0.0.1:0/cam", "port '0' is not a number from 1 to 65535"),
        ("rtsp://127.0.0.1:/cam", "port '' is not a number from 1 to 65535"),
        ("rtsp://127.0.0.1:５５４/cam", "port '５５４' is not a number from 1 to 65535"),
        ("rtsp://10.0.0.300/cam", "'10.0.0.300' is not an IP address"),
        ("rtsp://cam host/x", "'cam host' is not a host name or IP address"),
        ("rtsp://fe80::1/x", "'fe80:' is not a host name or IP address"),
        ("rtsp://[fe80::zz]/x", "'fe80::zz' is not an IPv6 address"),
        ("rtsp://[::1/x", "'[::1' is not a host: write an IPv6 address as [addr]:port"),
        ("rtsp://user:pw@/x", "has no host"),
        ("/srv/footage/day.mp4", None),
    ],
)
def test_the_host_and_port_of_a_url_are_checked(url: str, problem: str | None) -> None:
    assert authority_problem(url) == problem


def test_a_bad_port_is_a_config_error_naming_the_field_and_no_password() -> None:
    data = config_dict(["rtsp://admin:Secret-9@10.0.0.1:70000/x"])
    with pytest.raises(ConfigError) as caught:
        parse_config(data)
    assert caught.value.errors == [
        FieldError(
            "sites[0].cameras[0].url",
            "port '70000' is not a number from 1 to 65535 (rtsp://admin:***@10.0.0.1:70000/x)",
        )
    ]
    assert "Secret-9" not in str(caught.value)
