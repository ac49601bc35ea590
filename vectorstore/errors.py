"""Errors of the storage and embedding layer, each saying what to do about it."""

from ingest.errors import IsnadError


class ConfigurationError(IsnadError):
    """A setting points at something unusable (a missing model, a wrong collection, a missing file)."""


class StoreUnavailableError(IsnadError):
    """The vector store could not be reached (names the host/port settings)."""


class IndexMismatchError(ConfigurationError):
    """The collection was built with another embedding model (or schema)."""


class ModelBuildError(IsnadError):
    """An offline model could not be built from its package (missing, damaged, wrong version)."""
