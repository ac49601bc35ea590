"""The root of Isnad's error hierarchy, and the error of one bad input.

``IsnadError`` lives in the lowest layer so that every layer can raise a subclass of it; the full
list a user can meet is re-exported by ``assistant.errors``.
"""

from __future__ import annotations


class IsnadError(Exception):
    """Root of every error a user can act on: the message says what happened and what to do."""


class BadInputError(IsnadError, ValueError):
    """An input that cannot be used as given (a file, a record, a question, a URL)."""


class LoadError(BadInputError):
    """A file or record cannot be read. ``str(error)`` is the reason, worded for a journalist;
    ``origin`` (optional) names the input it came from."""

    def __init__(self, reason: str, origin: str = "") -> None:
        super().__init__(reason)
        self.reason = reason
        self.origin = origin
