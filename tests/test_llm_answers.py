"""LLM answers with the real embedded model (llama.cpp in-process), checked against evidence."""

from __future__ import annotations

import re

import pytest
from conftest import make_settings

from assistant.numbers import number_values
from assistant.service import IsnadService

TROOPS_AR = "كم عدد الجنود الأمريكيين الذين بقوا في سوريا؟"
TROOPS_EN = "How many US troops remain in Syria?"  # translated into Arabic by the LLM for retrieval


@pytest.mark.llm
@pytest.mark.parametrize("question", [TROOPS_AR, TROOPS_EN])
def test_llm_answer_is_shown_only_when_its_citations_and_numbers_check_out(llm_service: IsnadService, question):
    answer = llm_service.ask(question)
    assert not answer.abstained
    assert answer.citations and all(c.verified for c in answer.citations)
    assert any("900 جندي" in c.quote for c in answer.citations[:2])
    assert "900" in answer.answer or "٩٠٠" in answer.answer
    if answer.mode == "llm":
        cited = " ".join(c.quote for c in answer.citations)
        written_by_the_model = answer.answer.split("\n\n")[0]  # then come dated quotes of other figures
        written_by_the_model = re.sub(r"\([^()]*\d{4}-\d{2}-\d{2}\)", " ", written_by_the_model)  # source dates
        assert number_values(written_by_the_model) <= number_values(cited)
        assert "[1]" in answer.answer
    else:  # the model's answer failed a check: the notice says which, and the evidence is quoted
        assert answer.notice and "«" in answer.answer


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
