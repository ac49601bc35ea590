import pytest
from conftest import SHARED_DATA

from assistant.evaluation.retrieval_eval import EvalQuestion, load_xquad, score_rankings
from ingest.arabic import detect_language

pytestmark = pytest.mark.unit


def test_known_rankings_give_known_recall():
    questions = [EvalQuestion("a", frozenset({"x"})), EvalQuestion("b", frozenset({"y"})),
                 EvalQuestion("c", frozenset({"z"})), EvalQuestion("d", frozenset({"w"}))]
    rankings = [["x", "y"], ["q", "r", "y"], ["1", "2", "3", "4", "5", "6", "z"], ["none"]]
    scores = score_rankings(rankings, questions)
    assert scores == {"recall@1": 0.25, "recall@5": 0.5, "mrr@10": round((1 + 1 / 3 + 1 / 7) / 4, 4)}


@pytest.mark.skipif(not (SHARED_DATA / "xquad").exists(), reason="shared data not present")
@pytest.mark.parametrize("lang", ["ar", "en"])
def test_xquad_questions_are_parallel_and_point_at_arabic_paragraphs(lang):
    ev = load_xquad(SHARED_DATA, lang)
    assert (len(ev.articles), len(ev.questions)) == (240, 1190)
    assert all(detect_language(a.text) == "ar" for a in ev.articles)
    keys = {a.key for a in ev.articles}
    assert all(q.gold <= keys for q in ev.questions)
