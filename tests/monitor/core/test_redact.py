from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from urllib.parse import quote

import pytest

from monitor.config.env import expand_url
from monitor.core.redact import (
    HIDDEN,
    RedactingFilter,
    add_secret,
    add_url_secrets,
    forget_secrets,
    mask_url,
    redact_text,
    scrub,
    split_url,
    strip_urls,
)

# Passwords people really type, none of them percent-encoded.
HOSTILE = [
    "Slash/Pw-CCC333",
    "hash#Pw-4444",
    "quest?Pw=5555",
    "p@ss/w#rd?x",
    "at@the@end@",
    "co:lo:ns::",
    "100%sure%2F",
    "semi;colon=1;x",
    "amp&token=2&y",
    "sp ace pass",
    "密码口令Пароль",
    "quote'dbl\"",
    "tab\tnew",
    "@",
    "a",
]


@pytest.fixture(autouse=True)
def no_known_secrets() -> Iterator[None]:
    forget_secrets()
    yield
    forget_secrets()


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("rtsp://admin:pw@10.0.0.1:554/live", "rtsp://admin:***@10.0.0.1:554/live"),
        ("rtsp://10.0.0.1/live", "rtsp://10.0.0.1/live"),
        ("http://cam/snap.jpg?token=abc&size=2", "http://cam/snap.jpg?token=***&size=***"),
        ("https://u:p%40ss@cam/x?Password=1", "https://u:***@cam/x?Password=***"),
        ("http://cam/s?access_token=t1&api_key=t2&x", "http://cam/s?access_token=***&api_key=***&***"),
        ("rtsp://cam/live;token=abc;user=u/ch1", "rtsp://cam/live;token=***;user=***/ch1"),
        ("https://cam/s#access_token=abc", "https://cam/s#***"),
        ("https://0123456789abcdef0123@hooks.example/x", "https://***@hooks.example/x"),
        ("rtsp://admin:pw@[fe80::1]:554/x", "rtsp://admin:***@[fe80::1]:554/x"),
        ("/videos/a.mp4", "/videos/a.mp4"),
    ],
)
def test_mask_url(url: str, expected: str) -> None:
    assert mask_url(url) == expected


@pytest.mark.parametrize("password", HOSTILE)
def test_a_hostile_password_is_masked_by_structure_alone(password: str) -> None:
    url = f"rtsp://admin:{password}@cam.local:554/Streaming/101?channel=1"
    parts = split_url(url)
    assert parts is not None and parts.userinfo == f"admin:{password}" and parts.host == "cam.local:554"
    assert mask_url(url) == "rtsp://admin:***@cam.local:554/Streaming/101?channel=***"
    message = f"open failed: '{url}': Connection refused; retry {url}"
    masked = "rtsp://admin:***@cam.local:554/Streaming/101?channel=***"
    assert redact_text(message) == f"open failed: '{masked}': Connection refused; retry {masked}"
    assert strip_urls(message) == f"open failed: '{HIDDEN}': Connection refused; retry {HIDDEN}"


def _lower_escapes(text: str) -> str:
    return re.sub("%[0-9A-F]{2}", lambda m: m[0].lower(), text)


@pytest.mark.parametrize("password", [p for p in HOSTILE if len(p) >= 4])
def test_a_known_secret_goes_from_any_text_raw_or_percent_encoded(password: str) -> None:
    add_url_secrets(f"rtsp://admin:{password}@cam/1")
    for form in (password, quote(password, safe=""), quote(password), _lower_escapes(quote(password, safe=""))):
        text = f"libav said [{form}] while opening cam (no URL here)"
        assert scrub(text) == "libav said [***] while opening cam (no URL here)", form


def test_a_secret_from_the_environment_is_scrubbed_wherever_it_sits(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CAM_PATH_TOKEN", "tok-in-the-path-42")
    url = expand_url("rtsp://cam/live/${CAM_PATH_TOKEN}/main")
    assert mask_url(url) == "rtsp://cam/live/***/main"
    assert "tok-in-the-path-42" not in redact_text(f"error at {url}: 'tok-in-the-path-42'")


def test_long_query_values_are_known_secrets_short_ones_are_not() -> None:
    add_url_secrets("http://cam/snap.jpg?channel=1&sig=8b1f0c2d9e7a")
    assert scrub("sig 8b1f0c2d9e7a channel 1") == "sig *** channel 1"


def test_short_values_are_not_scrubbed_from_free_text() -> None:
    add_secret("abc")
    assert scrub("abc abcd") == "abc abcd"


def test_redact_text_finds_urls_inside_messages() -> None:
    text = "OpenCV: failed rtsp://admin:hunter2@1.2.3.4/a and http://x/s?token=tok123 then"
    out = redact_text(text)
    assert "hunter2" not in out and "tok123" not in out
    assert "rtsp://admin:***@1.2.3.4/a" in out


def test_viewers_read_no_url_at_all() -> None:
    text = "摄像机 cam1 离线 31 分钟: connection refused by rtsp://admin:***@10.1.2.3:554/ch1 (retrying)"
    assert strip_urls(text) == f"摄像机 cam1 离线 31 分钟: connection refused by {HIDDEN} (retrying)"


def test_the_logging_filter_masks_arguments_and_tracebacks(caplog: pytest.LogCaptureFixture) -> None:
    logger = logging.getLogger("test.redact")
    logger.addFilter(RedactingFilter())
    try:
        with caplog.at_level(logging.INFO, "test.redact"):
            logger.info("opening %s", "rtsp://admin:hunter2@cam/1")
            logger.info("opening %s", "rtsp://admin:Slash/Pw-CCC333@cam/1")
            try:
                raise RuntimeError("cannot open rtsp://admin:hunter2@cam/1")
            except RuntimeError:
                logger.exception("failed")
    finally:
        logger.filters.clear()
    assert "hunter2" not in caplog.text and "Slash" not in caplog.text and "CCC333" not in caplog.text
    assert "rtsp://admin:***@cam/1" in caplog.text
