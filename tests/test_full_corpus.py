"""The flagship questions over the full sample corpus (the seed article and every BBC Arabic 2018
article), as a new user gets them after `make run`: the newest figure leads, in both languages and
both modes. The index takes minutes to build, so these run with `make test-full` (which builds it
once into .cache/full-index), or with ISNAD_FULL_INDEX_DIR pointing at a sample index."""

from __future__ import annotations

import gzip
import os
from pathlib import Path

import pytest
from conftest import SAMPLE, make_settings

from assistant.answering import Answer
from assistant.places import places_named
from assistant.service import IsnadService

FULL_INDEX = os.environ.get("ISNAD_FULL_INDEX_DIR")
pytestmark = [
    pytest.mark.full_corpus,
    pytest.mark.skipif(not FULL_INDEX, reason="needs the full sample index: make test-full"),
]
TROOPS = {"en": "How many US troops remain in Syria?", "ar": "كم عدد الجنود الأمريكيين الذين بقوا في سوريا؟"}
OVER_TIME = "How has the number of US troops in Syria changed over time?"
LEADS = {"en": "About 900 troops (Al-Monitor, 2024-09-27) [1]", "ar": "نحو 900 جندي (Al-Monitor، 2024-09-27) [1]"}


@pytest.fixture(scope="module")
def full_service(embedder):
    settings = make_settings(Path(str(FULL_INDEX)), mode="llm", llm_timeout_s=300)
    service = IsnadService.from_settings(settings, embedder=embedder)
    with gzip.open(SAMPLE / "bbc_arabic_middleeast_2018.jsonl.gz", "rt", encoding="utf-8") as lines:
        shipped = 1 + sum(1 for line in lines if line.strip())  # the seed article and every BBC one
    assert service.index.stats()["articles"] >= shipped - 5, service.index.stats()  # a few are empty
    yield service
    service.close()


def assert_900_leads_and_2018_is_earlier(answer: Answer) -> None:
    lead = answer.citations[0]
    assert lead.source == "Al-Monitor" and "900" in lead.quote and lead.verified, answer.to_dict()
    older = [p for p in answer.figures if p.published.startswith("2018") and p.value == 2000]
    assert older and answer.citations[older[0].n - 1].verified, answer.figures
    assert answer.figures[-1].value == 900 and answer.figures[-1].n == 1
    # every figure of the history is one for Syria (522 US troops in Iraq was once listed as earlier)
    quotes = [answer.citations[p.n - 1].quote for p in answer.figures]
    assert all("syria" in places_named(q) for q in quotes), quotes


@pytest.mark.parametrize("language", ["en", "ar"])
def test_extractive_answers_lead_with_the_newest_figure(full_service: IsnadService, language: str):
    answer = full_service.ask(TROOPS[language], mode="extractive")
    assert answer.answer.startswith(LEADS[language]), answer.answer
    assert_900_leads_and_2018_is_earlier(answer)
    assert ("Earlier: " if language == "en" else "وقبل ذلك: ") in answer.answer.splitlines()[1]


def test_the_figure_over_time_has_both_points_in_order(full_service: IsnadService):
    answer = full_service.ask(OVER_TIME, mode="extractive")
    values = [p.value for p in answer.figures]
    assert 2000 in values and values[-1] == 900, answer.figures
    assert [p.published for p in answer.figures] == sorted(p.published for p in answer.figures)


@pytest.mark.llm
@pytest.mark.parametrize("language", ["en", "ar"])
def test_llm_answers_lead_with_the_newest_figure(full_service: IsnadService, language: str):
    """The model's answer is kept only when it leads with 900; otherwise the extractive answer (which
    does) is shown with a notice: either way the first figure a journalist reads is the newest."""
    answer = full_service.ask(TROOPS[language])
    assert_900_leads_and_2018_is_earlier(answer)
    if answer.mode == "extractive":
        assert answer.answer.startswith(LEADS[language]) and answer.notice, answer.to_dict()
