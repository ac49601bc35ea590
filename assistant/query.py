"""A question (or claim) as Isnad reads it, computed once: cleaned text, language, and its Arabic
translation when one was made."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from assistant.errors import BadQuestionError
from ingest.arabic import detect_language

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_QUANTITY_QUESTION = re.compile(
    r"\b(how (many|much)|number of|what (size|percentage))\b|(^|\s)(كم|عدد|نسبة)(\s|$)", re.IGNORECASE
)


def clean_question(question: str, max_chars: int) -> str:
    """The question without control characters; empty or over-long ones are refused."""
    cleaned = _CONTROL.sub(" ", question or "").strip()
    if not cleaned:
        raise BadQuestionError("The question is empty: type a question in English or Arabic.")
    if len(cleaned) > max_chars:
        raise BadQuestionError(
            f"The question is {len(cleaned):,} characters long; the limit is {max_chars:,} "
            "(ISNAD_MAX_QUESTION_CHARS). Ask a shorter question."
        )
    return cleaned


def asks_for_quantity(question: str) -> bool:
    """'How many…?', 'كم…؟': the answer is a number, so sentences stating numbers are preferred."""
    return bool(_QUANTITY_QUESTION.search(question))


@dataclass(frozen=True)
class Query:
    """What retrieval, ranking and answering need to know about one question."""

    text: str  # as asked, cleaned of control characters
    language: str  # "ar" or "en" (detected once)
    translation: str | None = None  # the question in Arabic (llm mode, English questions), checked Arabic

    @classmethod
    def parse(cls, text: str, max_chars: int = 2000) -> Query:
        """The cleaned question with its language; raises ``BadQuestionError`` for empty or over-long text."""
        cleaned = clean_question(text, max_chars)
        return cls(cleaned, detect_language(cleaned))

    def with_translation(self, arabic: str | None) -> Query:
        return replace(self, translation=arabic) if arabic else self

    @property
    def asks_for_quantity(self) -> bool:
        return asks_for_quantity(self.text)

    @property
    def searches(self) -> list[tuple[str, str]]:
        """The texts to search with and their languages: the question, then its Arabic translation."""
        return [(self.text, self.language)] + ([(self.translation, "ar")] if self.translation else [])
