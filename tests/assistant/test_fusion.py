"""The learned fusion of dense and BM25 (assistant/fusion.py): features, ordering, files, and its place in retrieval."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from assistant.errors import ConfigurationError
from assistant.evaluation.retrieval_eval import variants_for
from assistant.fusion import FEATURES, FusionModel, candidate_features, configured_fusion, shipped_fusion_path
from assistant.retrieval import reciprocal_rank_fusion
from assistant.settings import Settings
from ingest.arabic import LEXICAL_ANALYZER

pytestmark = pytest.mark.unit

DENSE = [("a", 0.90), ("b", 0.89), ("c", 0.85)]
LEXICAL = [("c", 30.0), ("d", 12.0), ("a", 3.0)]


def column(rows: np.ndarray, name: str) -> np.ndarray:
    return rows[:, FEATURES.index(name)]


def only(name: str) -> FusionModel:
    """A model that orders by one feature alone."""
    return FusionModel(np.eye(len(FEATURES))[FEATURES.index(name)], 0.0)


def test_candidates_are_both_legs_and_a_bm25_only_one_gets_the_last_dense_cosine():
    ids, rows = candidate_features(DENSE, LEXICAL)
    assert ids == ["a", "b", "c", "d"]
    assert rows.shape == (4, len(FEATURES))
    d = ids.index("d")
    assert column(rows, "dense")[d] == 0.85 and column(rows, "in_dense")[d] == 0.0
    assert column(rows, "dense_gap")[ids.index("c")] == pytest.approx(-0.05)
    assert column(rows, "bm25").tolist() == pytest.approx([0.1, 0.0, 1.0, 0.4])
    assert column(rows, "in_bm25").tolist() == [1.0, 0.0, 1.0, 1.0]


def test_the_rrf_feature_alone_gives_the_rrf_order_of_retrieval():
    fused = reciprocal_rank_fusion([[cid for cid, _ in DENSE], [cid for cid, _ in LEXICAL]])
    assert only("rrf_rr").rank(DENSE, LEXICAL) == sorted(fused, key=lambda cid: -fused[cid])


def test_scores_not_just_ranks_decide():
    """Far ahead on BM25 beats barely ahead on cosine when the model weighs the relative BM25 score."""
    model = FusionModel(np.array([0, 10, 0, 0, 1, 0, 0, 0, 0], dtype=float), 0.0)
    dense = [("x", 0.861), ("y", 0.860)]
    assert model.rank(dense, [("y", 20.0), ("x", 2.0)])[0] == "y"
    assert model.rank(dense, [("x", 20.0), ("y", 19.0)])[0] == "x"


def test_with_one_leg_empty_the_other_keeps_its_order():
    model = only("bm25")
    assert model.rank(DENSE, []) == ["a", "b", "c"]
    assert model.rank([], LEXICAL) == ["c", "d", "a"]


def test_save_and_load_keep_the_weights_and_the_report(tmp_path: Path):
    model = FusionModel(np.arange(len(FEATURES), dtype=float), -1.5, 60, {"trained_on": "arcd"})
    path = tmp_path / "fusion.json"
    model.save(path)
    loaded = FusionModel.load(path)
    assert loaded.weights.tolist() == model.weights.tolist() and loaded.bias == -1.5
    assert loaded.meta["trained_on"] == "arcd"
    assert loaded.rank(DENSE, LEXICAL) == model.rank(DENSE, LEXICAL)


def test_a_broken_or_foreign_model_file_is_named(tmp_path: Path):
    broken = tmp_path / "broken.json"
    broken.write_text("{not json", encoding="utf-8")
    with pytest.raises(ConfigurationError, match=r"broken\.json"):
        FusionModel.load(broken)
    foreign = tmp_path / "foreign.json"
    foreign.write_text(json.dumps({"features": ["dense"], "weights": [1.0], "bias": 0, "rrf_k": 60}), encoding="utf-8")
    with pytest.raises(ConfigurationError, match=r"foreign\.json.*isnad train fusion"):
        FusionModel.load(foreign)


def test_a_model_trained_on_another_bm25_analyzer_is_refused(tmp_path: Path):
    path = tmp_path / "old.json"
    FusionModel(np.ones(len(FEATURES)), 0.0, 60, {"recipe": {"lexical_analyzer": "light-1"}}).save(path)
    with pytest.raises(ConfigurationError, match=r"old\.json.*'light-1'.*isnad train fusion"):
        FusionModel.load(path)
    assert FusionModel.load(shipped_fusion_path()).meta["recipe"]["lexical_analyzer"] == LEXICAL_ANALYZER


def test_the_shipped_model_loads_and_puts_a_passage_first_in_both_legs_first():
    model = configured_fusion("learned", None)
    assert model is not None and model.meta["trained_on"].startswith("arcd")
    assert shipped_fusion_path().stat().st_size < 10_000
    dense = [("both", 0.88), ("dense-only", 0.87), ("mid", 0.86)]
    lexical = [("both", 25.0), ("bm25-only", 18.0), ("mid", 10.0)]
    assert model.rank(dense, lexical)[0] == "both"
    assert configured_fusion("rrf", None) is None


@pytest.mark.parametrize(("fusion", "lang", "has_rrf_baseline"), [
    ("learned", "ar", True), ("learned", "en", False), ("rrf", "ar", False),
])
def test_the_eval_scores_equal_rrf_beside_the_learned_fusion(fusion: str, lang: str, has_rrf_baseline: bool):
    names = [v.name for v in variants_for(Settings(fusion=fusion), lang)]
    assert names[0] == "configured" and ("rrf" in names) == has_rrf_baseline


def test_pairwise_training_puts_each_question_relevant_candidate_first():
    """Two questions whose relevant candidate is the one with the higher BM25 share but not the higher
    cosine: the pairwise fit must learn to order by the former, whatever each question's scale."""
    from assistant.training.fusion_training import QuestionCandidates, fit, pairs

    def question(offset: float) -> QuestionCandidates:
        rows = np.full((3, len(FEATURES)), offset)
        rows[:, FEATURES.index("bm25")] = [0.2, 1.0, 0.5]
        rows[:, FEATURES.index("dense")] = [0.9 + offset, 0.8 + offset, 0.85 + offset]
        return QuestionCandidates([], [], {}, rows, np.array([False, True, False]), 0)

    questions = [question(0.0), question(0.3)]
    x, y = pairs(questions, np.zeros(len(FEATURES)), np.ones(len(FEATURES)))
    assert x.shape == (8, len(FEATURES)) and y.tolist() == [1.0] * 4 + [0.0] * 4  # 2 pairs a question, both ways
    model = fit(questions)
    for q in questions:
        assert int(np.argmax(q.features @ model.weights + model.bias)) == 1
