"""ANS stance pairs (headline premises, or the aligned ANT body sentence) and the stance model's scores on them."""

from __future__ import annotations

import csv
import gzip
import json
import time
from collections.abc import Iterable, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from assistant.errors import BadInputError
from assistant.stance_model import LABELS, StanceLabel, StanceModel, embed_texts
from ingest.chunking import split_sentences
from vectorstore.embeddings import SentenceEmbedder

ANS_STANCES: dict[str, StanceLabel] = {"agree": "supports", "disagree": "contradicts", "other": "unrelated"}
ALIGN_PROMPTS = ("query: ", "passage: ")  # headline → body sentences, as a search
MIN_SENTENCE_WORDS = 4


@dataclass(frozen=True)
class StancePair:
    """A claim (ANS ``s2``), an evidence text, the gold stance, and where the evidence came from."""

    claim: str
    evidence: str
    label: StanceLabel
    kind: str = "headline"  # headline (ANS s1), body (aligned ANT sentence), hard (another article's sentence)


@dataclass(frozen=True)
class AnsRow:
    headline: str  # s1
    claim: str  # s2
    label: StanceLabel


def read_ans(data_dir: Path, split: str) -> list[AnsRow]:
    """The rows of ``data_dir/ans/stance_{split}.csv`` in file order (``ans_row`` indexes them)."""
    path = data_dir / "ans" / f"stance_{split}.csv"
    if not path.is_file():
        raise BadInputError(f"no ANS stance split {split!r}: {path} does not exist")
    with path.open(encoding="utf-8", newline="") as handle:
        return [AnsRow(r["s1"], r["s2"], ANS_STANCES[r["stance"]]) for r in csv.DictReader(handle)]


def headline_pairs(rows: Iterable[AnsRow]) -> list[StancePair]:
    return [StancePair(row.claim, row.headline, row.label) for row in rows]


def read_links(data_dir: Path, split: str) -> list[dict[str, Any]]:
    """The ANS rows of ``split`` joined with their source ANT article (``factcheck/ans_x_ant_claims.jsonl``)."""
    path = data_dir / "factcheck" / "ans_x_ant_claims.jsonl"
    with path.open(encoding="utf-8") as handle:
        return [link for line in handle if (link := json.loads(line))["ans_split"] == split]


def read_ant(data_dir: Path, docnos: set[str] | None = None) -> dict[str, dict[str, Any]]:
    """ANT articles by docno: those in ``docnos``, or every BBC middleEast one (the sample corpus) when None."""
    path = data_dir / "ant" / "ant_middleeast_international.jsonl.gz"
    found: dict[str, dict[str, Any]] = {}
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        for line in handle:
            article = json.loads(line)
            wanted = article["docno"] in docnos if docnos is not None else (
                article["src"] == "BBC" and article["cat"] == "middleEast")
            if wanted and article["text"].strip():
                found[article["docno"]] = article
    return found


def body_sentences(text: str) -> list[str]:
    """The sentences of an article body, without the short ones (datelines, captions)."""
    sentences = (text[start:end] for start, end in split_sentences(text))
    return [s for s in sentences if len(s.split()) >= MIN_SENTENCE_WORDS]


class VectorCache:
    """Embeddings of prompted texts, each encoded once (batched) across pair kinds and variants."""

    def __init__(self, embedder: SentenceEmbedder) -> None:
        self.embedder = embedder
        self.vectors: dict[str, np.ndarray] = {}

    def __call__(self, texts: Sequence[str]) -> np.ndarray:
        """(n, dim) vectors of prompted ``texts``; those not seen yet are encoded in one batch."""
        missing = list(dict.fromkeys(t for t in texts if t not in self.vectors))
        if missing:
            self.vectors.update(zip(missing, embed_texts(self.embedder, missing), strict=True))
        if not texts:
            return np.zeros((0, self.embedder.dimension), np.float32)
        return np.stack([self.vectors[t] for t in texts])


def best_matches(vectors: VectorCache, queries: Sequence[str], candidates: Sequence[Sequence[str]]) -> list[int]:
    """For each query, the index of its most similar candidate (e5 search: query prompt vs passage prompt)."""
    query_prompt, passage_prompt = ALIGN_PROMPTS
    query_vectors = vectors([query_prompt + q for q in queries])
    vectors([passage_prompt + s for group in candidates for s in group])  # one batched encode
    return [int(np.argmax(vectors([passage_prompt + s for s in group]) @ q))
            for q, group in zip(query_vectors, candidates, strict=True)]


