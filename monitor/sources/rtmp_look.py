"""What an RTMP server says to a player, without decoding anything: a minimal RTMP client that shakes hands,
connects to the application, asks to play the stream and listens briefly.

FFmpeg gives one answer for three different faults: it times out both when nothing is published and when the
publisher's next key frame is further away than the timeout (nginx-rtmp sends a new player nothing before
it), and it reports "Input/output error" both for an application the server does not have and for a peer
that does not speak RTMP. What the server says to this client tells them apart (as measured with nginx-rtmp:
a live stream answers the play with StreamBegin and its metadata at once; an idle one only with
NetStream.Play.Start; an unknown application closes the connection).
"""

from __future__ import annotations

import enum
import os
import socket
import struct
from dataclasses import dataclass

from monitor.sources.deadline import Deadline

HANDSHAKE = 1536
_CHUNK = 128
_MEDIA = {8, 9}  # audio, video
_DATA, _COMMAND, _USER_CONTROL, _SET_CHUNK_SIZE = 18, 20, 4, 1


class RtmpSeen(enum.Enum):
    not_rtmp = "not_rtmp"  # the peer does not shake hands in RTMP
    rejected = "rejected"  # the server refused or closed the connection at connect: no such application
    not_found = "not_found"  # the server says the stream does not exist (NetStream.Play.StreamNotFound)
    idle = "idle"  # play accepted, nothing published to the stream
    live = "live"  # play accepted, the stream is published (StreamBegin, metadata or media)
    silent = "silent"  # the server said nothing in time


def look(host: str, port: int, app: str, name: str, deadline: Deadline) -> RtmpSeen:
    """Connect, play, and listen until the deadline (or until the answer is clear)."""
    try:
        with socket.create_connection((host, port), timeout=deadline.bound(None)) as sock:
            return _play(sock, host, port, app, name, deadline)
    except TimeoutError:
        return RtmpSeen.silent
    except OSError:
        return RtmpSeen.rejected


def _play(sock: socket.socket, host: str, port: int, app: str, name: str, deadline: Deadline) -> RtmpSeen:
    reader = _Reader(sock, deadline)
    sock.sendall(b"\x03" + os.urandom(HANDSHAKE))  # C0 (version 3) and C1
    try:
        s0 = reader.exact(1)
    except TimeoutError:
        return RtmpSeen.silent
    except EOFError:
        return RtmpSeen.not_rtmp
    if s0 != b"\x03":
        return RtmpSeen.not_rtmp
    try:
        s1 = reader.exact(HANDSHAKE)
        sock.sendall(s1)  # C2 echoes S1
        reader.exact(HANDSHAKE)  # S2
    except EOFError:
        return RtmpSeen.not_rtmp
    tc_url = f"rtmp://{host}:{port}/{app}"
    connect = _amf_str("connect") + _amf_num(1) + _amf_obj({"app": app, "tcUrl": tc_url, "flashVer": "LNX 9,0,124,2"})
    sock.sendall(_message(3, _COMMAND, 0, connect))
    sock.sendall(_message(3, _COMMAND, 0, _amf_str("createStream") + _amf_num(2) + b"\x05"))
    sock.sendall(_message(8, _COMMAND, 1, _amf_str("play") + _amf_num(3) + b"\x05" + _amf_str(name)))
    started = False
    try:
        while True:
            kind, payload = reader.message()
            if kind in _MEDIA or (kind == _DATA and b"onMetaData" in payload):
                return RtmpSeen.live
            if kind == _USER_CONTROL and payload[:2] == b"\x00\x00":  # StreamBegin
                return RtmpSeen.live
            if kind == _COMMAND and b"NetStream.Play.StreamNotFound" in payload:
                return RtmpSeen.not_found
            if kind == _COMMAND and (b"NetConnection.Connect.Rejected" in payload or payload[3:9] == b"_error"):
                return RtmpSeen.rejected
            if kind == _COMMAND and b"NetStream.Play.Start" in payload:
                started = True
    except TimeoutError:
        return RtmpSeen.idle if started else RtmpSeen.silent
    except (EOFError, OSError):
        return RtmpSeen.rejected


class _Reader:
    """RTMP messages from the chunk stream: enough of it to read a server's answers to a player."""

    def __init__(self, sock: socket.socket, deadline: Deadline) -> None:
        self._sock = sock
        self._deadline = deadline
        self._chunk = _CHUNK
        self._streams: dict[int, _ChunkStream] = {}

    def exact(self, n: int) -> bytes:
        data = b""
        while len(data) < n:
            if self._deadline.passed:
                raise TimeoutError
            self._sock.settimeout(self._deadline.bound(None))
            part = self._sock.recv(n - len(data))
            if not part:
                raise EOFError
            data += part
        return data

    def message(self) -> tuple[int, bytes]:
        while True:
            first = self.exact(1)[0]
            fmt, csid = first >> 6, first & 0x3F
            if csid == 0:
                csid = 64 + self.exact(1)[0]
            elif csid == 1:
                csid = 64 + struct.unpack("<H", self.exact(2))[0]
            state = self._streams.setdefault(csid, _ChunkStream())
            timestamp = self.exact(3) if fmt <= 2 else b""
            if fmt <= 1:
                state.length = struct.unpack(">I", b"\x00" + self.exact(3))[0]
                state.kind = self.exact(1)[0]
            if fmt == 0:
                self.exact(4)  # message stream id
            if timestamp == b"\xff\xff\xff":
                self.exact(4)  # extended timestamp
            state.buffer += self.exact(min(self._chunk, state.length - len(state.buffer)))
            if len(state.buffer) < state.length:
                continue
            kind, buffer, state.buffer = state.kind, state.buffer, b""
            if kind == _SET_CHUNK_SIZE and len(buffer) >= 4:
                self._chunk = struct.unpack(">I", buffer[:4])[0] & 0x7FFFFFFF
            return kind, buffer


@dataclass
class _ChunkStream:
    """A chunk stream's last header and the part of its message read so far."""

    length: int = 0
    kind: int = 0
    buffer: bytes = b""


def _message(csid: int, kind: int, stream_id: int, payload: bytes) -> bytes:
    header = bytes([csid]) + b"\x00\x00\x00" + struct.pack(">I", len(payload))[1:] + bytes([kind])
    out = header + struct.pack("<I", stream_id) + payload[:_CHUNK]
    for at in range(_CHUNK, len(payload), _CHUNK):
        out += bytes([0xC0 | csid]) + payload[at : at + _CHUNK]
    return out


def _amf_str(text: str) -> bytes:
    data = text.encode()
    return b"\x02" + struct.pack(">H", len(data)) + data


def _amf_num(value: float) -> bytes:
    return b"\x00" + struct.pack(">d", value)


def _amf_obj(fields: dict[str, str]) -> bytes:
    out = b"\x03"
    for key, value in fields.items():
        out += struct.pack(">H", len(key)) + key.encode() + _amf_str(value)
    return out + b"\x00\x00\x09"
