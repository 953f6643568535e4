"""Give freed heap back to the system after a sweep.

Decoding hundreds of frames from many threads leaves glibc holding freed memory: measured here over 30
sweeps of 24 cameras, RSS grew 128 MB without and 31 MB with a trim after each sweep, while Python's own
allocations grew by 0.4 MB (tracemalloc). Not a leak, but RSS must stay flat for a process that runs
for months.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import sys

log = logging.getLogger(__name__)
_libc: ctypes.CDLL | None = None
if sys.platform.startswith("linux"):
    try:
        _libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        _libc.malloc_trim.argtypes = [ctypes.c_size_t]
    except (OSError, AttributeError):  # not glibc (musl has no malloc_trim)
        _libc = None


def release_freed_memory() -> bool:
    """True if the allocator returned memory to the system."""
    return bool(_libc is not None and _libc.malloc_trim(0))
