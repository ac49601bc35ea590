"""The UI's model-backed helpers with the real embedded LLM: follow-up rewriting, quote
translation, and the streamed (unchecked) draft of an answer."""

from __future__ import annotations

import itertools
import re
from typing import Any

import pytest

from assistant.followup import BY_LLM, BY_RULE
from assistant.service import IsnadService
from ingest.arabic import detect_language

pytestmark = pytest.mark.llm
TROOPS_EN = "How many US troops remain in Syria?"
TROOPS_AR = "كم عدد الجنود الأمريكيين الذين بقوا في سوريا؟"


@pytest.mark.parametrize(
    ("previous", "follow_up", "place"), [(TROOPS_EN, "and in Iraq?", "Iraq"), (TROOPS_AR, "وماذا عن العراق؟", "العراق")]
)
def test_follow_up_is_rewritten_into_a_standalone_question(llm_service: IsnadService, previous, follow_up, place):
    rewrite = llm_service.standalone_question(follow_up, [previous], mode="llm")
    assert rewrite.method in (BY_LLM, BY_RULE) and rewrite.rewritten
    assert place in rewrite.question and detect_language(rewrite.question) == detect_language(follow_up)
    print(f"{follow_up!r} -> {rewrite.question!r} ({rewrite.method})")


def test_arabic_quote_gets_an_english_machine_translation_or_a_note(llm_service: IsnadService):
    quote = next(c.quote for c in llm_service.ask(TROOPS_AR, mode="extractive").citations if "900" in c.quote)
    made, note = llm_service.translate_quotes([quote])
    print(made or note)
    if made:
        assert detect_language(made[quote]) == "en" and "900" in made[quote]
    else:
        assert note


def test_answer_streams_an_unchecked_draft_before_the_checked_answer(llm_service: IsnadService):
    reports: list[tuple[str, dict[str, Any]]] = []
    answer = llm_service.ask(TROOPS_AR, progress=lambda stage, detail: reports.append((stage, detail)))
    stages = [stage for stage, _ in reports]
    assert stages[:4] == ["searching", "found", "extractive", "drafting"]  # the quoted evidence first
    quoted = reports[2][1]["answer"]
    assert quoted.mode == "extractive" and quoted.citations and all(c.verified for c in quoted.citations)
    drafts = [detail["text"] for stage, detail in reports if stage == "draft"]
    assert drafts and all(len(a) <= len(b) for a, b in itertools.pairwise(drafts))  # the text only grows
    draft = words(drafts[-1])
    if answer.mode == "llm":  # the checked answer is built on the model's whole text (figures dated)
        shown = iter(words(answer.answer))
        assert all(word in shown for word in draft), (drafts[-1], answer.answer)  # in order
    else:  # the draft failed a check and is not shown: the quoted evidence is, with a notice
        assert answer.notice
        own_words = re.sub(r"«[^»]*»", "", answer.answer)  # a draft copying an evidence sentence may be quoted
        assert not draft or " ".join(draft) not in " ".join(words(own_words))


def words(text: str) -> list[str]:
    """The text's words, citation numbers left out."""
    return re.findall(r"\w+", re.sub(r"\[\d+\]", "", text))
