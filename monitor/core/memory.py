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
import os
import sys

log = logging.getLogger(__name__)
_libc: ctypes.CDLL | None = None
if sys.platform.startswith("linux"):
    try:
        _libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        _libc.malloc_trim.argtypes = [ctypes.c_size_t]
        _libc.mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    except (OSError, AttributeError):  # not glibc (musl has no malloc_trim)
        _libc = None


def release_freed_memory() -> bool:
    """True if the allocator returned memory to the system."""
    return bool(_libc is not None and _libc.malloc_trim(0))


M_ARENA_MAX = -8
"""glibc's ``mallopt`` parameter for the most malloc arenas (malloc.h)."""
ARENAS = 2


def limit_arenas(arenas: int = ARENAS) -> bool:
    """At most ``arenas`` malloc arenas for this process, unless ``MALLOC_ARENA_MAX`` is set (the environment's
    word wins). glibc's default, eight per core, lets the grab threads leave freed picture buffers spread over
    many arenas that no trim gives back: over 150 sweeps of 32 cameras RSS grew 74 MB per 100 sweeps with the
    default and 8 MB with two arenas, while the heap in use stayed flat (docs/benchmarks.md, "RSS over many
    sweeps"). True when set. Call it first thing, before the threads start."""
    if _libc is None or os.environ.get("MALLOC_ARENA_MAX"):
        return False
    return bool(_libc.mallopt(M_ARENA_MAX, arenas))
