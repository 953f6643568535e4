"""A stream's picture is decoded at most at the snapshot's width (a tiled camera keeps every pixel), and the
stream probe does not decode the first key frame a second time."""

from __future__ import annotations

import av
import numpy as np
import pytest

from monitor.config import parse_config
from monitor.sources.av_stream import PROBE_DECODER, StreamSnapshotSource, probe_options, to_bgr
from monitor.sources.provider import decode_width
from tests.fixtures.servers import RtspServer
from tests.helpers import config_dict


def _frame(width: int, height: int) -> av.VideoFrame:
    picture = np.zeros((height, width, 3), np.uint8)
    picture[:, : width // 2] = (0, 0, 255)  # left half red, right half black
    return av.VideoFrame.from_ndarray(picture, format="bgr24").reformat(format="yuv420p")


@pytest.mark.parametrize(
    ("size", "max_width", "expected"),
    [
        ((1920, 1080), 1280, (720, 1280, 3)),
        ((1920, 1080), None, (1080, 1920, 3)),
        ((640, 352), 1280, (352, 640, 3)),  # never scaled up
        ((1366, 768), 1280, (720, 1280, 3)),  # even height, the aspect kept
    ],
)
def test_a_wide_frame_is_scaled_to_the_width_as_it_is_converted(
    size: tuple[int, int], max_width: int | None, expected: tuple[int, int, int]
) -> None:
    picture = to_bgr(_frame(*size), max_width)
    assert picture.shape == expected
    assert picture.flags.c_contiguous and picture.dtype == np.uint8
    left, right = picture[:, : expected[1] // 4].mean(axis=(0, 1)), picture[:, -expected[1] // 4 :].mean(axis=(0, 1))
    assert left[2] > 200 and right.max() < 20  # the same picture, only smaller


def test_a_tiled_camera_keeps_every_pixel_the_others_the_snapshot_width() -> None:
    data = config_dict(["rtsp://cam.example/a", "rtsp://cam.example/b"])
    data["sites"][1]["cameras"][0]["tiling"] = {"columns": 2, "rows": 1}
    config = parse_config(data)
    (_, plain), (_, tiled) = config.cameras()
    assert decode_width(plain, config.sampling) == config.sampling.snapshot_max_width == 1280
    assert decode_width(tiled, config.sampling) is None


@pytest.mark.parametrize(
    ("url", "fast_open", "expected"),
    [
        ("rtsp://cam.example/live", True, PROBE_DECODER),
        ("rtsp://cam.example/live", False, None),  # the full probe, for a stream whose SDP says too little
        ("rtmp://cam.example/live/a", True, None),  # FLV shows no stream before the probe: PyAV refuses options
        ("https://cam.example/live.m3u8", True, None),
    ],
)
def test_the_probe_skips_decoding_only_where_the_sdp_lists_the_streams(
    url: str, fast_open: bool, expected: dict[str, str] | None
) -> None:
    options = probe_options(url, fast_open)
    assert (options[0] if options else None) == expected


@pytest.mark.slow
@pytest.mark.rtsp
def test_an_rtsp_grab_is_decoded_at_the_width_asked_for(rtsp: RtspServer) -> None:
    full = StreamSnapshotSource(rtsp.url("/cam1"), 5.0, 5.0).grab()
    half = StreamSnapshotSource(rtsp.url("/cam1"), 5.0, 5.0, max_width=320).grab()
    assert full.shape == (352, 640, 3)
    assert half.shape == (176, 320, 3)
    assert abs(float(full.mean()) - float(half.mean())) < 8  # the same picture, only smaller
