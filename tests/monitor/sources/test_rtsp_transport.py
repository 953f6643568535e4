"""RTSP transport negotiation against real servers that refuse one transport (461 Unsupported transport):
the GStreamer server with one lower transport, and VLC's RTSP server (live555), which refuses TCP."""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from detectors import CategoryMap
from monitor.config import Category, SamplingConfig, parse_config
from monitor.core.values import CameraKey, CameraStatus
from monitor.sampling.sampler import CameraSampler
from monitor.sources import SourceError
from monitor.sources.av_stream import StreamSnapshotSource
from monitor.sources.persistent import PersistentStreamSource
from monitor.sources.provider import SourceProvider
from tests.fixtures.clock import fixed
from tests.fixtures.servers import CVLC, SAMPLE_VIDEO, RtspServer, rtsp_server, vlc_rtsp_server
from tests.helpers import config_dict
from tests.monitor.fakes import NAMES, FakeDetector

pytestmark = [pytest.mark.slow, pytest.mark.rtsp]
TIMEOUT = 4.0
KEY = CameraKey("site1", "cam1")


@pytest.fixture(scope="module")
def udp_only() -> Iterator[RtspServer]:
    with rtsp_server({"/live": SAMPLE_VIDEO}, only="udp") as s:
        yield s


@pytest.fixture(scope="module")
def tcp_only() -> Iterator[RtspServer]:
    with rtsp_server({"/live": SAMPLE_VIDEO}, only="tcp") as s:
        yield s


def test_a_server_refusing_tcp_is_asked_for_udp(udp_only: RtspServer) -> None:
    source = StreamSnapshotSource(udp_only.url("/live"), TIMEOUT, TIMEOUT, "tcp")
    assert source.grab().shape == (352, 640, 3)
    assert source.transport == "udp"
    assert source.note == "RTSP over UDP: the server refuses TCP (461 Unsupported transport)"


def test_a_server_refusing_udp_is_asked_for_tcp(tcp_only: RtspServer) -> None:
    source = StreamSnapshotSource(tcp_only.url("/live"), TIMEOUT, TIMEOUT, "udp")
    assert source.grab().shape == (352, 640, 3)
    assert (source.transport, source.note.split(":")[0]) == ("tcp", "RTSP over TCP")


def test_a_transport_the_server_takes_leaves_no_note(tcp_only: RtspServer) -> None:
    source = StreamSnapshotSource(tcp_only.url("/live"), TIMEOUT, TIMEOUT, "tcp")
    source.grab()
    assert (source.transport, source.note) == ("tcp", "")


def test_the_provider_remembers_what_worked_per_camera(udp_only: RtspServer, tcp_only: RtspServer) -> None:
    data = config_dict([udp_only.url("/live"), tcp_only.url("/live")])
    config = parse_config(data)
    provider = SourceProvider(SamplingConfig(open_timeout_seconds=TIMEOUT, read_timeout_seconds=TIMEOUT), fixed())
    refusing, plain = config.sites[0].cameras[0], config.sites[1].cameras[0]
    first = provider.acquire(KEY, refusing)
    assert isinstance(first, StreamSnapshotSource) and first.transport == "tcp"
    first.grab()
    provider.release(first)
    again = provider.acquire(KEY, refusing)
    assert isinstance(again, StreamSnapshotSource)
    assert again.transport == "udp"  # starts with what worked: no 461 round trip
    assert "refuses TCP" in again.note
    other = provider.acquire(CameraKey("site2", plain.id), plain)
    assert isinstance(other, StreamSnapshotSource) and other.transport == "tcp"  # per camera, not global


def test_the_camera_health_reason_says_which_transport(udp_only: RtspServer, tmp_path: Path) -> None:
    config = parse_config(config_dict([udp_only.url("/live")]))
    camera = config.sites[0].cameras[0]
    sampler = CameraSampler(
        FakeDetector(),
        CategoryMap.build({"person": Category.worker}, NAMES),
        config.sampling,
        config.picture,
        tmp_path,
        SourceProvider(config.sampling, lambda: dt.datetime(2026, 11, 28, 2, tzinfo=dt.UTC)),
        clock=lambda: dt.datetime(2026, 11, 28, 2, tzinfo=dt.UTC),
        calendar=config.calendar,
    )
    sample = sampler.sample("site1", camera, dt.datetime(2026, 11, 28, 2, tzinfo=dt.UTC))
    assert sample.status is CameraStatus.online
    assert sample.reason == "RTSP over UDP: the server refuses TCP (461 Unsupported transport)"


def test_a_persistent_stream_negotiates_too(udp_only: RtspServer) -> None:
    source = PersistentStreamSource(udp_only.url("/live"), TIMEOUT, TIMEOUT, "tcp")
    try:
        assert source.grab().shape == (352, 640, 3)
        assert source.transport == "udp" and "refuses TCP" in source.note
    finally:
        source.close()


@pytest.mark.skipif(not shutil.which(CVLC), reason="VLC (vlc-bin) is not installed")
def test_vlc_refuses_tcp_and_the_camera_works_over_udp() -> None:
    with vlc_rtsp_server(SAMPLE_VIDEO) as url:
        source = StreamSnapshotSource(url, TIMEOUT, TIMEOUT, "tcp")
        try:
            image = source.grab()
        except SourceError as exc:
            pytest.fail(f"VLC's stream did not open: {exc}")
    assert image.shape == (352, 640, 3)
    assert source.transport == "udp" and "refuses TCP" in source.note
