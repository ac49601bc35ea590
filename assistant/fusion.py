"""Learned fusion of one search text's dense and BM25 rankings (issue 12, part 4).

Equal-weight reciprocal rank fusion throws the scores away: a passage far ahead on BM25 and one just
ahead count the same. Here each candidate (the union of both legs' top hits) is scored by a linear
model over what the two legs know about it — its cosine and distance to the best cosine, its BM25
score relative to the best, its rank in each leg and in their RRF — and the candidates are ordered by
that score. The weights are a pairwise logistic regression trained by ``isnad train fusion`` on ARCD's
Arabic questions over their own paragraphs (``assistant/models/isnad-fusion-v2.json``;
``FUSION_MODEL_CARD.md`` beside it gives the data, recipe, scores and limits). Pure numpy; nothing
here reads the index.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path
from typing import Any

import numpy as np

from assistant.errors import ConfigurationError
from ingest.arabic import LEXICAL_ANALYZER

SHIPPED_FUSION = "isnad-fusion-v2"
FEATURES = ("dense", "dense_gap", "in_dense", "dense_rr", "bm25", "in_bm25", "bm25_rr", "log_bm25_top", "rrf_rr")
Scored = Sequence[tuple[str, float]]  # (chunk id, score), best first


def reciprocal_rank_fusion(rankings: Sequence[Sequence[str]], k: int = 60) -> dict[str, float]:
    """RRF score per id: sum over rankings of 1 / (k + rank), rank starting at 1."""
    scores: dict[str, float] = {}
    for ranking in rankings:
        for rank, item in enumerate(ranking, start=1):
            scores[item] = scores.get(item, 0.0) + 1.0 / (k + rank)
    return scores


def candidate_features(dense: Scored, lexical: Scored, rrf_k: int = 60) -> tuple[list[str], np.ndarray]:
    """The candidates (dense hits, then BM25-only hits) and their feature rows, columns as ``FEATURES``.

    A BM25-only candidate is given the last dense hit's cosine (its own is at most that), and a rank
    one past each leg's end where it is missing."""
    ids = list(dict.fromkeys([cid for cid, _ in dense] + [cid for cid, _ in lexical]))
    dense_score = dict(dense)
    bm25_score = dict(lexical)
    dense_rank = {cid: r for r, (cid, _) in enumerate(dense, 1)}
    bm25_rank = {cid: r for r, (cid, _) in enumerate(lexical, 1)}
    dense_top = dense[0][1] if dense else 0.0
    dense_last = dense[-1][1] if dense else 0.0
    bm25_top = max((s for _, s in lexical), default=0.0)
    rrf = reciprocal_rank_fusion([[cid for cid, _ in dense], [cid for cid, _ in lexical]], rrf_k)
    rrf_rank = {cid: r for r, cid in enumerate(sorted(rrf, key=lambda c: -rrf[c]), 1)}
    rows = []
    for cid in ids:
        cosine = dense_score.get(cid, dense_last)
        rows.append([
            cosine,
            cosine - dense_top,
            float(cid in dense_score),
            1 / (rrf_k + dense_rank.get(cid, len(dense) + 1)),
            bm25_score.get(cid, 0.0) / bm25_top if bm25_top > 0 else 0.0,
            float(cid in bm25_score),
            1 / (rrf_k + bm25_rank.get(cid, len(lexical) + 1)) if lexical else 0.0,
            float(np.log1p(bm25_top)),
            1 / (rrf_k + rrf_rank[cid]),
        ])
    return ids, np.array(rows, dtype=np.float64).reshape(len(ids), len(FEATURES))


@dataclass(frozen=True)
class FusionModel:
    """A linear scorer over ``FEATURES`` (weights in the features' own units)."""

    weights: np.ndarray
    bias: float
    rrf_k: int = 60
    meta: dict[str, Any] = field(default_factory=dict)

    def rank(self, dense: Scored, lexical: Scored) -> list[str]:
        """The candidates of both legs, best first. With no BM25 hits the dense order stands as is."""
        if not lexical or not dense:
            return [cid for cid, _ in (dense or lexical)]
        ids, rows = candidate_features(dense, lexical, self.rrf_k)
        scores = rows @ self.weights + self.bias
        return [ids[i] for i in np.argsort(-scores, kind="stable")]

    def save(self, path: Path) -> None:
        payload = {"features": list(FEATURES), "weights": self.weights.tolist(), "bias": self.bias,
                   "rrf_k": self.rrf_k, **self.meta}
        path.write_text(json.dumps(payload, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, path: Path) -> FusionModel:
        """Read a model written by ``save``; a clear error names the file and what is wrong."""
        try:
            payload = json.loads(path.read_text(encoding="utf-8"))
            features, weights = payload.pop("features"), payload.pop("weights")
            bias, rrf_k = float(payload.pop("bias")), int(payload.pop("rrf_k"))
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise ConfigurationError(f"{path}: not a fusion model ({exc}); retrain it: isnad train fusion") from exc
        if tuple(features) != FEATURES or len(weights) != len(FEATURES):
            raise ConfigurationError(
                f"{path}: its features {features} are not this version's {list(FEATURES)}; "
                "retrain it with `isnad train fusion`."
            )
        analyzer = payload.get("recipe", {}).get("lexical_analyzer", LEXICAL_ANALYZER)
        if analyzer != LEXICAL_ANALYZER:  # its BM25 features are in another analyzer's units
            raise ConfigurationError(
                f"{path}: trained on BM25 scores of the {analyzer!r} analyzer, but this version indexes with "
                f"{LEXICAL_ANALYZER!r}; retrain it with `isnad train fusion` (or set ISNAD_FUSION=rrf)."
            )
        return cls(np.asarray(weights, dtype=np.float64), bias, rrf_k, payload)


def configured_fusion(mode: str, path: Path | None) -> FusionModel | None:
    """The learned model (``path``, else the shipped one) when ``mode`` is "learned"; None for plain RRF."""
    return FusionModel.load(path or shipped_fusion_path()) if mode == "learned" else None


def shipped_fusion_path() -> Path:
    """``assistant/models/isnad-fusion-v2.json``, wherever Isnad is installed."""
    return Path(str(files("assistant.models"))) / f"{SHIPPED_FUSION}.json"
