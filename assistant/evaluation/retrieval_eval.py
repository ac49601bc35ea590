"""Retrieval evaluation anyone can rerun: XQuAD (Arabic corpus, Arabic or English questions),
ARCD (Arabic), and the fact-check claims against the sample corpus.

Each run indexes its corpus in a temporary store (never the user's index) and reports recall@1,
recall@5 and MRR@10 at article level for the configured retrieval and for dense-only and
BM25-only baselines over the same index.
"""

from __future__ import annotations

import json
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant.fusion import configured_fusion
from assistant.query import Query
from assistant.retrieval import FusionMode, HybridMode, RerankMode, Retriever, sentence_stage_applies
from assistant.settings import Settings
from ingest.arabic import LEXICAL_ANALYZER
from ingest.loaders import load_paths
from ingest.models import Article
from vectorstore.chroma_store import open_chroma_client
from vectorstore.embeddings import SentenceEmbedder
from vectorstore.news_index import NewsIndex


@dataclass(frozen=True)
class EvalQuestion:
    text: str
    gold: frozenset[str]  # article keys that count as a hit


@dataclass
class EvalSet:
    name: str
    lang: str
    articles: list[Article]
    questions: list[EvalQuestion]


def _squad(path: Path) -> list[dict[str, Any]]:
    return list(json.loads(path.read_text(encoding="utf-8"))["data"])


def load_xquad(data_dir: Path, lang: str) -> EvalSet:
    """Corpus: the 240 Arabic paragraphs; questions from the parallel file of ``lang``."""
    corpus = _squad(data_dir / "xquad" / "xquad.ar.json")
    asked = _squad(data_dir / "xquad" / f"xquad.{lang}.json")
    articles: list[Article] = []
    questions: list[EvalQuestion] = []
    for a_ar, a_q in zip(corpus, asked, strict=True):
        for p_ar, p_q in zip(a_ar["paragraphs"], a_q["paragraphs"], strict=True):
            key = f"xquad:{len(articles)}"
            articles.append(Article(key=key, title=a_ar.get("title", ""), text=p_ar["context"], source="XQuAD"))
            questions += [EvalQuestion(q["question"], frozenset([key])) for q in p_q["qas"]]
    return EvalSet("xquad", lang, articles, questions)


def load_arcd(data_dir: Path, lang: str = "ar") -> EvalSet:
    articles: list[Article] = []
    questions: list[EvalQuestion] = []
    for doc in _squad(data_dir / "arcd" / "arcd-train.json"):
        for paragraph in doc["paragraphs"]:
            key = f"arcd:{len(articles)}"
            articles.append(Article(key=key, title=doc.get("title", ""), text=paragraph["context"], source="ARCD"))
            questions += [EvalQuestion(q["question"], frozenset([key])) for q in paragraph["qas"]]
    return EvalSet("arcd", "ar", articles, questions)


def load_factcheck(data_dir: Path, sample_files: Sequence[Path], lang: str = "ar") -> EvalSet:
    """Corpus: the sample corpus; query: each claim whose source article is in it."""
    loaded = load_paths(list(sample_files))
    articles = loaded.articles
    keys = {a.key for a in articles}
    questions = []
    for line in (data_dir / "factcheck" / "ans_x_ant_claims.jsonl").read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        gold = frozenset(u for u in record["urls"] if u in keys)
        if gold:
            questions.append(EvalQuestion(record["claim"], gold))
    return EvalSet("factcheck", "ar", articles, questions)


def score_rankings(rankings: Sequence[Sequence[str]], questions: Sequence[EvalQuestion]) -> dict[str, float]:
    """recall@1, recall@5 and MRR@10 of ranked article keys against each question's gold keys."""
    r1 = r5 = mrr = 0.0
    for ranking, question in zip(rankings, questions, strict=True):
        rank = next((i for i, key in enumerate(ranking[:10], start=1) if key in question.gold), None)
        if rank is not None:
            r1 += rank == 1
            r5 += rank <= 5
            mrr += 1.0 / rank
    n = max(len(questions), 1)
    return {"recall@1": round(r1 / n, 4), "recall@5": round(r5 / n, 4), "mrr@10": round(mrr / n, 4)}


def article_ranking(retriever: Retriever, question: str, keys_by_doc: dict[str, str]) -> list[str]:
    """Article keys in the order their chunks are first retrieved (top 10 articles)."""
    result = retriever.retrieve(Query.parse(question, max_chars=100_000), k=retriever.candidates)
    ranking: list[str] = []
    for passage in result.passages:
        key = keys_by_doc.get(passage.hit.chunk.doc_id)
        if key and key not in ranking:
            ranking.append(key)
    return ranking[:10]


