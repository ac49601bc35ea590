"""Abstention on questions the sources do not answer, with the real e5 model and a real index (the
seed article and 60 BBC Arabic articles): the key-term check of assistant/coverage.py end to end."""

import pytest

from assistant.coverage import judge_coverage

pytestmark = pytest.mark.integration


@pytest.mark.parametrize(
    "question",
    [
        "How many US troops are stationed in Japan?",  # near-domain: US troops, another country
        "كم عدد الجنود الأمريكيين في اليابان؟",
        "كم عدد سكان أيسلندا؟",
    ],
)
def test_near_domain_questions_the_sources_do_not_answer_are_abstained_from(indexed_service, question):
    answer = indexed_service.ask(question, mode="extractive")
    assert answer.abstained, answer.to_dict()


@pytest.mark.parametrize(
    "question", ["How many US troops remain in Syria?", "كم عدد الجنود الأمريكيين الذين بقوا في سوريا؟"]
)
def test_the_troops_questions_are_still_answered(indexed_service, question):
    answer = indexed_service.ask(question, mode="extractive")
    assert not answer.abstained and answer.citations, answer.to_dict()


def test_the_key_term_check_reads_the_real_model(embedder):
    """e5 finds the question's terms across languages and inflections; a missing country stands out."""
    iraq, japan = judge_coverage(
        embedder, "How many US troops are stationed in Japan?",
        ["وتقر الولايات المتحدة إن هناك 522 عسكريا أمريكيا في العراق.", "ينتشر نحو 54 ألف جندي أمريكي في اليابان."],
        tolerance=0.015,
    )
    assert iraq.missing == ("japan",) and not iraq.covers
    assert japan.covers, japan
