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
from monitor.sources.http_auth import DigestChallenge
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
        SourceProvider(config.sampling, lambda: NOW),
        clock=lambda: NOW,
        calendar=config.calendar,
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


@pytest.mark.parametrize("opaque", ["", "5ccc069c403ebaf9f0171e9517f40e41"])
def test_a_strict_camera_gets_its_opaque_back_even_when_it_is_empty(opaque: str) -> None:
    # Dahua-style: opaque="" in the challenge, and the answer refused without it (httpx drops an empty one).
    with digest_camera("admin", PASSWORD, JPEG, opaque=opaque) as base:
        url = base.replace("http://", "http://admin:Hik-Pa55%3Aw%40rd@") + "/cgi-bin/snapshot.cgi?channel=1"
        image = HttpSource(url, 2, 2).grab()
        answer = DigestCamera.seen[1]
    assert image.shape == PICTURE.shape
    assert answer is not None and f'opaque="{opaque}"' in answer and "algorithm=MD5" in answer


# RFC 7616 section 3.9.1: the same request answered with SHA-256 and with MD5.
RFC_CHALLENGE = (
    'Digest realm="http-auth@example.org", qop="auth, auth-int", algorithm={alg}, '
    'nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"'
)
RFC_CNONCE = "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ"


@pytest.mark.parametrize(
    ("algorithm", "response"),
    [
        ("SHA-256", "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1"),
        ("MD5", "8ca523f5e9506fed4657c9700eebdbec"),
    ],
)
def test_the_digest_answer_is_rfc_7616s_worked_example(algorithm: str, response: str) -> None:
    challenge = DigestChallenge.parse(RFC_CHALLENGE.format(alg=algorithm))
    assert challenge is not None and challenge.qop == "auth"
    answer = challenge.answer("Mufasa", "Circle of Life", "GET", "/dir/index.html", cnonce=RFC_CNONCE)
    assert f'response="{response}"' in answer
    assert 'opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"' in answer and f"algorithm={algorithm}" in answer
    assert "nc=00000001" in answer and 'realm="http-auth@example.org"' in answer


@pytest.mark.parametrize(
    "header", ['Basic realm="cam"', 'Digest realm="x", qop="auth", nonce="n", algorithm=SHA-1-UNKNOWN', "Digest"]
)
def test_challenges_it_cannot_answer_as_digest_are_not_taken_for_one(header: str) -> None:
    assert DigestChallenge.parse(header) is None
