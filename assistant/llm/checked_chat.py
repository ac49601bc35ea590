"""``ChatOpenAI`` whose transport failures surface as Isnad's ``LLMUnavailableError``.

Callers then handle one error type for "the model did not answer" (down, timed out, an HTTP
error, a reply that is not the OpenAI format) and never catch everything.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import openai
from langchain_core.outputs import ChatGenerationChunk, ChatResult
from langchain_openai import ChatOpenAI

from assistant.errors import LLMUnavailableError

# What the OpenAI SDK and httpx raise for an endpoint that is down, slow, failing or not OpenAI-shaped
# (an HTML page where JSON was due surfaces as a TypeError/AttributeError inside the SDK's parsing).
TRANSPORT_ERRORS = (openai.OpenAIError, httpx.HTTPError, TypeError, AttributeError, ValueError)


@contextmanager
def _mapped(endpoint: str) -> Iterator[None]:
    try:
        yield
    except TRANSPORT_ERRORS as exc:
        reason = f"{type(exc).__name__}: {exc}"
        raise LLMUnavailableError(f"The LLM at {endpoint} did not answer usably ({reason}).") from exc


class CheckedChatOpenAI(ChatOpenAI):
    """A ChatOpenAI whose calls raise ``LLMUnavailableError`` (from the original error) on failure."""

    def _generate(self, *args: Any, **kwargs: Any) -> ChatResult:
        with _mapped(str(self.openai_api_base)):
            return super()._generate(*args, **kwargs)

    def _stream(self, *args: Any, **kwargs: Any) -> Iterator[ChatGenerationChunk]:
        with _mapped(str(self.openai_api_base)):
            yield from super()._stream(*args, **kwargs)
