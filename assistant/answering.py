"""Answer composition: extractive (quoted evidence) or LLM-written and then checked.

An LLM answer is only shown when every citation points at real evidence, every number it states
is in its cited sentences, and it is in the question's language; otherwise the extractive answer
is shown with a notice saying why.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from assistant.coverage import is_a_question
from assistant.evidence import Citation, EvidenceSentence, dated
from assistant.figure_history import FigureHistory, FigurePoint
from assistant.figure_text import figure_lines
from assistant.notices import Notice
from assistant.numbers import NumberMention, extract_numbers, number_values, states_a_figure
from assistant.prompts import chat_prompt
from assistant.tokens import count_tokens
from assistant.verification import lead_figure_of_another, same_figure, unsupported_numbers
from ingest.arabic import detect_language

NOT_FOUND = "NOT_FOUND"
_REF = re.compile(r"\[(\d+)\]")

MESSAGES = {
    "en": {
        "abstain": "Not found in the indexed sources: none of the indexed articles answers this question.",
        "extractive": "The most relevant sentences in the indexed sources, quoted as published:",
        "other_figures": "Other figures in the indexed sources, newest first:",
        "conflict": "The indexed sources give different figures; each is dated by its source, quoted as published:",
        "also": "Other relevant sentences, quoted as published:",
    },
    "ar": {
        "abstain": "لم يُعثر على إجابة في المصادر المفهرسة: لا يجيب أي من المقالات المفهرسة عن هذا السؤال.",
        "extractive": "أقرب ما ورد في المصادر المفهرسة، مقتبسا كما نُشر:",
        "other_figures": "أرقام أخرى وردت في المصادر المفهرسة، الأحدث أولا:",
        "conflict": "تختلف الأرقام بين المصادر المفهرسة؛ كل رقم مؤرخ بتاريخ مصدره، مقتبسا كما نُشر:",
        "also": "جمل أخرى ذات صلة، مقتبسة كما نُشرت:",
    },
}


class ChatModel(Protocol):
    """What answering needs of a LangChain chat model."""

    def invoke(self, input: Any, **kwargs: Any) -> Any: ...


@dataclass
class Draft:
    """An answer before its citations are bound to stored articles."""

    text: str
    sentences: list[EvidenceSentence]
    mode: str
    abstained: bool = False
    notice: str | None = None


@dataclass
class Answer:
    question: str
    language: str
    mode: str
    answer: str
    abstained: bool
    citations: list[Citation]
    timings: dict[str, float] = field(default_factory=dict)
    notice: str | None = None
    searched: str = ""
    figures: list[FigurePoint] = field(default_factory=list)  # the figure's history, oldest first
    closest: list[Citation] = field(default_factory=list)  # when abstaining: what was found, NOT an answer

    def to_dict(self) -> dict[str, Any]:
        return {
            "question": self.question,
            "language": self.language,
            "mode": self.mode,
            "answer": self.answer,
            "abstained": self.abstained,
            "citations": [c.to_dict() for c in self.citations],
            "timings": {k: round(v, 3) for k, v in self.timings.items()},
            "notice": self.notice,
            "searched": self.searched,
            "figures": [f.to_dict() for f in self.figures],
            "closest": [c.to_dict() for c in self.closest],
        }


def abstention(language: str) -> Draft:
    return Draft(MESSAGES[language]["abstain"], [], "extractive", abstained=True)


def extractive_draft(
    language: str, ranked: list[EvidenceSentence], max_quotes: int, notice: str | None = None,
    quantity: bool = False, history: FigureHistory | None = None,
) -> Draft:
    """The answer in its first line, then the quotes it rests on, each with outlet, date and number.

    With a figure ``history`` (a how-many question) the first line states the lead figure, what it
    counts and its dated source, then the earlier figures; otherwise it quotes the best sentence.
    The quotes follow: the answer's own first, then the other close ones, newest first. A sentence
    that asks ("من هو جمال خاشقجي؟") answers nothing and is quoted only when nothing else is near."""
    ranked = [s for s in ranked if not is_a_question(s.text)] or ranked
    if history is not None:
        lead = [history.lead.sentence, *(f.sentence for f in history.earlier)]
    else:
        lead = select_quotes(ranked, 1, counts_first=quantity)
    rest = [s for s in select_quotes(ranked, max_quotes, counts_first=quantity) if s not in lead]
    chosen = (lead + rest)[: max(max_quotes, len(lead))]
    if history is not None:
        first = figure_lines(history, language)
        header = MESSAGES[language]["conflict" if history.earlier else "extractive"]
        lines = [*first, "", header] + [f"«{s.text}» ({dated(s)}) [{n}]" for n, s in enumerate(chosen, start=1)]
    else:
        lines = [f"«{chosen[0].text}» ({dated(chosen[0])}) [1]"] if chosen else []
        if len(chosen) > 1:
            lines += ["", MESSAGES[language]["also"]]
            lines += [f"«{s.text}» ({dated(s)}) [{n}]" for n, s in enumerate(chosen[1:], start=2)]
    return Draft("\n".join(lines), chosen, "extractive", notice=notice)


def select_quotes(
    ranked: list[EvidenceSentence], max_quotes: int, margin: float = 0.06, counts_first: bool = False
) -> list[EvidenceSentence]:
    """Up to ``max_quotes`` sentences close in score to the best one, newest source first.

    A sentence stating exactly the figures of an already chosen sentence adds nothing and is
    skipped, so differing figures from different sources (and dates) surface side by side.
    With ``counts_first`` (a "how many" question) the close sentences that state a count come first.
    """
    if not ranked:
        return []
    best = ranked[0].score
    if counts_first:
        close = [s for s in ranked if s.score >= best - margin]
        ranked = [s for s in close if states_a_figure(s.text)] + [s for s in close if not states_a_figure(s.text)]
    chosen: list[EvidenceSentence] = []
    figure_sets: list[set[float]] = []
    for sentence in ranked:
        if sentence.score < best - margin or len(chosen) == max_quotes:
            break
        values = number_values(sentence.text)
        if values and values in figure_sets:
            continue
        chosen.append(sentence)
        figure_sets.append(values)
    return sorted(chosen, key=lambda s: s.chunk.published, reverse=True)


def with_other_figures(draft: Draft, ranked: list[EvidenceSentence], language: str, max_quotes: int) -> Draft:
    """Add the close-scoring quotes that state *other* figures than the answer's evidence, each
    dated, newest first: sources that disagree (or changed over time) are shown, not hidden."""
    shown_figures = [number_values(s.text) for s in draft.sentences]
    extra = [
        s for s in select_quotes(ranked, max_quotes)
        if s not in draft.sentences and number_values(s.text) and number_values(s.text) not in shown_figures
    ]
    if not extra:
        return draft
    # The answer's own figures are dated too, so every figure shown carries its source's date.
    own = _REF.sub(lambda m: f"({dated(draft.sentences[int(m.group(1)) - 1])}) [{m.group(1)}]", draft.text)
    return _with_other_figure_quotes(draft, own, extra, language)


def _with_other_figure_quotes(draft: Draft, text: str, extra: list[EvidenceSentence], language: str) -> Draft:
    """``text`` followed by the ``extra`` quotes under "other figures", each dated and numbered after
    the draft's own citations."""
    lines = [text, "", MESSAGES[language]["other_figures"]]
    lines += [f"«{s.text}» ({dated(s)}) [{n}]" for n, s in enumerate(extra, start=len(draft.sentences) + 1)]
    return Draft("\n".join(lines), [*draft.sentences, *extra], draft.mode, notice=draft.notice)


