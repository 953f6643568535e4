from __future__ import annotations

import logging

import pytest

from monitor.redact import RedactingFilter, mask_url, redact_text


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("rtsp://admin:pw@10.0.0.1:554/live", "rtsp://admin:***@10.0.0.1:554/live"),
        ("rtsp://10.0.0.1/live", "rtsp://10.0.0.1/live"),
        ("http://cam/snap.jpg?token=abc&size=2", "http://cam/snap.jpg?token=***&size=2"),
        ("https://u:p%40ss@cam/x?Password=1", "https://u:***@cam/x?Password=***"),
        ("/videos/a.mp4", "/videos/a.mp4"),
    ],
)
def test_mask_url(url: str, expected: str) -> None:
    assert mask_url(url) == expected


def test_redact_text_finds_urls_inside_messages() -> None:
    text = "OpenCV: failed rtsp://admin:hunter2@1.2.3.4/a and http://x/s?token=tok123 then"
    out = redact_text(text)
    assert "hunter2" not in out and "tok123" not in out
    assert "rtsp://admin:***@1.2.3.4/a" in out


def test_the_logging_filter_masks_arguments_and_tracebacks(caplog: pytest.LogCaptureFixture) -> None:
    logger = logging.getLogger("test.redact")
    logger.addFilter(RedactingFilter())
    try:
        with caplog.at_level(logging.INFO, "test.redact"):
            logger.info("opening %s", "rtsp://admin:hunter2@cam/1")
            try:
                raise RuntimeError("cannot open rtsp://admin:hunter2@cam/1")
            except RuntimeError:
                logger.exception("failed")
    finally:
        logger.filters.clear()
    assert "hunter2" not in caplog.text
    assert "rtsp://admin:***@cam/1" in caplog.text
