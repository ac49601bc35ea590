"""Process-wide memory settings for a long-running server (`isnad serve`, the load test).

glibc gives each thread that allocates while another does a malloc arena of its own (up to 8 per
core) and keeps what is freed in it: a server whose users each run on their own thread grows by a
few hundred MB that it never gives back. Capping the arenas costs nothing measurable here
(docs/benchmarks.md, "Fewer malloc arenas").
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import os

log = logging.getLogger(__name__)
M_ARENA_MAX = -8  # glibc <malloc.h>


def limit_malloc_arenas(arenas: int) -> bool:
    """Cap glibc's malloc arenas at ``arenas`` for the threads started from now on; True when set.

    Nothing is done for 0, where ``MALLOC_ARENA_MAX`` is already in the environment (glibc read it),
    or off glibc (no ``mallopt``, or it refuses)."""
    if arenas <= 0 or "MALLOC_ARENA_MAX" in os.environ:
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        done = bool(libc.mallopt(M_ARENA_MAX, arenas))
    except (OSError, AttributeError):
        done = False
    if not done:
        log.info("malloc arenas left as they are (not glibc, or mallopt refused)")
    return done