def with_figures(
    draft: Draft, ranked: list[EvidenceSentence], language: str, max_quotes: int, history: FigureHistory | None
) -> Draft:
    """A checked model answer to a how-many question, with every figure of the ``history`` it does not
    cite added as a dated quote (or, without a history, the other close figures)."""
    if history is None:
        return with_other_figures(draft, ranked, language, max_quotes)
    missing = [f.sentence for f in history.figures if f.sentence not in draft.sentences]
    return _with_other_figure_quotes(draft, draft.text, missing, language) if missing else draft


_CLAUSE_END = re.compile(r"(?<=[.!?؟;؛])\s+")


def lead_first(draft: Draft, history: FigureHistory) -> Draft:
    """The model's answer with the clause stating the newest figure moved to the front (when a later
    clause states it), its citations renumbered in their new order of appearance."""
    clauses = _CLAUSE_END.split(draft.text.strip())
    leads = [i for i, c in enumerate(clauses) if _first_count_is(c, history.lead.mention)]
    if not leads or leads[0] == 0:
        return draft
    i = leads[0]
    text = " ".join([clauses[i], *clauses[:i], *clauses[i + 1 :]])
    order = list(dict.fromkeys(int(m) for m in _REF.findall(text)))
    renumber = {old: new for new, old in enumerate(order, start=1)}
    text = _REF.sub(lambda m: f"[{renumber[int(m.group(1))]}]", text)
    return Draft(text, [draft.sentences[old - 1] for old in order], draft.mode, notice=draft.notice)


def _first_count_is(text: str, figure: NumberMention) -> bool:
    stated = [m for m in extract_numbers(text) if not m.is_year]
    return bool(stated) and same_figure(stated[0], figure, 0.0)


