"""Follow-up questions made standalone before retrieval.

"And in Iraq?" / "وماذا عن العراق؟" means nothing to a retriever on its own. With an LLM the
follow-up is rewritten from the conversation (the model's output is validated: one line, not too
long, in the follow-up's language); without one (or when the model's output fails the checks) a
deterministic rule combines an elliptical follow-up with the previous question: the place or name
it asks about replaces the previous question's last prepositional phrase ("How many US troops
remain in Syria?" + "and in Iraq?" -> "How many US troops remain in Iraq?"), else the two are
joined. A question that reads as standalone is searched as asked, without calling the model.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant.errors import IsnadError
from assistant.prompts import chat_prompt
from ingest.arabic import detect_language, normalize, strip_article

log = logging.getLogger(__name__)

AS_ASKED, BY_LLM, BY_RULE = "as asked", "llm", "rule"
MAX_FOCUS_WORDS = 5
MAX_ELLIPTICAL_WORDS = 7
TURNS_SHOWN = 3  # previous questions the model sees

_WORD = re.compile(r"\w+", re.UNICODE)
_END_PUNCT = "?؟.!… "
# Openers that hand the rest of the question over to the previous one.
_EN_LEAD = re.compile(
    r"^(?:(?:and|but|so|ok(?:ay)?|also)\s*,?\s+)?(?:what|how)\s+about\s+"
    r"|^(?:and|but|also)\s*,?\s+(?:what\s+of\s+|the\s+same\s+(?:for|in)\s+)?"
    r"|^(?:the\s+)?same\s+(?:for|in)\s+",
    re.IGNORECASE,
)
_AR_LEAD = re.compile(r"^(?:و\s*)?(?:ماذا|ما|كيف)\s+(?:عن|بشأن|بخصوص)\s+|^و(?:ماذا\s+)?(?=(?:في|عن|على|إلى|ال)\S*)")
_EN_PREP = r"in|at|on|for|from|to|of|about|with|by|during|inside|near"
_AR_PREP = r"في|عن|من|على|إلى|الى|داخل|قرب"
_EN_FOCUS_PREP = re.compile(rf"^(?:{_EN_PREP})\s+", re.IGNORECASE)
_AR_FOCUS_PREP = re.compile(rf"^(?:{_AR_PREP})\s+")
# The last prepositional phrase of a question: an English proper name ("in Syria", "for the
# Kurdish YPG"), an Arabic preposition (not the first word) and the word after it ("في سوريا").
_EN_PHRASE = re.compile(rf"\b(?P<prep>{_EN_PREP})\s+(?P<obj>(?:the\s+)?[A-Z][\w'’-]*(?:\s+[A-Z][\w'’-]*)*)")
_AR_PHRASE = re.compile(rf"(?<=\s)(?P<prep>{_AR_PREP})\s+(?P<obj>[^\s?؟.!،,]+)")  # not first: "من" is "who"
_EN_REFERS_BACK = re.compile(r"\b(it|its|they|them|their|there|that|this|those|these|he|she|him|her)\b", re.I)
_AR_REFERS_BACK = re.compile(
    r"(?:^|\s)(هناك|هنالك|ذلك|هذا|هذه|تلك|هؤلاء|أولئك|نفسه|نفسها|عنه|عنها|فيها|فيه|منهم|لهم)(?=$|\s|[?؟.!،])"
)
_LABEL = re.compile(r"^(?:standalone question|question|rewritten question|السؤال(?: المستقل)?)\s*[:：]\s*", re.I)


@dataclass(frozen=True)
class Rewrite:
    """What is searched for (``question``), what was typed (``asked``), and how one became the other."""

    question: str
    asked: str
    method: str = AS_ASKED

    @property
    def rewritten(self) -> bool:
        return self.question != self.asked


def _words(text: str) -> int:
    return len(_WORD.findall(text))


def _strip_end(text: str) -> str:
    return text.strip().rstrip(_END_PUNCT).strip()


def focus_of(question: str) -> str | None:
    """What an elliptical follow-up asks about ("and in Iraq?" -> "in Iraq", "وماذا عن العراق؟" ->
    "العراق"), or None when the question does not read as a follow-up of that kind."""
    text = _strip_end(question)
    if not text or _words(text) > MAX_ELLIPTICAL_WORDS:
        return None
    lead = _AR_LEAD if detect_language(text) == "ar" else _EN_LEAD
    match = lead.match(text)
    if match:
        focus = text[match.end() :].strip()
    elif _words(text) <= 4 and (_EN_FOCUS_PREP.match(text) or _AR_FOCUS_PREP.match(text)):
        focus = text  # just "in Iraq?" / "في العراق؟"
    else:
        return None
    return focus if focus and _words(focus) <= MAX_FOCUS_WORDS else None


def needs_context(question: str) -> bool:
    """True when the question probably leans on the conversation: elliptical, very short, or it
    refers back ("they", "there", "هناك", "ذلك")."""
    text = _strip_end(question)
    refers = _AR_REFERS_BACK if detect_language(text) == "ar" else _EN_REFERS_BACK
    return focus_of(text) is not None or _words(text) <= 3 or bool(refers.search(text))


def rule_rewrite(question: str, previous: str) -> str | None:
    """The deterministic rewrite of an elliptical follow-up, or None when it is not one."""
    focus = focus_of(question)
    if focus is None or not previous.strip():
        return None
    arabic = detect_language(previous) == "ar"
    phrases = list((_AR_PHRASE if arabic else _EN_PHRASE).finditer(previous))
    focus_prep = (_AR_FOCUS_PREP if arabic else _EN_FOCUS_PREP).match(focus)
    if phrases:
        last = phrases[-1]
        if focus_prep:  # "in Iraq" replaces "in Syria"
            return previous[: last.start("prep")] + focus + previous[last.end("obj") :]
        if arabic or focus[:1].isupper() or focus.lower().startswith("the "):  # "Iraq" replaces "Syria"
            return previous[: last.start("obj")] + focus + previous[last.end("obj") :]
    mark = "؟" if arabic else "?"
    return f"{_strip_end(previous)}: {focus}{mark}"


def _keeps_focus(candidate: str, question: str) -> bool:
    """True unless the follow-up asks about something ("Iraq", "العراق") the rewrite left out."""
    focus = focus_of(question)
    if focus is None:
        return True
    prep = _AR_FOCUS_PREP if detect_language(focus) == "ar" else _EN_FOCUS_PREP
    words = [strip_article(w) for w in _WORD.findall(normalize(prep.sub("", focus)))]
    have = {strip_article(w) for w in _WORD.findall(normalize(candidate))}
    return all(w in have for w in words if w)


def validated(text: str, question: str, previous: str, max_chars: int) -> str | None:
    """The model's rewrite when it is usable: its first line, without quotes or a label, non-empty,
    at most ``max_chars``, in the follow-up's language, not simply the previous question, and
    still naming what an elliptical follow-up asks about."""
    lines = [line.strip() for line in (text or "").splitlines() if line.strip()]
    if not lines:
        return None
    candidate = _LABEL.sub("", lines[0]).strip().strip("\"'«»“”").strip()
    if not candidate or len(candidate) > max_chars:
        return None
    if detect_language(candidate) != detect_language(question):
        return None
    if _strip_end(candidate) == _strip_end(previous) and _strip_end(question) != _strip_end(previous):
        return None  # the model dropped the follow-up
    if not _keeps_focus(candidate, question):
        return None
    return candidate


def llm_rewrite(chat: Any, prompts_dir: Path, question: str, previous: Sequence[str], max_chars: int) -> str | None:
    """The model's standalone version of ``question`` given the earlier questions, validated."""
    language = detect_language(question)
    turns = "\n".join(f"- {q}" for q in previous[-TURNS_SHOWN:])
    prompt = chat_prompt(prompts_dir, "rewrite_followup", language, "rewrite_followup_user")
    reply = chat.invoke(prompt.invoke({"history": turns, "question": question}))
    return validated(str(getattr(reply, "content", reply)), question, previous[-1], max_chars)


def standalone_question(
    question: str,
    previous: Sequence[str],
    chat_factory: Callable[[], Any] | None,
    prompts_dir: Path,
    max_chars: int = 400,
) -> Rewrite:
    """``question`` made standalone from ``previous`` (earlier standalone questions, oldest first).

    ``chat_factory`` gives the chat model (None in extractive mode); any model failure or an
    unusable rewrite falls back to :func:`rule_rewrite`, then to the question as asked.
    """
    history = [q for q in previous if q.strip()]
    if not history or not needs_context(question):
        return Rewrite(question, question)
    limit = min(max_chars, len(history[-1]) + len(question) + 80)
    if chat_factory is not None:
        try:
            rewritten = llm_rewrite(chat_factory(), prompts_dir, question, history, limit)
        except IsnadError as exc:  # the rewrite is a convenience; the rule (or the question) goes on
            log.warning("Follow-up rewrite by the LLM failed: %s", exc)
            rewritten = None
        if rewritten:
            return Rewrite(rewritten, question, BY_LLM)
    ruled = rule_rewrite(question, history[-1])
    return Rewrite(ruled, question, BY_RULE) if ruled else Rewrite(question, question)
