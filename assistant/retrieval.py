"""Hybrid retrieval: dense for every query, BM25 fused by reciprocal rank for Arabic-script ones.

Fusing BM25 into English questions over an Arabic corpus hurts (MODELS.md: R@1 .751 → .149),
so ``hybrid="auto"`` routes by the query's script.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from ingest.arabic import detect_language
from vectorstore.embeddings import SentenceEmbedder
from vectorstore.records import Hit, SearchFilter
from vectorstore.store import NewsIndex

HybridMode = Literal["auto", "dense", "bm25", "fused"]


@dataclass(frozen=True)
class RetrievedPassage:
    """A chunk with its fused (reciprocal rank) score."""

    hit: Hit
    fused: float


@dataclass
class RetrievalResult:
    query: str
    language: str
    passages: list[RetrievedPassage]
    query_vectors: list[np.ndarray]
    signals: tuple[str, ...]


def reciprocal_rank_fusion(rankings: Sequence[Sequence[str]], k: int = 60) -> dict[str, float]:
    """RRF score per id: sum over rankings of 1 / (k + rank), rank starting at 1."""
    scores: dict[str, float] = {}
    for ranking in rankings:
        for rank, item in enumerate(ranking, start=1):
            scores[item] = scores.get(item, 0.0) + 1.0 / (k + rank)
    return scores


class Retriever:
    """Finds the passages that may answer a question, within the user's filters."""

    def __init__(
        self,
        index: NewsIndex,
        embedder: SentenceEmbedder,
        *,
        candidates: int = 40,
        rrf_k: int = 60,
        hybrid: HybridMode = "auto",
    ) -> None:
        self.index = index
        self.embedder = embedder
        self.candidates = candidates
        self.rrf_k = rrf_k
        self.hybrid = hybrid

    def signals_for(self, language: str) -> tuple[str, ...]:
        if self.hybrid == "auto":
            return ("dense", "bm25") if language == "ar" else ("dense",)
        if self.hybrid == "fused":
            return ("dense", "bm25")
        return (self.hybrid,)

    def retrieve(
        self, query: str, k: int, flt: SearchFilter | None = None, translations: Sequence[str] = ()
    ) -> RetrievalResult:
        """Top ``k`` passages for ``query``; ``translations`` (e.g. the question in Arabic) add
        their own dense ranking and, being Arabic, a BM25 ranking to the fusion."""
        language = detect_language(query)
        signals = self.signals_for(language)
        rankings: list[list[str]] = []
        by_id: dict[str, Hit] = {}
        vectors = []
        for text in (query, *translations):
            text_signals = self.signals_for(detect_language(text))
            vector = self.embedder.encode_query(text)
            vectors.append(vector)
            if "dense" in text_signals:
                dense = self.index.dense_search(vector.tolist(), self.candidates, flt)
                rankings.append([h.chunk.chunk_id for h in dense])
                by_id.update({h.chunk.chunk_id: h for h in dense})
            if "bm25" in text_signals:
                lexical = self.index.lexical_search(text, self.candidates, flt)
                rankings.append([h.chunk.chunk_id for h in lexical])
                for h in lexical:
                    by_id.setdefault(h.chunk.chunk_id, h)
        fused = reciprocal_rank_fusion(rankings, self.rrf_k)
        ranked = sorted(fused, key=lambda cid: fused[cid], reverse=True)[:k]
        passages = [RetrievedPassage(by_id[cid], fused[cid]) for cid in ranked]
        return RetrievalResult(query, language, passages, vectors, signals)
