"""The chat model behind LLM answers: one code path, ``ChatOpenAI``, for the embedded llama.cpp
server and for any OpenAI-compatible endpoint (vLLM, Ollama, llama.cpp server, OpenAI)."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx

from assistant.errors import ConfigurationError
from assistant.settings import Settings

log = logging.getLogger(__name__)
_MAX_ERROR_BYTES = 64_000
# The prompts whose fixed system text ``ChatBackend.warm_up`` has llama.cpp compute ahead of the
# first question, as (system file, language, user template file): the one asked most comes last
# and stays in the slot; the others are kept in llama.cpp's RAM prompt cache.
WARM_PROMPTS = (("translate_query", "en", None), ("answer_system", "en", "answer_user"),
                ("answer_system", "ar", "answer_user"))

class DeadlineTransport(httpx.HTTPTransport):
    """Bounds a whole request, first byte to last, by ``seconds`` (ISNAD_LLM_TIMEOUT_S), and masks
    ``secret`` (the API key) in error replies.

    httpx's timeout bounds each read, not the answer: an endpoint that sends a byte now and then
    (a stalled stream, an overloaded proxy) would otherwise hold a journalist's answer for ever.
    Some endpoints echo a wrong key back in their error text, which then reaches logs and notices.
    """

    def __init__(self, seconds: float, secret: str | None = None) -> None:
        super().__init__()
        self.seconds = seconds
        self.secret = secret.encode() if secret else None

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        deadline = time.monotonic() + self.seconds
        response = super().handle_request(request)
        response.stream = _BoundedStream(response.stream, deadline, self.seconds, request)
        if response.status_code < 400 or not self.secret:
            return response
        body = response.read()[:_MAX_ERROR_BYTES].replace(self.secret, b"***")
        response.close()
        decoded = ("content-length", "content-encoding", "transfer-encoding")  # the body is now plain bytes
        headers = [(k, v) for k, v in response.headers.multi_items() if k.lower() not in decoded]
        return httpx.Response(response.status_code, headers=headers, content=body, request=request)


class _BoundedStream(httpx.SyncByteStream):
    def __init__(self, inner: Any, deadline: float, seconds: float, request: httpx.Request) -> None:
        self._inner, self._deadline, self._seconds, self._request = inner, deadline, seconds, request

    def __iter__(self) -> Iterator[bytes]:
        for chunk in self._inner:
            if time.monotonic() > self._deadline:
                message = f"no complete answer within {self._seconds:g} s (ISNAD_LLM_TIMEOUT_S)"
                raise httpx.ReadTimeout(message, request=self._request)
            yield chunk

    def close(self) -> None:
        self._inner.close()


class ChatBackend:
    """Starts (lazily, once) whatever serves the model and hands out a LangChain chat model."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._chat: Any = None
        self._server: Any = None
        self._http: httpx.Client | None = None
        self._lock = threading.Lock()

    @property
    def description(self) -> str:
        s = self.settings
        if s.llm_provider == "embedded":
            return f"{s.llm_model} (embedded llama.cpp)"
        return f"{s.llm_model} at {s.llm_base_url}"

    def chat_model(self) -> Any:
        """The LangChain chat model (built, and the embedded server started, on first use)."""
        with self._lock:
            if self._chat is None:
                self._chat = self._build()
        return self._chat

    def _build(self) -> Any:
        from assistant.llm.checked_chat import CheckedChatOpenAI

        s = self.settings
        if s.llm_provider == "embedded":
            from assistant.llm.embedded import EmbeddedLLMServer
            from assistant.llm.gguf import assemble_gguf

            gguf = s.llm_gguf_path or assemble_gguf(s.cache_dir)
            if not gguf.exists():
                raise ConfigurationError(f"ISNAD_LLM_GGUF_PATH points at {gguf}, which does not exist.")
            self._server = EmbeddedLLMServer(
                gguf, context_tokens=s.llm_context_tokens, threads=s.llm_threads, mmap=s.llm_mmap,
                prompt_cache_mib=s.llm_prompt_cache_mib,
            )
            base_url = self._server.start()  # raises LLMUnavailableError / ConfigurationError
            api_key = "not-needed"
            model = self._server.model_name
        else:
            if not s.llm_base_url:
                raise ConfigurationError("ISNAD_LLM_PROVIDER=openai needs ISNAD_LLM_BASE_URL (and ISNAD_LLM_API_KEY).")
            base_url = s.llm_base_url
            api_key = s.llm_api_key.get_secret_value() if s.llm_api_key else "not-needed"
            model = s.llm_model
        self._http = httpx.Client(transport=DeadlineTransport(s.llm_timeout_s, api_key), timeout=s.llm_timeout_s)
        return CheckedChatOpenAI(
            base_url=base_url,
            api_key=api_key,
            model=model,
            temperature=0.0,
            max_tokens=s.llm_max_tokens,
            timeout=s.llm_timeout_s,
            max_retries=0,
            http_client=self._http,
        )

    def warm_up(self) -> int:
        """Start the embedded model now and let it compute the fixed system prompts (``WARM_PROMPTS``)
        into its prompt cache, so that the first questions do not pay for them (~370 tokens each, about
        6 s on 2 cores). For a background thread at start-up; a remote endpoint is left alone. Returns
        how many prompts were computed; a failure is logged, never raised."""
        if self.settings.llm_provider != "embedded":
            return 0
        from assistant.prompts import chat_prompt

        done = 0
        try:
            chat = self.chat_model().bind(max_tokens=1)
            for system, language, user in WARM_PROMPTS:
                prompt = chat_prompt(self.settings.prompts_dir, system, language, user)
                chat.invoke(prompt.invoke(dict.fromkeys(prompt.input_variables, "")))
                done += 1
        except Exception as exc:  # best effort (e.g. the OpenAI client's connection errors): costs only time
            log.warning("LLM warm-up stopped after %d prompt(s): %s", done, exc)
        return done

    def server_metrics(self) -> dict[str, float]:
        """The embedded llama.cpp server's counters (see ``EmbeddedLLMServer.metrics``); empty for a
        remote endpoint or before the model is first used."""
        server = self._server
        return server.metrics() if server is not None else {}

    def close(self) -> None:
        with self._lock:
            if self._http is not None:
                self._http.close()
                self._http = None
            if self._server is not None:
                self._server.stop()
                self._server = None
            self._chat = None
