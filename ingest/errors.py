"""Errors raised by ingest for one bad input; loaders turn them into ``Rejection`` records."""

from __future__ import annotations


class LoadError(ValueError):
    """A file or record cannot be read. ``str(error)`` is the reason, worded for a journalist;
    ``origin`` (optional) names the input it came from."""

    def __init__(self, reason: str, origin: str = "") -> None:
        super().__init__(reason)
        self.reason = reason
        self.origin = origin