@dataclass(frozen=True)
class Variant:
    """One retrieval configuration to score: first-stage signals and the sentence stage."""

    name: str
    hybrid: HybridMode
    rerank: RerankMode
    fusion: FusionMode = "rrf"


def variants_for(settings: Settings, lang: str) -> list[Variant]:
    """The configured retrieval, then baselines over the same index: its first stage alone (when
    questions in ``lang`` are reranked), equal-weight RRF (when the configured fusion is learned and
    ``lang`` fuses two legs), dense only and BM25 only (single signals, no rerank)."""
    configured = Variant("configured", settings.hybrid, settings.rerank, settings.fusion)
    reranked = sentence_stage_applies(settings.rerank, settings.rerank_depth, lang)
    baselines = [Variant("first-stage", settings.hybrid, "off", settings.fusion)] if reranked else []
    if settings.fusion == "learned" and settings.hybrid in ("auto", "fused") and lang == "ar":
        baselines.append(Variant("rrf", settings.hybrid, settings.rerank, "rrf"))
    baselines += [Variant("dense", "dense", "off"), Variant("bm25", "bm25", "off")]
    return [configured, *baselines]


@contextmanager
def eval_index(
    eval_set: EvalSet,
    settings: Settings,
    embedder: SentenceEmbedder,
    progress: Callable[[int], None] | None = None,
    on_total: Callable[[int], None] | None = None,
) -> Iterator[tuple[NewsIndex, float]]:
    """``eval_set``'s corpus indexed in a temporary store (never the user's index), and the seconds it took."""
    with tempfile.TemporaryDirectory(prefix="isnad-eval-") as tmp:
        data_dir = Path(tmp)
        index = NewsIndex(
            open_chroma_client(data_dir), embedder, data_dir, collection=f"eval-{eval_set.name}",
            chunk_tokens=settings.chunk_tokens, overlap_sentences=settings.chunk_overlap_sentences,
        )
        started = time.perf_counter()
        index.ingest(eval_set.articles, progress=progress, on_total=on_total)
        yield index, time.perf_counter() - started


def evaluate_retrieval(
    eval_set: EvalSet,
    settings: Settings,
    embedder: SentenceEmbedder,
    variants: Sequence[Variant] | None = None,
    progress: Callable[[int], None] | None = None,
    on_total: Callable[[int], None] | None = None,
) -> list[dict[str, Any]]:
    """One result row per variant, the first being the configured retrieval (``variants_for``)."""
    fusion = configured_fusion(settings.fusion, settings.fusion_model_path)
    with eval_index(eval_set, settings, embedder, progress, on_total) as (index, index_seconds):
        keys_by_doc = {a.doc_id: a.key for a in eval_set.articles}
        rows = []
        for variant in variants or variants_for(settings, eval_set.lang):
            retriever = Retriever(
                index, embedder, candidates=settings.candidates, rrf_k=settings.rrf_k, hybrid=variant.hybrid,
                rerank=variant.rerank, rerank_depth=settings.rerank_depth,
                fusion=fusion if variant.fusion == "learned" else None,
            )
            started = time.perf_counter()
            rankings = [article_ranking(retriever, q.text, keys_by_doc) for q in eval_set.questions]
            seconds = time.perf_counter() - started
            rows.append({
                "dataset": eval_set.name,
                "lang": eval_set.lang,
                "n": len(eval_set.questions),
                **score_rankings(rankings, eval_set.questions),
                "seconds": round(seconds, 1),
                "config": {
                    "variant": variant.name, "hybrid": variant.hybrid, "rerank": variant.rerank,
                    "fusion": variant.fusion if len(retriever.signals_for(eval_set.lang)) > 1 else "none",
                    "rerank_depth": settings.rerank_depth if retriever.reranks(eval_set.lang) else 0,
                    "lexical_analyzer": LEXICAL_ANALYZER, "embedding_model": embedder.name,
                    "chunk_tokens": settings.chunk_tokens, "candidates": settings.candidates,
                    "rrf_k": settings.rrf_k, "articles": len(eval_set.articles),
                    "index_seconds": round(index_seconds, 1),
                },
            })
        return rows


def load_eval_set(name: str, lang: str, data_dir: Path, sample_files: Sequence[Path]) -> EvalSet:
    if name == "xquad":
        return load_xquad(data_dir, lang)
    if name == "arcd":
        return load_arcd(data_dir)
    if name == "factcheck":
        return load_factcheck(data_dir, sample_files)
    raise ValueError(f"unknown dataset {name!r} (xquad, arcd, factcheck)")

