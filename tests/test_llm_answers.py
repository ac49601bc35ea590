"""LLM answers are shown only when they check out against their evidence. A scripted
OpenAI-compatible endpoint plays the model (a good reply is kept; each kind of bad reply falls back
to quoted evidence with a notice saying why); one smoke test runs the real embedded model."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import make_settings, scripted_service
from llm_stub import (
    SAYS_FIGURE,
    StubLLM,
    evidence_lines,
    first_figure,
    reply_citing_a_figure,
    user_message,
)

from assistant.answering import Answer
from assistant.service import IsnadService

TROOPS_AR = "كم عدد الجنود الأمريكيين الذين بقوا في سوريا؟"
TROOPS_EN = "How many US troops remain in Syria?"
FALLBACK = "Showing quoted evidence instead of a generated answer: "
ABSENT_FIGURE = "12345"


def ask_scripted(stub: StubLLM, service: IsnadService, question: str, script, **ask: Any) -> Answer:
    """``service.ask(question)`` with the endpoint replying by ``script``; the endpoint must be asked."""
    answer = stub.answering(script, lambda: service.ask(question, **ask))
    assert stub.bodies, "the LLM endpoint was never asked: the llm path did not run"
    assert "generate" in answer.timings
    return answer


@pytest.mark.integration
@pytest.mark.parametrize("streamed", [False, True])
def test_a_reply_that_checks_out_is_kept(scripted_llm: StubLLM, scripted_llm_service: IsnadService, streamed: bool):
    drafts: list[str] = []
    progress = {"progress": lambda stage, detail: drafts.append(detail["text"]) if stage == "draft" else None}
    answer = ask_scripted(
        scripted_llm, scripted_llm_service, TROOPS_AR, reply_citing_a_figure("ar"), **(progress if streamed else {})
    )
    [request] = scripted_llm.bodies
    assert bool(request.get("stream")) == streamed and "response_format" not in request
    assert [m["role"] for m in request["messages"]] == ["system", "user"]
    assert TROOPS_AR in user_message(request)
    n, figure = first_figure(request)
    assert answer.mode == "llm" and answer.notice is None, answer.to_dict()
    assert answer.answer.startswith(SAYS_FIGURE["ar"].format(figure=figure, n=1).split(" [")[0])
    assert "[1]" in answer.answer  # renumbered from [n]: the cited sentence is the first citation
    first = answer.citations[0]
    assert first.verified and figure in first.quote and first.quote in evidence_lines(request)[n]
    assert all(c.verified for c in answer.citations)
    assert drafts[-1:] == ([SAYS_FIGURE["ar"].format(figure=figure, n=n)] if streamed else [])


@pytest.mark.integration
@pytest.mark.parametrize(
    ("script", "reason"),
    [
        (reply_citing_a_figure("ar", figure=ABSENT_FIGURE), f"the model stated {ABSENT_FIGURE}, which its cited"),
        (reply_citing_a_figure("ar", extra_ref=" [9]"), "the model cited evidence that does not exist"),
        (reply_citing_a_figure("en"), "the model did not answer in the question's language"),
    ],
    ids=["wrong-number", "wrong-citation", "wrong-language"],
)
def test_a_reply_that_fails_a_check_falls_back_to_quoted_evidence(
    scripted_llm: StubLLM, scripted_llm_service: IsnadService, script, reason: str
):
    answer = ask_scripted(scripted_llm, scripted_llm_service, TROOPS_AR, script)
    [request] = scripted_llm.bodies
    shown = evidence_lines(request)
    assert len(shown) < 9 and not any(ABSENT_FIGURE in line for line in shown.values())
    assert answer.mode == "extractive", answer.to_dict()
    assert answer.notice and answer.notice.startswith(FALLBACK) and reason in answer.notice, answer.notice
    assert script(request) not in answer.answer
    assert "«" in answer.answer and answer.citations and all(c.verified for c in answer.citations)
    assert any("900" in c.quote for c in answer.citations)


@pytest.mark.integration
def test_a_reply_leading_with_an_older_figure_falls_back_to_the_newest_one(
    scripted_llm: StubLLM, indexed_service: IsnadService
):
    def stale(body: dict[str, Any]) -> str:  # cites the 2018 sentence that says 2000, a true but old figure
        n = next(n for n, text in evidence_lines(body).items() if "2000 جندي" in text)
        return SAYS_FIGURE["ar"].format(figure="2000", n=n)

    # A budget that shows the model the earlier figure too (the default's 400 tokens show the newest one).
    service = scripted_service(scripted_llm.base_url, indexed_service, context_budget_tokens=900)
    answer = ask_scripted(scripted_llm, service, TROOPS_AR, stale)
    assert answer.mode == "extractive", answer.to_dict()
    assert answer.notice and "the model led with 2000, not the newest source's figure (900, Al-Monitor" in answer.notice
    assert answer.answer.startswith("نحو 900 جندي (Al-Monitor، 2024-09-27) [1]")
    assert answer.citations[0].verified and len(answer.figures) >= 2


@pytest.mark.integration
def test_the_extractive_answer_is_reported_first_while_the_model_drafts(
    scripted_llm: StubLLM, scripted_llm_service: IsnadService
):
    stages: list[tuple[str, Any]] = []
    answer = ask_scripted(
        scripted_llm, scripted_llm_service, TROOPS_AR, reply_citing_a_figure("ar"),
        progress=lambda stage, detail: stages.append((stage, detail.get("answer"))),
    )
    names = [stage for stage, _ in stages]
    assert names.index("extractive") < names.index("drafting")
    quoted = next(value for stage, value in stages if stage == "extractive")
    assert quoted.mode == "extractive" and quoted.citations[0].verified and "900" in quoted.answer.splitlines()[0]
    assert answer.mode == "llm"


def translating(answer_in_english: Any) -> Any:
    """A script: requests without evidence lines (translations) get the Arabic troops question."""
    return lambda body: answer_in_english(body) if evidence_lines(body) else TROOPS_AR


@pytest.mark.integration
def test_an_english_question_its_sources_cover_is_answered_without_translation(
    scripted_llm: StubLLM, indexed_service: IsnadService
):
    service = scripted_service(scripted_llm.base_url, indexed_service, translate_questions=True)
    answer = ask_scripted(scripted_llm, service, TROOPS_EN, translating(reply_citing_a_figure("en")))
    (drafting,) = scripted_llm.bodies
    assert evidence_lines(drafting) and TROOPS_EN in user_message(drafting)
    assert "translate" not in answer.timings
    assert answer.mode == "llm" and answer.language == "en" and answer.citations[0].verified, answer.to_dict()


@pytest.mark.integration
def test_an_english_question_not_covered_as_asked_is_judged_again_with_its_arabic_translation(
    scripted_llm: StubLLM, indexed_service: IsnadService
):
    question = "How many troops does Washington keep in Syria?"
    assert indexed_service.ask(question, mode="extractive").abstained  # as asked, no sentence covers it
    service = scripted_service(scripted_llm.base_url, indexed_service, translate_questions=True)
    answer = ask_scripted(scripted_llm, service, question, translating(reply_citing_a_figure("en")))
    translation, drafting = scripted_llm.bodies
    assert user_message(translation) == question and question in user_message(drafting)
    assert "translate" in answer.timings
    assert answer.mode == "llm" and answer.language == "en" and answer.notice is None, answer.to_dict()
    assert answer.answer.startswith("The sources give the figure") and "[1]" in answer.answer
    assert answer.citations[0].verified


@pytest.mark.integration
def test_llm_endpoint_down_falls_back_to_quoted_evidence_with_a_notice(indexed_service: IsnadService):
    settings = make_settings(
        indexed_service.index.data_dir, mode="llm", llm_provider="openai",
        llm_base_url="http://127.0.0.1:9/v1", llm_timeout_s=5,
    )
    service = IsnadService(settings, indexed_service.embedder, indexed_service.index)
    answer = service.ask(TROOPS_AR)
    assert answer.mode == "extractive"
    assert answer.notice and "unavailable" in answer.notice
    assert answer.citations and answer.citations[0].verified


@pytest.mark.llm
def test_the_embedded_model_replies(llm_service: IsnadService):
    """Smoke test of the real model: it replied, and its reply was either kept or refused by a check
    (a small model may fail one), never missing."""
    answer = llm_service.ask(TROOPS_AR)
    assert "generate" in answer.timings, answer.to_dict()
    assert answer.citations and all(c.verified for c in answer.citations)
    # Kept or refused, the answer leads with the newest figure: the seed's 900, cited as [1].
    assert answer.citations[0].source == "Al-Monitor" and "900" in answer.citations[0].quote, answer.to_dict()
    assert any(p.value == 2000 for p in answer.figures), answer.figures
    if answer.mode != "llm":
        assert answer.notice and answer.notice.startswith(FALLBACK), answer.to_dict()
        assert "unavailable" not in answer.notice, answer.notice
