"""BM25 over Arabic-normalised, light-stemmed text (bm25s), persisted on disk.

The index is a cache of the chunk store: it records the store's generation and is rebuilt from
the stored chunks when that differs, when its files are missing, or when they are corrupt.
"""

from __future__ import annotations

import json
import logging
import shutil
from dataclasses import dataclass
from pathlib import Path

import bm25s
import numpy as np

from ingest.arabic import LEXICAL_ANALYZER, lexical_tokens

log = logging.getLogger(__name__)
_META = "isnad_meta.json"


@dataclass(frozen=True)
class LexicalHit:
    chunk_id: str
    score: float


class LexicalIndex:
    """An immutable BM25 index over chunk texts; ``build`` makes a new one."""

    def __init__(self, retriever: bm25s.BM25 | None, chunk_ids: list[str], generation: str) -> None:
        self._retriever = retriever
        self.chunk_ids = chunk_ids
        self.generation = generation
        self._position = {cid: i for i, cid in enumerate(chunk_ids)}

    @classmethod
    def build(cls, chunk_ids: list[str], texts: list[str], generation: str) -> LexicalIndex:
        if not chunk_ids:
            return cls(None, [], generation)
        retriever = bm25s.BM25()
        retriever.index([lexical_tokens(t) or [""] for t in texts], show_progress=False)
        return cls(retriever, list(chunk_ids), generation)

    def __len__(self) -> int:
        return len(self.chunk_ids)

    def search(self, query: str, k: int, allowed: set[str] | None = None) -> list[LexicalHit]:
        """Top ``k`` chunks by BM25; ``allowed`` restricts to those chunk ids (filters)."""
        if self._retriever is None:
            return []
        vocab = self._retriever.vocab_dict
        tokens = [t for t in lexical_tokens(query) if t in vocab]
        if not tokens:
            return []
        scores = self._retriever.get_scores(tokens)
        if allowed is not None:
            mask = np.zeros(len(scores), dtype=bool)
            mask[[self._position[c] for c in allowed if c in self._position]] = True
            scores = np.where(mask, scores, 0.0)
        top = np.argsort(-scores)[:k]
        return [LexicalHit(self.chunk_ids[i], float(scores[i])) for i in top if scores[i] > 0]

    def save(self, folder: Path) -> None:
        """Write to a temporary sibling folder, then swap it in (a crash leaves the old one)."""
        tmp = folder.with_name(folder.name + ".tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        if self._retriever is not None:
            self._retriever.save(str(tmp), show_progress=False)
        meta = {"generation": self.generation, "analyzer": LEXICAL_ANALYZER, "chunk_ids": self.chunk_ids}
        (tmp / _META).write_text(json.dumps(meta))
        old = folder.with_name(folder.name + ".old")
        shutil.rmtree(old, ignore_errors=True)
        if folder.exists():
            folder.rename(old)
        tmp.rename(folder)
        shutil.rmtree(old, ignore_errors=True)

    @staticmethod
    def saved_in(folder: Path) -> bool:
        """Whether ``folder`` holds a saved index (damaged or not)."""
        return (folder / _META).exists()

    @classmethod
    def load(cls, folder: Path) -> LexicalIndex | None:
        """The saved index, or None (with a warning) when it is missing or unreadable."""
        meta_file = folder / _META
        if not meta_file.exists():
            return None
        try:
            meta = json.loads(meta_file.read_text())
            if meta.get("analyzer") != LEXICAL_ANALYZER:  # built by another tokenizer: stale, not damaged
                log.info("BM25 index in %s was built with the analyzer %r; rebuilding it with %r.",
                         folder, meta.get("analyzer"), LEXICAL_ANALYZER)
                return None
            chunk_ids = list(meta["chunk_ids"])
            retriever = bm25s.BM25.load(str(folder), show_progress=False) if chunk_ids else None
            if retriever is not None and retriever.scores["num_docs"] != len(chunk_ids):
                raise ValueError("document count does not match the chunk list")
        except Exception as exc:  # any damage means: rebuild from the chunk store
            log.warning("BM25 index in %s is unreadable (%s); it will be rebuilt from the stored chunks.",
                        folder, exc)
            return None
        return cls(retriever, chunk_ids, str(meta["generation"]))
