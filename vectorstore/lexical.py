"""BM25 over Arabic-normalised, light-stemmed text (bm25s), saved on disk with each chunk's tokens.

The index is a cache of the chunk store: it records the store's generation and is rebuilt from
the stored chunks when that differs, when its files are missing, or when they are corrupt. It keeps
every chunk's analysed tokens (as ids into bm25s's vocabulary), so ``changed`` re-indexes after a
few chunks come or go without re-reading or re-tokenising the others. Chunks are held in chunk-id
order, so an index reached by changes scores and ranks exactly like one built from scratch.
"""

from __future__ import annotations

import json
import logging
import shutil
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import bm25s
import numpy as np

from ingest.arabic import LEXICAL_ANALYZER, lexical_tokens

log = logging.getLogger(__name__)
_META = "isnad_meta.json"
_TOKENS = "isnad_tokens.npz"
TOKEN_STORE = "token-ids-1"  # layout of the saved tokens; an index saved without it is rebuilt


@dataclass(frozen=True)
class LexicalHit:
    chunk_id: str
    score: float


class LexicalIndex:
    """An immutable BM25 index over chunk texts; ``build`` makes one, ``changed`` a changed copy."""

    def __init__(
        self,
        retriever: bm25s.BM25 | None,
        chunk_ids: list[str],
        generation: str,
        vocabulary: dict[str, int] | None = None,
        rows: list[np.ndarray] | None = None,
    ) -> None:
        self._retriever = retriever
        self.chunk_ids = chunk_ids
        self.generation = generation
        self._vocabulary = vocabulary or {}  # token -> id, bm25s's own vocabulary
        self._rows = rows or []  # each chunk's token ids, in chunk-id order
        self._position = {cid: i for i, cid in enumerate(chunk_ids)}

    @classmethod
    def build(cls, chunk_ids: Sequence[str], texts: Sequence[str], generation: str) -> LexicalIndex:
        """Tokenise every text and index them (a full build)."""
        by_id = dict(zip(chunk_ids, texts, strict=True))
        return cls._indexed({}, [], [], by_id, generation)

    def changed(self, added: Mapping[str, str], removed: Iterable[str], generation: str) -> LexicalIndex:
        """A copy without the ``removed`` chunk ids and with the ``added`` chunks (id -> text).

        Only the added texts are tokenised; the others keep their stored tokens."""
        gone = set(removed) | set(added)
        kept = [(cid, row) for cid, row in zip(self.chunk_ids, self._rows, strict=True) if cid not in gone]
        if not kept:  # start afresh: no token of the old vocabulary is needed
            return self._indexed({}, [], [], added, generation)
        ids, rows = (list(column) for column in zip(*kept, strict=True))
        return self._indexed(dict(self._vocabulary), ids, rows, added, generation)

    @classmethod
    def _indexed(
        cls,
        vocabulary: dict[str, int],
        chunk_ids: list[str],
        rows: list[np.ndarray],
        added: Mapping[str, str],
        generation: str,
    ) -> LexicalIndex:
        """Encodes the ``added`` texts into ``vocabulary``, merges them in chunk-id order and indexes all."""
        entries = list(zip(chunk_ids, rows, strict=True))
        entries += [(cid, _encode(lexical_tokens(text) or [""], vocabulary)) for cid, text in added.items()]
        if not entries:
            return cls(None, [], generation)
        entries.sort(key=lambda entry: entry[0])
        retriever = bm25s.BM25()
        # bm25s adds its empty token "" at the end of the (copied) vocabulary; that copy is kept.
        retriever.index(([row.tolist() for _, row in entries], dict(vocabulary)), show_progress=False)
        return cls(
            retriever, [cid for cid, _ in entries], generation, retriever.vocab_dict, [row for _, row in entries]
        )

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
        top = np.argsort(-scores, kind="stable")[:k]
        return [LexicalHit(self.chunk_ids[i], float(scores[i])) for i in top if scores[i] > 0]

    def save(self, folder: Path) -> None:
        """Write to a temporary sibling folder, then swap it in (a crash leaves the old one)."""
        tmp = folder.with_name(folder.name + ".tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        if self._retriever is not None:
            self._retriever.save(str(tmp), show_progress=False)
        lengths = [len(row) for row in self._rows]
        offsets = np.concatenate([[0], np.cumsum(lengths, dtype=np.int64)]).astype(np.int64)
        flat = np.concatenate(self._rows).astype(np.int32) if self._rows else np.zeros(0, np.int32)
        # Compressed: with letter trigrams the token ids are most of the index on disk (3.4x smaller).
        np.savez_compressed(tmp / _TOKENS, ids=flat, offsets=offsets)
        meta = {
            "generation": self.generation,
            "analyzer": LEXICAL_ANALYZER,
            "tokens": TOKEN_STORE,
            "chunk_ids": self.chunk_ids,
        }
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
            if (meta.get("analyzer"), meta.get("tokens")) != (LEXICAL_ANALYZER, TOKEN_STORE):
                # built by another tokenizer or saved without its tokens: stale, not damaged
                log.info(
                    "BM25 index in %s was built with the analyzer %r (tokens %r); rebuilding it with %r.",
                    folder,
                    meta.get("analyzer"),
                    meta.get("tokens"),
                    LEXICAL_ANALYZER,
                )
                return None
            return cls._read(folder, list(meta["chunk_ids"]), str(meta["generation"]))
        except Exception as exc:  # any damage means: rebuild from the chunk store
            log.warning("BM25 index in %s is unreadable (%s); it will be rebuilt from the stored chunks.", folder, exc)
            return None

    @classmethod
    def _read(cls, folder: Path, chunk_ids: list[str], generation: str) -> LexicalIndex:
        """The saved matrices and tokens, checked against each other and the chunk list."""
        if chunk_ids != sorted(set(chunk_ids)):
            raise ValueError("the chunk list is not in chunk-id order")
        with np.load(folder / _TOKENS, allow_pickle=False) as saved:
            flat, offsets = saved["ids"], saved["offsets"]
        if len(offsets) != len(chunk_ids) + 1 or offsets[0] != 0 or offsets[-1] != len(flat):
            raise ValueError("the token store does not match the chunk list")
        if not chunk_ids:
            return cls(None, [], generation)
        retriever = bm25s.BM25.load(str(folder), show_progress=False)
        if retriever.scores["num_docs"] != len(chunk_ids):
            raise ValueError("document count does not match the chunk list")
        if len(flat) and int(flat.max()) >= len(retriever.vocab_dict):
            raise ValueError("the token store names tokens the vocabulary lacks")
        rows = np.split(flat, offsets[1:-1])
        return cls(retriever, chunk_ids, generation, retriever.vocab_dict, rows)


def _encode(tokens: list[str], vocabulary: dict[str, int]) -> np.ndarray:
    """Token ids for ``tokens``, adding unseen tokens at the end of ``vocabulary``."""
    return np.array([vocabulary.setdefault(t, len(vocabulary)) for t in tokens], dtype=np.int32)
