"""Follow-up questions made standalone: the deterministic rule, and the checks on an LLM's rewrite
(the model here is a scripted stand-in; the real model is exercised in the browser and LLM tests)."""

from __future__ import annotations

from typing import Any

import pytest

from assistant.errors import LLMUnavailableError
from assistant.followup import (
    AS_ASKED,
    BY_LLM,
    BY_RULE,
    focus_of,
    needs_context,
    rule_rewrite,
    standalone_question,
    validated,
)
from assistant.settings import PROJECT_ROOT

pytestmark = pytest.mark.unit
PROMPTS = PROJECT_ROOT / "prompts"
TROOPS_EN = "How many US troops remain in Syria?"
TROOPS_AR = "كم عدد الجنود الأمريكيين الذين بقوا في سوريا؟"


class ScriptedChat:
    """Answers every request with ``reply`` (or raises it), and records what it was sent."""

    def __init__(self, reply: str | Exception) -> None:
        self.reply = reply
        self.sent: list[Any] = []

    def invoke(self, messages: Any, **_: Any) -> Any:
        self.sent.append(messages)
        if isinstance(self.reply, Exception):
            raise self.reply
        return type("Reply", (), {"content": self.reply})()


@pytest.mark.parametrize(
    ("previous", "follow_up", "expected"),
    [
        (TROOPS_EN, "and in Iraq?", "How many US troops remain in Iraq?"),
        (TROOPS_EN, "And what about Iraq?", "How many US troops remain in Iraq?"),
        (TROOPS_EN, "what about the Kurdistan Region?", "How many US troops remain in the Kurdistan Region?"),
        (TROOPS_EN, "in Iraq?", "How many US troops remain in Iraq?"),
        ("When does the mission in Iraq end?", "and in Syria?", "When does the mission in Syria end?"),
        (TROOPS_AR, "وماذا عن العراق؟", "كم عدد الجنود الأمريكيين الذين بقوا في العراق؟"),
        (TROOPS_AR, "وفي العراق؟", "كم عدد الجنود الأمريكيين الذين بقوا في العراق؟"),
        (TROOPS_AR, "ماذا عن العراق؟", "كم عدد الجنود الأمريكيين الذين بقوا في العراق؟"),
        (TROOPS_AR, "والعراق؟", "كم عدد الجنود الأمريكيين الذين بقوا في العراق؟"),
        # No place to swap: the follow-up is joined to the previous question.
        ("Who leads the coalition?", "and the budget?", "Who leads the coalition: the budget?"),
        ("من يقود التحالف؟", "وماذا عن الميزانية؟", "من يقود التحالف: الميزانية؟"),
    ],
)
def test_rule_rewrites_elliptical_follow_ups(previous: str, follow_up: str, expected: str):
    assert rule_rewrite(follow_up, previous) == expected
    rewrite = standalone_question(follow_up, [previous], None, PROMPTS)
    assert (rewrite.question, rewrite.asked, rewrite.method, rewrite.rewritten) == (expected, follow_up, BY_RULE, True)


@pytest.mark.parametrize(
    "question",
    [
        "When will the coalition mission in Iraq end?",
        "كم عدد زوار مهرجان التمور في واحة سيوة؟",
        "Andrew Smith said what about the troops in Syria last year in his long speech?",
        "وزير الخارجية الأمريكي زار بغداد متى؟",
    ],
)
def test_standalone_questions_are_searched_as_asked_without_calling_the_model(question: str):
    chat = ScriptedChat("this must not be used")
    rewrite = standalone_question(question, [TROOPS_EN], lambda: chat, PROMPTS)
    assert (rewrite.question, rewrite.method, rewrite.rewritten) == (question, AS_ASKED, False)
    assert chat.sent == []


def test_first_question_is_never_rewritten():
    chat = ScriptedChat("How many US troops remain in Iraq?")
    assert standalone_question("and in Iraq?", [], lambda: chat, PROMPTS).question == "and in Iraq?"
    assert chat.sent == []


