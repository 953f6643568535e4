"""Pictures in an HTTP body: a JPEG told by its bytes (SOI), an MJPEG stream by its Content-Type or its first
boundary line, and where a JPEG ends, read from its markers."""

from __future__ import annotations

import enum

SOI = b"\xff\xd8"
_STANDALONE = {0x01, *range(0xD0, 0xD8)}  # TEM and RST0-7: markers without a length
_EOI, _SOS = 0xD9, 0xDA


class Body(enum.Enum):
    mjpeg = "mjpeg"  # multipart/x-mixed-replace: the first complete JPEG is the picture
    jpeg = "jpeg"  # a JPEG: the whole body (or, without a length, the first complete JPEG)
    other = "other"  # whatever it is, read it whole and let the decoder say


def body_kind(content_type: str, head: bytes) -> Body:
    """What a camera's answer holds, from its Content-Type or, when that says nothing useful (ffmpeg's own
    ``-f mpjpeg`` sends application/octet-stream), from its first bytes."""
    if content_type.lower().startswith("multipart/"):
        return Body.mjpeg
    start = head.lstrip(b"\r\n")
    if start.startswith(b"--"):
        return Body.mjpeg
    if start.startswith(SOI):
        return Body.jpeg
    return Body.other


def jpeg_length(data: bytes | bytearray, start: int = 0) -> int | None:
    """The length of the JPEG starting (with its SOI) at ``start``, once it is complete in ``data``; None while
    it is not. Walks the marker segments by their lengths and the entropy-coded data to the EOI, so that an
    EXIF thumbnail's own EOI does not end the picture early. Raises ValueError for bytes that are not a JPEG."""
    if data[start : start + 2] != SOI:
        raise ValueError("not a JPEG: no start of image")
    pos, end = start + 2, len(data)
    while True:
        while pos < end and data[pos] == 0xFF and pos + 1 < end and data[pos + 1] == 0xFF:
            pos += 1  # fill bytes before a marker
        if pos + 2 > end:
            return None
        if data[pos] != 0xFF:
            raise ValueError(f"not a JPEG: no marker at byte {pos - start}")
        marker = data[pos + 1]
        if marker == _EOI:
            return pos + 2 - start
        if marker in _STANDALONE or marker == SOI[1]:
            pos += 2
            continue
        if pos + 4 > end:
            return None
        pos += 2 + ((data[pos + 2] << 8) | data[pos + 3])
        if marker == _SOS:
            found = _entropy_end(data, pos)
            if found is None:
                return None
            pos = found


def _entropy_end(data: bytes | bytearray, pos: int) -> int | None:
    """The position of the marker that ends the entropy-coded data at ``pos`` (FF 00 is a stuffed byte, FF D0-D7
    a restart marker: both belong to the data)."""
    while True:
        pos = data.find(b"\xff", pos)
        if pos < 0 or pos + 1 >= len(data):
            return None
        following = data[pos + 1]
        if following == 0x00 or 0xD0 <= following <= 0xD7 or following == 0xFF:
            pos += 1 if following == 0xFF else 2
            continue
        return pos
