"""Isnad's few exception types. Vendor errors are mapped to these at the boundary."""


class IsnadError(Exception):
    """Base class: the message says what happened and what to do about it."""


class ConfigurationError(IsnadError):
    """A setting points at something unusable (a missing model, a wrong collection)."""


class StoreUnavailableError(IsnadError):
    """The vector store could not be reached (names the host/port settings)."""


class LLMUnavailableError(IsnadError):
    """The chat model could not be reached or gave no usable answer."""


class BadQuestionError(IsnadError):
    """A question that cannot be asked as given (empty, too long)."""
