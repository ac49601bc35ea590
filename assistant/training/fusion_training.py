"""Train the learned fusion (``assistant/fusion.py``) on ARCD: ``isnad train fusion``.

ARCD's Arabic questions are asked of an index of ARCD's own paragraphs (built in a temporary store, as
``isnad eval retrieval`` builds it); each question's candidates — the union of its dense and BM25 top
hits — are described by ``fusion.candidate_features`` and labelled by whether they come from the
question's paragraph. A pairwise logistic regression on standardised features is fitted (it learns to put
each relevant candidate above each irrelevant one of the same question: the order is all that counts), and
the scaling folded into its weights so that the product reads the features as they are. Before the final
fit, a 5-fold cross-validation grouped by Wikipedia page (no page in both sides of a fold) scores the
learned order against equal-weight RRF and each leg alone, on held-out questions only.
"""

from __future__ import annotations

import time
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np

from assistant.errors import ConfigurationError
from assistant.evaluation.retrieval_eval import EvalQuestion, EvalSet, eval_index, score_rankings
from assistant.fusion import FEATURES, SHIPPED_FUSION, FusionModel, candidate_features
from assistant.settings import Settings
from ingest.arabic import LEXICAL_ANALYZER
from vectorstore.embeddings import SentenceEmbedder

FOLDS = 5
Say = Callable[[str], None]


@dataclass(frozen=True)
class QuestionCandidates:
    """One training question: each leg's (chunk id, score) hits, its candidates' features and labels."""

    dense: list[tuple[str, float]]
    lexical: list[tuple[str, float]]
    keys_by_id: dict[str, str]
    features: np.ndarray
    labels: np.ndarray
    group: int


def collect(eval_set: EvalSet, settings: Settings, embedder: SentenceEmbedder, say: Say) -> list[QuestionCandidates]:
    """Every question's candidates over an index of the set's own articles, as the product retrieves them."""
    key_of = {a.doc_id: a.key for a in eval_set.articles}
    page_of = {a.key: a.title for a in eval_set.articles}
    out = []
    with eval_index(eval_set, settings, embedder) as (index, seconds):
        say(f"indexed {len(eval_set.articles)} paragraphs in {seconds:.0f} s; "
            f"searching {len(eval_set.questions)} questions…")
        for question in eval_set.questions:
            vector = embedder.encode_query(question.text)
            legs = [index.dense_search(vector.tolist(), settings.candidates),
                    index.lexical_search(question.text, settings.candidates)]
            keys_by_id = {h.chunk.chunk_id: key_of[h.chunk.doc_id] for hits in legs for h in hits}
            dense, lexical = ([(h.chunk.chunk_id, h.score) for h in hits] for hits in legs)
            ids, rows = candidate_features(dense, lexical, settings.rrf_k)
            page = page_of[next(iter(question.gold))]
            out.append(QuestionCandidates(
                dense, lexical, keys_by_id, rows, np.array([keys_by_id[cid] in question.gold for cid in ids]),
                zlib.crc32(page.encode()) % FOLDS,
            ))
    return out


def pairs(
    questions: Sequence[QuestionCandidates], mean: np.ndarray, scale: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Every (relevant − irrelevant) difference of standardised feature rows within each question,
    labelled 1, and its negation, labelled 0."""
    diffs = []
    for q in questions:
        rows = (q.features - mean) / scale
        good, bad = rows[q.labels], rows[~q.labels]
        if len(good) and len(bad):
            diffs.append((good[:, None, :] - bad[None, :, :]).reshape(-1, rows.shape[1]))
    x = np.concatenate(diffs) if diffs else np.zeros((0, len(FEATURES)))
    return np.concatenate([x, -x]), np.concatenate([np.ones(len(x)), np.zeros(len(x))])


def fit(questions: Sequence[QuestionCandidates], c: float = 1.0, rrf_k: int = 60) -> FusionModel:
    """A pairwise logistic regression on standardised features (no intercept: only differences are
    seen), its scaling folded into the weights."""
    try:
        from sklearn.linear_model import LogisticRegression
    except ImportError as exc:
        raise ConfigurationError("training needs scikit-learn: pip install -e '.[train]'") from exc
    x = np.concatenate([q.features for q in questions])
    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale[scale == 0] = 1.0
    lr = LogisticRegression(C=c, fit_intercept=False, max_iter=5000).fit(*pairs(questions, mean, scale))
    weights = lr.coef_[0] / scale
    return FusionModel(weights, float(-weights @ mean), rrf_k)


def rankings(q: QuestionCandidates, model: FusionModel) -> dict[str, list[str]]:
    """The question's article rankings (top 10): learned, equal-weight RRF, dense alone, BM25 alone."""
    rrf = FusionModel(np.eye(len(FEATURES))[FEATURES.index("rrf_rr")], 0.0, model.rrf_k)  # the RRF feature alone
    chunk_orders = {
        "learned": model.rank(q.dense, q.lexical),
        "rrf": rrf.rank(q.dense, q.lexical),
        "dense": [cid for cid, _ in q.dense],
        "bm25": [cid for cid, _ in q.lexical],
    }
    return {name: list(dict.fromkeys(q.keys_by_id[cid] for cid in ids))[:10] for name, ids in chunk_orders.items()}


def scores(questions: Sequence[QuestionCandidates], gold: Sequence[frozenset[str]],
           models: Sequence[FusionModel]) -> dict[str, dict[str, float]]:
    """R@1, R@5, MRR@10 of each ordering, question i ranked by ``models[i]``."""
    per_question = [rankings(q, m) for q, m in zip(questions, models, strict=True)]
    wanted = [EvalQuestion("", g) for g in gold]
    return {name: score_rankings([r[name] for r in per_question], wanted) for name in per_question[0]}


def train_fusion(eval_set: EvalSet, settings: Settings, embedder: SentenceEmbedder, c: float = 1.0,
                 say: Say = print) -> tuple[FusionModel, dict[str, Any]]:
    """Cross-validate (grouped by page), then fit on every question; returns the model and its report."""
    started = time.perf_counter()
    questions = collect(eval_set, settings, embedder, say)
    gold = [q.gold for q in eval_set.questions]
    fold_models = {fold: fit([q for q in questions if q.group != fold], c, settings.rrf_k) for fold in range(FOLDS)}
    cv = scores(questions, gold, [fold_models[q.group] for q in questions])
    say("cross-validation: " + ", ".join(f"{k} R@1 {v['recall@1']:.3f}" for k, v in cv.items()))
    model = fit(questions, c, settings.rrf_k)
    report = {
        "name": SHIPPED_FUSION, "format": 1, "trained_on": f"{eval_set.name} ({len(questions)} questions)",
        "recipe": {"classifier": "pairwise logistic regression (relevant minus irrelevant candidate of one "
                                 "question), standardised", "c": c,
                   "candidates": settings.candidates, "embedding_model": embedder.name,
                   "lexical_analyzer": LEXICAL_ANALYZER},
        f"cross_validation_{FOLDS}_fold_by_page": cv,
        "in_sample": scores(questions, gold, [model] * len(questions)),
        "trained": date.today().isoformat(), "seconds": round(time.perf_counter() - started, 1),
    }
    return FusionModel(model.weights, model.bias, model.rrf_k, report), report