def lead_figure_problem(draft: Draft, history: FigureHistory) -> str:
    """Why a model answer to a how-many question cannot be shown ("" when it can): its first figure
    must be the newest source's figure for the thing asked about, not an older one."""
    stated = [m for m in extract_numbers(draft.text) if not m.is_year]
    lead = history.lead
    if stated and same_figure(stated[0], lead.mention, 0.0):
        return ""
    newest = {"figure": f"{lead.mention.value:g}", "source": dated(lead.sentence)}
    if not stated:
        return Notice("stale_lead_none", **newest)
    return Notice("stale_lead", said=f"{stated[0].value:g}", **newest)


def evidence_order(
    ranked: list[EvidenceSentence], limit: int, first: list[EvidenceSentence] | None = None
) -> list[EvidenceSentence]:
    """What the model sees: ``first`` (a how-many question's dated figures), then the quotes an
    extractive answer would show (newest source first), then the next best sentences, ``limit`` in all."""
    head = list(first or [])
    head += [s for s in select_quotes(ranked, limit) if s not in head]
    return (head + [s for s in ranked if s not in head])[:limit]


def evidence_block(sentences: list[EvidenceSentence], budget_tokens: int) -> tuple[str, list[EvidenceSentence]]:
    """Numbered evidence lines for the prompt, as many as fit the token budget."""
    lines: list[str] = []
    used: list[EvidenceSentence] = []
    total = 0
    for n, s in enumerate(sentences, start=1):
        line = f"[{n}] ({dated(s)}) {s.text}"
        cost = count_tokens(line)
        if used and total + cost > budget_tokens:
            break
        lines.append(line)
        used.append(s)
        total += cost
    return "\n".join(lines), used


def llm_draft(
    chat: ChatModel,
    prompts_dir: Path,
    question: str,
    language: str,
    ranked: list[EvidenceSentence],
    *,
    budget_tokens: int,
    max_evidence: int = 8,
    on_text: Callable[[str], None] | None = None,
    first: list[EvidenceSentence] | None = None,
) -> tuple[Draft | None, str]:
    """Ask the model; return (checked draft, "") or (None, reason it was rejected).

    With ``on_text`` the reply is streamed and ``on_text`` gets the text so far after each piece:
    an unchecked draft, for a caller that shows progress (never as the answer)."""
    block, shown = evidence_block(evidence_order(ranked, max_evidence, first), budget_tokens)
    prompt = chat_prompt(prompts_dir, "answer_system", language, "answer_user")
    messages = prompt.invoke({"evidence": block, "question": question})
    stream = getattr(chat, "stream", None)
    if on_text is not None and stream is not None:
        pieces: list[str] = []
        for piece in stream(messages):
            pieces.append(str(getattr(piece, "content", piece)))
            on_text("".join(pieces))
        text = "".join(pieces).strip()
    else:
        reply = chat.invoke(messages)
        text = str(getattr(reply, "content", reply)).strip()
    return check_llm_answer(text, language, shown, question)


def _figures(values: list[float]) -> str:
    """Figures written out: "22000000, 2.5" (not 2.2e+07)."""
    return ", ".join(f"{v:.0f}" if v == int(v) else f"{v:g}" for v in values)


def check_llm_answer(
    text: str, language: str, shown: list[EvidenceSentence], question: str = ""
) -> tuple[Draft | None, str]:
    """Verify a model answer against the evidence it was shown (and, given the ``question``, that each
    figure it leads with is the cited sentence's figure for what was asked); renumber its citations 1..n."""
    if not text:
        return None, Notice("empty_answer")
    if NOT_FOUND in text:
        # Retrieval found relevant evidence; a small model's "not found" is no reason to hide it.
        return None, Notice("found_nothing")
    refs = [int(m) for m in _REF.findall(text)]
    valid = [r for r in refs if 1 <= r <= len(shown)]
    if not valid:
        return None, Notice("cited_nothing")
    if len(valid) != len(refs):
        return None, Notice("cited_missing")
    order = list(dict.fromkeys(valid))
    cited = [shown[r - 1] for r in order]
    missing = unsupported_numbers(text, " ".join(s.text for s in cited))
    # A year the answer gives is supported by the date of a source it cites ("in 2018, 2,000 … [2]").
    source_years = {float(s.chunk.published[:4]) for s in cited if s.chunk.published[:4].isdigit()}
    stated_years = {m.value for m in extract_numbers(text) if m.is_year}
    missing = [m for m in missing if not (m in source_years and m in stated_years)]
    if missing:
        return None, Notice("unsupported_figures", figures=_figures(missing))
    if question and (elsewhere := lead_figure_of_another(question, text, [s.text for s in cited])) is not None:
        return None, Notice("figures_of_another", figures=_figures([elsewhere]))
    if detect_language(_REF.sub("", text)) != language:
        return None, Notice("wrong_language")
    renumber = {old: new for new, old in enumerate(order, start=1)}
    text = _REF.sub(lambda m: f"[{renumber[int(m.group(1))]}]", text)
    return Draft(text, cited, "llm"), ""
