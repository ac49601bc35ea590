"""Errors of the storage layer, each saying what to do about it."""


class VectorStoreError(Exception):
    """Base class for storage errors."""


class StoreUnavailableError(VectorStoreError):
    """The Chroma server did not answer."""


class IndexMismatchError(VectorStoreError):
    """The collection was built with another embedding model (or schema)."""