def test_focus_and_context_detection():
    assert focus_of("and in Iraq?") == "in Iraq"
    assert focus_of("وماذا عن العراق؟") == "العراق"
    assert focus_of(TROOPS_EN) is None
    assert focus_of("وزير الخارجية؟") is None  # a word that starts with و is not the conjunction
    assert needs_context("How many of them are still there?")
    assert needs_context("كم عدد الجنود هناك؟")
    assert not needs_context(TROOPS_EN)
    assert not needs_context(TROOPS_AR)


def test_llm_rewrite_is_used_when_it_passes_the_checks():
    chat = ScriptedChat('Standalone question: "How many US troops remain in Iraq?"\nThey are 2,500.')
    rewrite = standalone_question("and in Iraq?", ["Who leads the coalition?", TROOPS_EN], lambda: chat, PROMPTS)
    assert (rewrite.question, rewrite.method) == ("How many US troops remain in Iraq?", BY_LLM)
    system, user = chat.sent[0].to_messages()
    assert system.type == "system" and "standalone" in system.content
    assert TROOPS_EN in user.content and "Who leads the coalition?" in user.content and "and in Iraq?" in user.content


def test_arabic_follow_up_gets_the_arabic_prompt():
    chat = ScriptedChat("كم عدد الجنود الأمريكيين الذين بقوا في العراق؟")
    rewrite = standalone_question("وماذا عن العراق؟", [TROOPS_AR], lambda: chat, PROMPTS)
    assert (rewrite.question, rewrite.method) == ("كم عدد الجنود الأمريكيين الذين بقوا في العراق؟", BY_LLM)
    assert "سؤال المتابعة" in chat.sent[0].to_messages()[1].content


@pytest.mark.parametrize(
    "reply",
    [
        "",  # empty
        "How many American soldiers remain in Iraq?",  # wrong language for an Arabic follow-up
        TROOPS_AR,  # just the previous question: the follow-up was dropped
        "كم " * 400,  # far too long
        LLMUnavailableError("nothing listens on port 9"),  # the model is unreachable (as ChatBackend reports it)
    ],
    ids=["empty", "wrong-language", "previous-question", "too-long", "unreachable"],
)
def test_unusable_llm_rewrites_fall_back_to_the_rule(reply: str | Exception):
    chat = ScriptedChat(reply)
    rewrite = standalone_question("وماذا عن العراق؟", [TROOPS_AR], lambda: chat, PROMPTS)
    assert (rewrite.question, rewrite.method) == ("كم عدد الجنود الأمريكيين الذين بقوا في العراق؟", BY_RULE)
    assert len(chat.sent) == 1


def test_a_non_elliptical_follow_up_the_model_cannot_rewrite_is_searched_as_asked():
    chat = ScriptedChat("")
    rewrite = standalone_question("How many of them are still there?", [TROOPS_EN], lambda: chat, PROMPTS)
    assert (rewrite.question, rewrite.method) == ("How many of them are still there?", AS_ASKED)
    assert len(chat.sent) == 1


def test_validation_strips_labels_and_quotes():
    assert validated("«كم عدد الجنود في العراق؟»", "وفي العراق؟", TROOPS_AR, 200) == "كم عدد الجنود في العراق؟"
    assert validated("Question: How many troops are in Iraq?", "and Iraq?", TROOPS_EN, 200) == (
        "How many troops are in Iraq?"
    )
    assert validated("How many troops are in Iraq?", "and Iraq?", TROOPS_EN, 10) is None


def test_a_rewrite_that_drops_what_the_follow_up_asks_about_is_refused():
    assert validated("كم عدد الجنود الأمريكيين في سوريا والأردن؟", "وماذا عن العراق؟", TROOPS_AR, 200) is None
    assert validated("How many US troops remain in Syria now?", "and in Iraq?", TROOPS_EN, 200) is None
    # Clitics and the article are folded: "بالعراق" names Iraq too.
    assert validated("كم عدد جنود أمريكا بالعراق؟", "وماذا عن العراق؟", TROOPS_AR, 200) == "كم عدد جنود أمريكا بالعراق؟"
