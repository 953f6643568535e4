"""A second look at a stream server FFmpeg could not open in time: what does it say when asked once more?

FFmpeg reports a timeout both for a server that says nothing and for one that sends bytes forever that are
not its protocol, and "Input/output error" for several RTMP faults; it does not say what it received. When
an open fails that way, this module asks the server the first question of its protocol (RTSP OPTIONS, an HTTP
GET of the path without its query, an RTMP handshake and play) in the time kept back for it, and says what
came back. Nothing secret is sent: no user info, no query string (RTMP's stream name excepted: the same
server already has it).
"""

from __future__ import annotations

import enum
import socket
import ssl
from urllib.parse import urlsplit

from monitor.config.camera import url_kind
from monitor.core.redact import split_url
from monitor.sources import rtmp_look
from monitor.sources.deadline import Deadline

DEFAULT_PORTS = {"rtsp": 554, "rtsps": 322, "rtmp": 1935, "rtmps": 443, "http": 80, "https": 443}
GREETING = {"rtsp": b"RTSP/", "http": b"HTTP/"}


class Seen(enum.Enum):
    refused = "refused"
    unreachable = "unreachable"
    silent = "silent"  # connected; not a byte came back
    speaks = "speaks"  # it answers in its protocol
    not_protocol = "not_protocol"  # bytes came back that are not its protocol
    rtmp_rejected = "rtmp_rejected"  # an RTMP server that closed the connection at connect: no such application
    rtmp_not_found = "rtmp_not_found"  # an RTMP server that says the stream does not exist
    rtmp_idle = "rtmp_idle"  # an RTMP server that plays the stream, but nothing is published to it
    rtmp_live = "rtmp_live"  # an RTMP server whose stream is published (its key frame is what is late)


_RTMP = {
    rtmp_look.RtmpSeen.not_rtmp: Seen.not_protocol,
    rtmp_look.RtmpSeen.rejected: Seen.rtmp_rejected,
    rtmp_look.RtmpSeen.not_found: Seen.rtmp_not_found,
    rtmp_look.RtmpSeen.idle: Seen.rtmp_idle,
    rtmp_look.RtmpSeen.live: Seen.rtmp_live,
    rtmp_look.RtmpSeen.silent: Seen.silent,
}


def keep_for_look(deadline: Deadline) -> float:
    """Seconds of a grab's deadline kept back for a second look: a fifth of it, at most 1 s."""
    return min(1.0, deadline.seconds / 5)


def look(url: str, deadline: Deadline) -> Seen:
    """Ask the server behind ``url`` once more, until ``deadline``."""
    parts = split_url(url)
    target = urlsplit(parts.without_userinfo() if parts is not None else url)
    scheme, host = target.scheme.lower(), target.hostname or ""
    try:
        port = target.port or DEFAULT_PORTS.get(scheme, 0)
    except ValueError:
        return Seen.unreachable
    if url_kind(url) == "rtmp":
        app, _, name = target.path.lstrip("/").partition("/")
        if target.query:
            name += "?" + target.query
        if scheme == "rtmps":
            return Seen.unreachable  # not looked at: TLS RTMP is rare on camera platforms
        return _RTMP[rtmp_look.look(host, port, app, name, deadline)]
    protocol = "rtsp" if scheme.startswith("rtsp") else "http"
    path = target.path or "/"
    if protocol == "rtsp":
        request = f"OPTIONS {scheme}://{target.netloc.rpartition('@')[2]}{path} RTSP/1.0\r\nCSeq: 1\r\n"
    else:
        request = f"GET {path} HTTP/1.1\r\nHost: {target.netloc.rpartition('@')[2]}\r\nConnection: close\r\n"
    return _ask(host, port, scheme.endswith("s"), request + "User-Agent: sitemon\r\n\r\n", GREETING[protocol], deadline)


def _ask(host: str, port: int, tls: bool, request: str, greeting: bytes, deadline: Deadline) -> Seen:
    try:
        raw = socket.create_connection((host, port), timeout=deadline.bound(None))
    except ConnectionRefusedError:
        return Seen.refused
    except OSError:
        return Seen.unreachable
    with raw:
        try:
            sock = _tls(raw, host, deadline) if tls else raw
            sock.sendall(request.encode())
            answer = _read(sock, len(greeting), deadline)
        except TimeoutError:
            return Seen.silent
        except OSError:  # ssl.SSLError included: bytes that are not TLS
            return Seen.not_protocol if tls else Seen.silent
    if not answer:
        return Seen.silent
    return Seen.speaks if greeting.startswith(answer) else Seen.not_protocol  # a slow server may send less


def _tls(sock: socket.socket, host: str, deadline: Deadline) -> socket.socket:
    context = ssl.create_default_context()
    context.check_hostname, context.verify_mode = False, ssl.CERT_NONE  # nothing secret is sent
    sock.settimeout(deadline.bound(None))
    return context.wrap_socket(sock, server_hostname=host)


def _read(sock: socket.socket, size: int, deadline: Deadline) -> bytes:
    """Up to ``size`` bytes, until the deadline or the end of the connection."""
    answer = b""
    try:
        while len(answer) < size and not deadline.passed:
            sock.settimeout(deadline.bound(None))
            part = sock.recv(size - len(answer))
            if not part:
                break
            answer += part
    except TimeoutError:
        pass
    return answer
