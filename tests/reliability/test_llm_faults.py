"""LLM endpoint faults: down, slow, trickling, failing or talking nonsense. The answer falls back
to the quoted evidence (extractive) with a notice, bounded by ISNAD_LLM_TIMEOUT_S, never hangs."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import SAMPLE, make_settings
from llm_stub import stub_llm
from reliability_helpers import SYRIA_QUESTION_AR, SYRIA_QUESTION_EN, free_port

from assistant.answering import Answer
from assistant.service import IsnadService
from vectorstore.news_index import NewsIndex

pytestmark = pytest.mark.reliability
TIMEOUT_S = 3.0
# The slow and trickling stubs never finish an answer while the test runs, so returning at all
# shows the timeout works; this generous bound (translation + answer, each one timeout, plus
# retrieval on a busy CPU) only catches a timeout applied many times over.
BOUND_S = 2 * TIMEOUT_S + 60
FALLBACK = "Showing quoted evidence instead of a generated answer"


@pytest.fixture(scope="module")
def seed_index(tmp_path_factory: pytest.TempPathFactory, embedder) -> NewsIndex:
    service = IsnadService.from_settings(make_settings(tmp_path_factory.mktemp("seed")), embedder=embedder)
    assert service.ingest_paths([SAMPLE / "seed_article_ar.json"]).added == 1
    return service.index


def llm_service(index: NewsIndex, embedder, base_url: str) -> IsnadService:
    settings = make_settings(
        index.data_dir, mode="llm", llm_provider="openai", llm_base_url=base_url, llm_model="stub",
        llm_timeout_s=TIMEOUT_S,
    )
    return IsnadService(settings, embedder, index)


def ask_through(behaviour: str, index: NewsIndex, embedder, question: str, streamed: bool = False) -> Answer:
    """Ask ``question`` in llm mode with the endpoint behaving as ``behaviour`` ("down": no server).
    ``streamed``: with a progress callback, as the UI asks (the reply is then streamed)."""
    progress: dict[str, Any] = {"progress": lambda stage, detail: None} if streamed else {}
    if behaviour == "down":
        return llm_service(index, embedder, f"http://127.0.0.1:{free_port()}/v1").ask(question, **progress)
    with stub_llm(behaviour) as stub:
        answer = llm_service(index, embedder, stub.base_url).ask(question, **progress)
        assert stub.requests, "the service did call the endpoint"
    return answer


@pytest.mark.parametrize("behaviour", ["garbage", "not-json", "error", "slow", "trickle", "drip", "down"])
def test_a_failing_llm_falls_back_to_quoted_evidence(behaviour: str, seed_index: NewsIndex, embedder) -> None:
    answer = ask_through(behaviour, seed_index, embedder, SYRIA_QUESTION_AR)
    assert answer.mode == "extractive"
    assert answer.notice and answer.notice.startswith(FALLBACK), answer.notice
    assert any("900" in c.quote and c.verified for c in answer.citations)
    assert answer.timings["total"] < BOUND_S, answer.timings


@pytest.mark.parametrize("behaviour", ["slow", "trickle", "drip"])
def test_a_streamed_answer_is_bounded_too(behaviour: str, seed_index: NewsIndex, embedder) -> None:
    answer = ask_through(behaviour, seed_index, embedder, SYRIA_QUESTION_AR, streamed=True)
    assert answer.mode == "extractive" and answer.notice and answer.notice.startswith(FALLBACK)
    assert answer.timings["total"] < BOUND_S, answer.timings


@pytest.mark.parametrize("behaviour", ["slow", "trickle"])
def test_english_question_translation_is_bounded(behaviour: str, seed_index: NewsIndex, embedder) -> None:
    """English questions first ask the LLM for an Arabic translation: that call is bounded too."""
    answer = ask_through(behaviour, seed_index, embedder, SYRIA_QUESTION_EN)
    assert answer.mode == "extractive"
    assert answer.timings["total"] < BOUND_S, answer.timings


@pytest.mark.parametrize(
    ("behaviour", "reason"),
    [("garbage", "cited no evidence"), ("slow", "Timeout"), ("trickle", "Timeout"),
     ("error", "500"), ("down", "Connection")],
)
def test_the_fallback_notice_says_why(behaviour: str, reason: str, seed_index: NewsIndex, embedder) -> None:
    answer = ask_through(behaviour, seed_index, embedder, SYRIA_QUESTION_AR)
    assert answer.notice and reason in answer.notice, answer.notice
