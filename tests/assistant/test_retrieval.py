import numpy as np
import pytest

from assistant.retrieval import reciprocal_rank_fusion, rerank_by_sentences, sentence_scores, sentence_stage_applies

pytestmark = pytest.mark.unit


def unit(*values: float) -> np.ndarray:
    v = np.asarray(values, dtype=np.float32)
    return v / np.linalg.norm(v)


def test_rrf_sums_reciprocal_ranks():
    scores = reciprocal_rank_fusion([["a", "b"], ["b", "c"]], k=10)
    assert scores == pytest.approx({"a": 1 / 11, "b": 1 / 12 + 1 / 11, "c": 1 / 12})


def test_sentence_scores_take_the_best_sentence_and_the_best_neighbouring_pair():
    query = np.stack([unit(1, 0, 0)])
    sentences = np.stack([unit(0, 1, 0), unit(1, 1, 0), unit(1, 0, 0)])
    best, pair = sentence_scores(sentences, query)
    assert best == pytest.approx(1.0)
    # the pair (s2, s3): normalised sum of (1,1,0)/√2 and (1,0,0)
    expected = unit(*(unit(1, 1, 0) + unit(1, 0, 0)))[0]
    assert pair == pytest.approx(float(expected), abs=1e-6)


def test_sentence_scores_of_one_sentence_and_of_none():
    query = np.stack([unit(1, 0)])
    assert sentence_scores(np.stack([unit(1, 1)]), query) == pytest.approx((0.7071, 0.7071), abs=1e-4)
    assert sentence_scores(np.zeros((0, 2), np.float32), query) == (-1.0, -1.0)


def test_the_query_or_its_translation_whichever_is_closer():
    queries = np.stack([unit(1, 0), unit(0, 1)])
    assert sentence_scores(np.stack([unit(0, 1)]), queries)[0] == pytest.approx(1.0)


def test_a_passage_with_the_answering_sentence_rises_above_topical_ones():
    query = np.stack([unit(1, 0, 0)])
    vectors = {
        "topical-1": np.stack([unit(1, 1, 1), unit(1, 1, 1.2)]),
        "topical-2": np.stack([unit(1, 1.1, 1), unit(1, 1, 1)]),
        "answer": np.stack([unit(0, 1, 1), unit(1, 0.05, 0)]),
    }
    order, scores = rerank_by_sentences(["topical-1", "topical-2", "answer"], vectors, query, k=60)
    assert order[0] == "answer"
    assert scores["answer"] == pytest.approx(1 / 63 + 1 / 61 + 1 / 61)
    assert set(order) == set(vectors)


@pytest.mark.parametrize(
    ("rerank", "depth", "language", "applies"),
    [("auto", 20, "en", True), ("auto", 20, "ar", False), ("on", 20, "ar", True), ("off", 20, "en", False),
     ("auto", 0, "en", False)],
)
def test_the_sentence_stage_is_routed_by_the_question_script(rerank, depth, language, applies):
    assert sentence_stage_applies(rerank, depth, language) is applies
