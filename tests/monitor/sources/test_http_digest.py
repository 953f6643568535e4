"""HTTP Digest snapshots (Hikvision ISAPI, Dahua snapshot.cgi) against a real local digest camera."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator
from pathlib import Path

import cv2
import pytest

from detectors import CategoryMap
from monitor.config import CameraConfig, Category, parse_config
from monitor.core.values import CameraStatus
from monitor.sampling.sampler import CameraSampler
from monitor.sources import SourceError
from monitor.sources.http_source import HttpSource
from monitor.sources.provider import SourceProvider
from tests.fixtures.digest_camera import DigestCamera, digest_camera
from tests.helpers import config_dict
from tests.monitor.fakes import NAMES, FakeDetector, textured

PICTURE = textured(90, 120)
JPEG = cv2.imencode(".jpg", PICTURE)[1].tobytes()
PASSWORD = "Hik-Pa55:w@rd"
ISAPI = "/ISAPI/Streaming/channels/101/picture"
NOW = dt.datetime(2026, 11, 28, 2, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def camera() -> Iterator[str]:
    with digest_camera("admin", PASSWORD, JPEG) as base:
        yield base


def test_digest_snapshot_with_the_password_from_an_env_variable(
    camera: str, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("HIK_PASSWORD", PASSWORD)
    raw = camera.replace("http://", "http://admin:${HIK_PASSWORD}@") + ISAPI
    config = CameraConfig.model_validate({"id": "gate", "url": raw})
    DigestCamera.seen = []
    with caplog.at_level(logging.DEBUG):
        image = HttpSource(config.url.get_secret_value(), 2, 2).grab()
    assert image.shape == PICTURE.shape
    # No password sent unasked, the digest answer the second time, never the password itself.
    assert DigestCamera.seen[0] is None and DigestCamera.seen[1] is not None
    assert DigestCamera.seen[1].startswith("Digest ") and 'username="admin"' in DigestCamera.seen[1]
    assert all(PASSWORD not in (h or "") for h in DigestCamera.seen)
    assert PASSWORD not in caplog.text


def test_a_wrong_password_is_unauthorized_naming_the_camera(camera: str, caplog: pytest.LogCaptureFixture) -> None:
    url = camera.replace("http://", "http://admin:Wrong-Secret-9@") + "/cgi-bin/snapshot.cgi?channel=1"
    with caplog.at_level(logging.DEBUG), pytest.raises(SourceError) as info:
        HttpSource(url, 2, 2).grab()
    message = str(info.value)
    assert info.value.status is CameraStatus.unauthorized
    assert "HTTP 401" in message and "Digest" in message and "127.0.0.1" in message
    assert "Wrong-Secret-9" not in message and "Wrong-Secret-9" not in caplog.text


def test_no_credentials_says_the_camera_wants_them(camera: str) -> None:
    with pytest.raises(SourceError, match="wants a user name and password") as info:
        HttpSource(camera + ISAPI, 2, 2).grab()
    assert info.value.status is CameraStatus.unauthorized


def test_the_sampler_names_the_camera_and_hides_the_password(
    camera: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("DAHUA_PW", "Not-The-Pw-31")
    data = config_dict([camera.replace("http://", "http://admin:${DAHUA_PW}@") + "/cgi-bin/snapshot.cgi?channel=1"])
    config = parse_config(data)
    sampler = CameraSampler(
        FakeDetector(),
        CategoryMap.build({"person": Category.worker}, NAMES),
        config.sampling,
        config.picture,
        tmp_path,
        SourceProvider(config.sampling),
        clock=lambda: NOW,
    )
    with caplog.at_level(logging.DEBUG):
        sample = sampler.sample("site1", config.sites[0].cameras[0], NOW)
    assert sample.status is CameraStatus.unauthorized
    assert "HTTP 401" in sample.reason and "Digest" in sample.reason
    assert "camera site1/cam1: unauthorized" in caplog.text
    assert "Not-The-Pw-31" not in sample.reason + caplog.text


def test_a_url_httpx_cannot_read_is_a_source_error() -> None:
    with pytest.raises(SourceError, match="not a URL sitemon can read") as info:
        HttpSource("http://admin:Pw-Hidden-5@[::1/snap.jpg", 1, 1).grab()
    assert info.value.status is CameraStatus.stream_error and "Pw-Hidden-5" not in str(info.value)
