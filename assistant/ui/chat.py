"""The Ask tab's conversation: its turns, the chat transcript, the sources panel (one section per turn,
newest first, each with its own cards) and the Markdown export of the whole conversation. No Gradio here."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from html import escape
from typing import Any

from assistant.answering import Answer
from assistant.evidence import Citation
from assistant.ui.cards import citation_card
from assistant.ui.figures_chart import charted, figures_html, figures_markdown
from assistant.ui.forms import searched_text
from assistant.ui.i18n import text
from assistant.ui.render import (
    answer_chat_markdown,
    answer_html,
    answer_markdown,
    error_html,
    escape_markdown,
    progress_html,
    source_line,
)
from ingest.arabic import detect_language
from vectorstore.records import SearchFilter

Message = dict[str, Any]


@dataclass
class Turn:
    """One question of the conversation and what became of it."""

    n: int  # 1, 2, … in the conversation
    question: str  # as typed (a follow-up is searched for as ``answer.question``)
    answer: Answer | None = None  # the quoted evidence while the model drafts, then the final answer
    texts: dict[str, str] = field(default_factory=dict)  # doc id -> article text, for the cards
    translations: dict[str, str] = field(default_factory=dict)  # quote -> machine translation
    note: str | None = None  # why some quotes were not translated
    error: str | None = None
    done: bool = False
    flt: SearchFilter | None = None  # what was searched, worded in the interface language when shown

    def searched(self, language: str) -> str | None:
        return searched_text(self.flt, language) if self.flt is not None else None

    @property
    def state(self) -> str:
        return "failed" if self.error else "done" if self.done else "working"

    @property
    def card_ids(self) -> str:
        """The prefix of this turn's card ids: ``t2-c`` + citation number."""
        return f"t{self.n}-c"

    @property
    def quotes(self) -> list[Citation]:
        """Every citation the turn shows: the answer's, and the closest passages when it abstained."""
        return [*self.answer.citations, *self.answer.closest] if self.answer else []


def closest_html(turn: Turn, language: str = "en") -> str:
    """When the answer abstained, the nearest passages found, set apart and marked "not an answer"."""
    answer = turn.answer
    if answer is None or not answer.abstained or not answer.closest:
        return ""
    cards = "\n".join(
        citation_card(c, turn.texts.get(c.doc_id), None, f"t{turn.n}-p{c.n}", language) for c in answer.closest
    )
    return (
        f'<div class="isnad-closest" role="note"><div class="closest-title">{escape(text("closest", language))}</div>'
        f"{cards}</div>"
    )


def turn_html(turn: Turn, translate: bool, progress: Sequence[str] = (), language: str = "en") -> str:
    """One turn's section: its question, the steps under way, the figure table, the notice and cards
    (the quoted evidence already, while the model drafts), the closest passages, or its error."""
    parts = [f'<div class="isnad-turn-question" dir="auto">{turn.n}. {escape(turn.question)}</div>']
    if progress and not turn.done and not turn.error:
        parts.append(progress_html(progress))
    if turn.error:
        parts.append(error_html(turn.error))
    elif turn.answer is not None:
        on = translate and bool(turn.translations or turn.note)
        parts.append(figures_html(charted(turn.answer), turn.card_ids, language))
        parts.append(answer_html(
            turn.answer, turn.texts, turn.question, turn.translations if on else None, turn.note if on else None,
            turn.card_ids, language, turn.searched(language),
        ))
        parts.append(closest_html(turn, language))
    body = "\n".join(x for x in parts if x)
    return (
        f'<section class="isnad-answer isnad-turn" id="turn-{turn.n}" data-turn="{turn.n}" '
        f'data-state="{turn.state}">{body}</section>'
    )


def conversation_html(
    turns: Sequence[Turn], translate: bool, progress: Sequence[str] = (), language: str = "en"
) -> str:
    """Every turn's section, newest first (``progress`` is the newest turn's steps, while under way),
    worded in ``language``."""
    newest = len(turns) - 1
    sections = [turn_html(t, translate, progress if i == newest else (), language) for i, t in enumerate(turns)]
    return "\n".join(reversed(sections))


def answered_bubble(turn: Turn, language: str = "en") -> str:
    """The chat text of a finished turn: the answer (or the error), and a pointer to the closest passages."""
    if turn.error:
        return f"⚠️ {escape_markdown(turn.error)}"
    if turn.answer is None:
        return ""
    bubble = answer_chat_markdown(turn.answer, turn.question, language, turn.searched(language))
    if turn.answer.abstained and turn.answer.closest:
        bubble += f"\n\n_↓ {len(turn.answer.closest)} · {escape_markdown(text('closest', language))}_"
    return bubble


def transcript(turns: Sequence[Turn], under_way: str = "", language: str = "en") -> list[Message]:
    """The chat: each turn's question and answer; the newest turn, while under way, shows ``under_way``
    (its step and the model's unchecked draft) above the quoted evidence found so far."""
    messages: list[Message] = []
    for turn in turns:
        messages.append({"role": "user", "content": escape_markdown(turn.question)})
        if turn.done or turn.error:
            bubble = answered_bubble(turn, language)
        else:
            found = ""
            if turn.answer:
                found = answer_chat_markdown(turn.answer, turn.question, language, turn.searched(language))
            bubble = "\n\n".join(x for x in (under_way, found) if x)
        messages.append({"role": "assistant", "content": bubble})
    return messages


def closest_markdown(closest: Sequence[Citation], language: str = "en") -> str:
    lines = [f"**{text('closest', language)}**"]
    for c in closest:
        lines.append(f"- {source_line(c, language)}" + (f" <{c.url}>" if c.url else ""))
        lines.append(f"  > {c.quote}")
    return "\n".join(lines)


def conversation_markdown(turns: Sequence[Turn], language: str = "en") -> str:
    """The answered turns in order, each with its sources, the figure's dated table and, when it
    abstained, the closest passages (marked not an answer), worded in ``language``: ready to paste
    into a story draft."""
    blocks = []
    for turn in turns:
        if not turn.done or turn.answer is None:
            continue
        parts = [f"### {turn.n}. {turn.question}", answer_markdown(turn.answer, language, turn.searched(language)),
                 figures_markdown(charted(turn.answer), language)]
        if turn.answer.abstained and turn.answer.closest:
            parts.append(closest_markdown(turn.answer.closest, language))
        blocks.append("\n\n".join(x for x in parts if x))
    return "\n\n---\n\n".join(blocks)


def has_arabic(quotes: Sequence[str]) -> bool:
    return any(detect_language(q) == "ar" for q in quotes)
