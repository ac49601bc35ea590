"""Two-stage retrieval.

1. First stage: dense e5 search for every query; for Arabic-script queries also BM25. The two legs
   of one search text are combined by the learned fusion (``assistant/fusion.py``: a linear model over
   their scores and ranks; XQuAD Arabic R@1 .909 → .92, ARCD .69 → .73 in cross-validation) or, with
   ``fusion=None``, by equal-weight reciprocal rank fusion (RRF); the rankings of several search texts
   (a Query with a translation) are then fused by RRF. The service searches with the question as
   asked only: the embedded model's translations ranked worse (docs/benchmarks.md, "Question
   translation"). Fusing BM25 into English questions over an Arabic corpus hurts (MODELS.md: R@1
   .751 → .149), so ``hybrid="auto"`` routes by the query's script.
2. Second stage, for English (non-Arabic-script) questions with ``rerank="auto"``: the top
   ``rerank_depth`` candidates are cut into sentences and scored by the best sentence's cosine to
   the question ("max-sim"), and by the best pair of neighbouring sentences (the normalised sum of
   their vectors, so it costs no extra embedding). Both rankings are fused with the first-stage
   order by RRF. A passage whose answer sits in one sentence rises above passages merely on the
   same topic: XQuAD English R@1 .750 → .80. Arabic questions skip it: BM25 already gives them the
   precise match, and on the fact-check claims (find the claim's article) it cost R@1 .637 → .567.
   Sentence vectors are cached by text and are the same ones the evidence step ranks next, so the
   service embeds each sentence once. Measured in docs/benchmarks.md.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from assistant.fusion import FusionModel, reciprocal_rank_fusion
from assistant.query import Query
from ingest.chunking import split_sentences
from vectorstore.embeddings import SentenceEmbedder
from vectorstore.news_index import NewsIndex
from vectorstore.records import Hit, SearchFilter

HybridMode = Literal["auto", "dense", "bm25", "fused"]
RerankMode = Literal["auto", "on", "off"]
FusionMode = Literal["learned", "rrf"]


@dataclass(frozen=True)
class RetrievedPassage:
    """A chunk with its final fused (reciprocal rank) score."""

    hit: Hit
    fused: float


@dataclass
class RetrievalResult:
    query: Query
    passages: list[RetrievedPassage]
    query_vectors: list[np.ndarray]
    signals: tuple[str, ...]


def sentence_scores(sentence_vectors: np.ndarray, query_vectors: np.ndarray) -> tuple[float, float]:
    """(best sentence, best pair of neighbouring sentences) cosine against any of the query vectors.

    ``sentence_vectors`` are the L2-normalised vectors of one passage's sentences, in order; a pair
    is scored by the normalised sum of its two vectors. A one-sentence passage scores its sentence.
    """
    if len(sentence_vectors) == 0:
        return -1.0, -1.0
    best = float((sentence_vectors @ query_vectors.T).max())
    if len(sentence_vectors) == 1:
        return best, best
    pairs = sentence_vectors[:-1] + sentence_vectors[1:]
    pairs /= np.maximum(np.linalg.norm(pairs, axis=1, keepdims=True), 1e-12)
    return best, float((pairs @ query_vectors.T).max())


def rerank_by_sentences(
    ranked: Sequence[str],
    sentence_vectors: dict[str, np.ndarray],
    query_vectors: np.ndarray,
    k: int = 60,
) -> tuple[list[str], dict[str, float]]:
    """Fuse the first-stage order of ``ranked`` with its orders by best sentence and best sentence
    pair (RRF). Returns the new order and the fused scores."""
    scored = {cid: sentence_scores(sentence_vectors[cid], query_vectors) for cid in ranked}
    by_sentence = sorted(ranked, key=lambda cid: scored[cid][0], reverse=True)
    by_pair = sorted(ranked, key=lambda cid: scored[cid][1], reverse=True)
    fused = reciprocal_rank_fusion([list(ranked), by_sentence, by_pair], k)
    return sorted(fused, key=lambda cid: fused[cid], reverse=True), fused


def sentence_stage_applies(rerank: RerankMode, depth: int, language: str) -> bool:
    """Whether a question in ``language`` goes through the sentence stage."""
    if depth <= 0 or rerank == "off":
        return False
    return rerank == "on" or language != "ar"


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
        rerank: RerankMode = "auto",
        rerank_depth: int = 20,
        fusion: FusionModel | None = None,
    ) -> None:
        self.index = index
        self.fusion = fusion
        self.embedder = embedder
        self.candidates = candidates
        self.rrf_k = rrf_k
        self.hybrid = hybrid
        self.rerank = rerank
        self.rerank_depth = rerank_depth

    def signals_for(self, language: str) -> tuple[str, ...]:
        if self.hybrid == "auto":
            return ("dense", "bm25") if language == "ar" else ("dense",)
        if self.hybrid == "fused":
            return ("dense", "bm25")
        return (self.hybrid,)

    def reranks(self, language: str) -> bool:
        return sentence_stage_applies(self.rerank, self.rerank_depth, language)

    def retrieve(self, query: Query, k: int, flt: SearchFilter | None = None) -> RetrievalResult:
        """Top ``k`` passages for ``query``, searched as asked (never with a translation: the embedded
        model's translations rank passages worse, docs/benchmarks.md "Question translation")."""
        rankings, by_id, vectors = self._first_stage(query, flt)
        fused = reciprocal_rank_fusion(rankings, self.rrf_k)
        ranked = sorted(fused, key=lambda cid: fused[cid], reverse=True)
        signals = self.signals_for(query.language)
        rerank = self.reranks(query.language)
        if rerank and ranked:
            ranked, fused = self._second_stage(ranked, fused, by_id, vectors)
            signals = (*signals, "sentences")
        passages = [RetrievedPassage(by_id[cid], fused[cid]) for cid in ranked[:k]]
        return RetrievalResult(query, passages, vectors, signals)

    def passages_stating(
        self, result: RetrievalResult, states: Callable[[str], bool], depth: int, limit: int,
        flt: SearchFilter | None = None,
    ) -> list[RetrievedPassage]:
        """Up to ``limit`` passages beyond ``result``, from the top ``depth`` dense hits of each search
        text, whose text ``states`` what the question asks for (a how-many question: a count of the thing
        it names). A short figure sentence inside a long passage on another topic ranks low as a whole
        passage — across languages most of all — yet may be the newest source of the figure asked for."""
        have = {p.hit.chunk.chunk_id for p in result.passages}
        extra: list[RetrievedPassage] = []
        for vector in result.query_vectors:
            for hit in self.index.dense_search(vector.tolist(), depth, flt):
                if len(extra) == limit:
                    return extra
                if hit.chunk.chunk_id not in have and states(hit.chunk.text):
                    have.add(hit.chunk.chunk_id)
                    extra.append(RetrievedPassage(hit, 0.0))
        return extra

    def _first_stage(
        self, query: Query, flt: SearchFilter | None
    ) -> tuple[list[list[str]], dict[str, Hit], list[np.ndarray]]:
        """The question's rankings (dense and/or BM25 by its language; the two combined into one by the
        learned fusion when it is set), the hits by chunk id, and the question's vector."""
        signals = self.signals_for(query.language)
        vector = self.embedder.encode_query(query.text)
        legs: list[list[Hit]] = []
        if "dense" in signals:
            legs.append(self.index.dense_search(vector.tolist(), self.candidates, flt))
        if "bm25" in signals:
            legs.append(self.index.lexical_search(query.text, self.candidates, flt))
        by_id: dict[str, Hit] = {}
        for hits in legs:  # a dense hit's score is kept where both legs found a chunk
            for h in hits:
                by_id.setdefault(h.chunk.chunk_id, h)
        if self.fusion is not None and len(legs) == 2:
            rankings = [self.fusion.rank(*[[(h.chunk.chunk_id, h.score) for h in hits] for hits in legs])]
        else:
            rankings = [[h.chunk.chunk_id for h in hits] for hits in legs]
        return rankings, by_id, [vector]

    def _second_stage(
        self, ranked: list[str], fused: dict[str, float], by_id: dict[str, Hit], vectors: list[np.ndarray]
    ) -> tuple[list[str], dict[str, float]]:
        """Rerank the head by its sentences; the tail keeps its first-stage order, scored below it."""
        head, tail = ranked[: self.rerank_depth], ranked[self.rerank_depth :]
        sentence_vectors = self._sentence_vectors({cid: by_id[cid].chunk.text for cid in head})
        head, reranked = rerank_by_sentences(head, sentence_vectors, np.stack(vectors), self.rrf_k)
        scale = min(reranked.values()) / (2 * fused[tail[0]]) if tail else 0.0
        return head + tail, {**{cid: reranked[cid] for cid in head}, **{cid: fused[cid] * scale for cid in tail}}

    def _sentence_vectors(self, texts: dict[str, str]) -> dict[str, np.ndarray]:
        """Each passage's sentence vectors (split as the evidence step splits them; one batch)."""
        sentences = {cid: [text[a:b] for a, b in split_sentences(text)] for cid, text in texts.items()}
        flat = [s for parts in sentences.values() for s in parts]
        vectors = self.embedder.encode_passages_cached(flat)
        out: dict[str, np.ndarray] = {}
        position = 0
        for cid, parts in sentences.items():
            out[cid] = vectors[position : position + len(parts)]
            position += len(parts)
        return out
