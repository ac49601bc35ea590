"""Reading a file within the size limits: the gzip expansion guard, sizes and read failures in words."""

from __future__ import annotations

import gzip
import zlib
from pathlib import Path

GZIP_EXPANSION_LIMIT = 10  # a gzipped file may expand to this many times max_file_bytes


class TooBig(Exception):
    """A gzipped file expands past its limit (``GZIP_EXPANSION_LIMIT`` times ``max_file_bytes``)."""


def read_gzip(path: Path, limit: int) -> bytes:
    """The decompressed bytes of ``path``; raises ``TooBig`` past ``limit`` bytes."""
    with gzip.open(path, "rb") as stream:
        data = stream.read(limit + 1)
    if len(data) > limit:
        raise TooBig
    return data


def too_big_reason(max_file_bytes: int) -> str:
    """Why a gzipped file that expands too far is not loaded."""
    limit = human_size(max_file_bytes * GZIP_EXPANSION_LIMIT)
    return f"compressed file expands to more than {limit} (the limit); not loaded"


def read_error_reason(error: BaseException, gzipped: bool) -> str:
    """A read failure (a bad or truncated gzip, an OS error) worded for a journalist."""
    if isinstance(error, gzip.BadGzipFile):
        return "not a valid gzip file"
    if gzipped and isinstance(error, EOFError | zlib.error):
        return "gzip file is truncated or corrupt"
    if isinstance(error, OSError) and error.strerror:
        return f"cannot read file: {error.strerror}"
    return f"cannot read file: {error}"


def human_size(n: int) -> str:
    """A byte count as "20 MB", "1.5 KB" or "12 bytes"."""
    if n >= 1_000_000:
        return f"{n / 1_000_000:.1f}".removesuffix(".0") + " MB"
    if n >= 1_000:
        return f"{n / 1_000:.1f}".removesuffix(".0") + " KB"
    return f"{n} bytes"
