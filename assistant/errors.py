"""Every error Isnad raises for a user to act on, under one root (``IsnadError``).

Vendor errors are mapped to these at the boundary (``raise … from exc``); the CLI and the UI turn
any ``IsnadError`` into a message that says what happened and what to do.
"""

from ingest.errors import BadInputError, IsnadError, LoadError
from vectorstore.errors import ConfigurationError, IndexMismatchError, ModelBuildError, StoreUnavailableError


class LLMUnavailableError(IsnadError):
    """The chat model could not be reached or gave no usable answer."""


class BadQuestionError(BadInputError):
    """A question that cannot be asked as given (empty, too long)."""


__all__ = [
    "BadInputError",
    "BadQuestionError",
    "ConfigurationError",
    "IndexMismatchError",
    "IsnadError",
    "LLMUnavailableError",
    "LoadError",
    "ModelBuildError",
    "StoreUnavailableError",
]