@dataclass
class LinkedArticles:
    """The ANS rows of a split joined with their ANT source articles, split into sentences."""

    rows: list[AnsRow]
    links: list[dict[str, Any]]  # factcheck rows whose article has sentences
    articles: dict[str, dict[str, Any]]  # docno → ANT record
    sentences: dict[str, list[str]]  # docno → body sentences

    def sentences_of(self, docnos: Sequence[str]) -> list[str]:
        return [s for d in docnos for s in self.sentences.get(d, [])]


def linked_articles(
    data_dir: Path, split: str, limit: int | None = None, exclude: AbstractSet[str] = frozenset()
) -> LinkedArticles:
    """The first ``limit`` ANS rows of ``split`` with their ANT articles, leaving out links to ``exclude``d ones."""
    rows = read_ans(data_dir, split)[:limit]
    links = [link for link in read_links(data_dir, split)
             if link["ans_row"] < len(rows) and not set(link["ant_docnos"]) & exclude]
    articles = read_ant(data_dir, {d for link in links for d in link["ant_docnos"]})
    sentences = {docno: body_sentences(article["text"]) for docno, article in articles.items()}
    linked = LinkedArticles(rows, [], articles, sentences)
    linked.links = [link for link in links if linked.sentences_of(link["ant_docnos"])]
    return linked


def aligned_body_pairs(linked: LinkedArticles, vectors: VectorCache) -> list[StancePair]:
    """(s2, the body sentence of s1's article that best matches s1), labelled as the ANS pair."""
    rows = [linked.rows[link["ans_row"]] for link in linked.links]
    groups = [linked.sentences_of(link["ant_docnos"]) for link in linked.links]
    chosen = best_matches(vectors, [row.headline for row in rows], groups)
    return [StancePair(row.claim, group[i], row.label, "body") for row, group, i in zip(rows, groups, chosen,
                                                                                         strict=True)]


def stance_scores(gold: Sequence[str], predicted: Sequence[str]) -> dict[str, Any]:
    """Accuracy, macro-F1 over the 3 stances, per-class precision/recall/F1/support, confusion (gold × predicted)."""
    index: dict[str, int] = {label: i for i, label in enumerate(LABELS)}
    confusion: np.ndarray = np.zeros((len(LABELS), len(LABELS)), dtype=int)
    for g, p in zip(gold, predicted, strict=True):
        confusion[index[g], index[p]] += 1
    per_class = {}
    for i, label in enumerate(LABELS):
        hits, guessed, support = confusion[i, i], confusion[:, i].sum(), confusion[i].sum()
        precision = hits / guessed if guessed else 0.0
        recall = hits / support if support else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per_class[label] = {"precision": round(float(precision), 4), "recall": round(float(recall), 4),
                            "f1": round(float(f1), 4), "support": int(support)}
    return {
        "n": len(gold),
        "accuracy": round(float(np.trace(confusion) / max(len(gold), 1)), 4),
        "macro_f1": round(float(np.mean([c["f1"] for c in per_class.values()])), 4),
        "per_class": per_class,
        "confusion": {label: dict(zip(LABELS, map(int, confusion[i]), strict=True)) for i, label in enumerate(LABELS)},
    }


def evaluate_stance(model: StanceModel, vectors: VectorCache, pairs: Sequence[StancePair]) -> dict[str, Any]:
    """The model's scores on ``pairs``, with the seconds spent embedding and scoring."""
    started = time.perf_counter()
    probabilities = model.probabilities([(p.claim, p.evidence) for p in pairs], vectors)
    predicted = [LABELS[i] for i in probabilities.argmax(axis=1)]
    result = stance_scores([p.label for p in pairs], predicted)
    return result | {"seconds": round(time.perf_counter() - started, 2)}


def body_pairs(data_dir: Path, split: str, vectors: VectorCache) -> list[StancePair]:
    """The ``split`` pairs whose premise is the aligned body sentence instead of the headline."""
    return aligned_body_pairs(linked_articles(data_dir, split), vectors)
