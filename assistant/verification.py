"""The checks that make Isnad trustworthy, in one place: quotes, figures, abstention, claim verdicts.

- ``verify_citation``: a quote is verified only when it is exactly the stored article's text at its
  offsets (a headline: exactly its stored title); ``verified_citations`` binds evidence sentences to
  numbered citations with that check.
- ``same_figure``: the one rule for "these two numbers state the same figure", used by answers
  (``unsupported_numbers``, ``lead_figure_of_another``) and claims (``assistant.stance.figure_stance``).
- ``should_abstain``: the sources do not cover the question, so Isnad says so instead of answering.
- ``aggregate_verdict``: a claim's verdict from its evidence sentences' stances.

Rendering shows what these decided; nothing else re-checks a quote.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Literal

from assistant.coverage import key_terms, mentions, words
from assistant.evidence import Citation, EvidenceSentence
from assistant.figures import comparable
from assistant.numbers import NumberMention, extract_numbers
from vectorstore.records import StoredArticle

Stance = Literal["supports", "contradicts", "neutral"]
Verdict = Literal["supported", "contradicted", "not_enough_info"]
VERDICTS: tuple[Verdict, ...] = ("supported", "contradicted", "not_enough_info")
APPROXIMATE_TOLERANCE = 0.1  # "about 2,000" and "nearly 2,100" are the same figure


# ------------------------------------------------------------------------------------- quotes
def verify_citation(article_text: str, quote: str, start: int, end: int) -> bool:
    """True only when ``quote`` is exactly the article's text at ``start:end``."""
    return bool(quote) and 0 <= start < end <= len(article_text) and article_text[start:end] == quote


def quote_holds(article: StoredArticle, quote: str, start: int, end: int, headline: bool = False) -> bool:
    """``verify_citation`` for a sentence of the article's text; for a ``headline``, the quote must be
    exactly the article's stored title."""
    if headline:
        return bool(quote.strip()) and article.title == quote
    return verify_citation(article.text, quote, start, end)


def verified_citations(
    sentences: list[EvidenceSentence], articles: dict[str, StoredArticle],
    stanced: list[StancedEvidence] | None = None, deciding: StancedEvidence | None = None,
) -> list[Citation]:
    """Citations [1..n] for ``sentences``, each verified against its stored article's text; for a
    claim check, with each sentence's stance (and the stance model's probability) and which decided."""
    citations = []
    for n, sentence in enumerate(sentences, start=1):
        chunk = sentence.chunk
        article = articles.get(chunk.doc_id)
        verified = article is not None and quote_holds(
            article, sentence.text, sentence.start, sentence.end, sentence.headline
        )
        judged = stanced[n - 1] if stanced else None
        citations.append(Citation(
            n=n, doc_id=chunk.doc_id, title=chunk.title, source=chunk.source, published=chunk.published,
            url=chunk.url, quote=sentence.text, start=sentence.start, end=sentence.end, passage=chunk.text,
            verified=verified, stance=judged.stance if judged else None,
            stance_confidence=round(judged.confidence, 3) if judged and judged.confidence is not None else None,
            decisive=(judged is deciding) if judged else None, earlier=judged.earlier if judged else None,
            headline=sentence.headline if judged else None,
        ))
    return citations


# ------------------------------------------------------------------------------------ figures
def same_figure(a: NumberMention, b: NumberMention, tolerance: float = APPROXIMATE_TOLERANCE) -> bool:
    """Do ``a`` and ``b`` state the same figure? They must measure the same thing (the same kind —
    a count, a distance, money, a percentage, a time — and, for counts, not two different things:
    troops are not fighters) and be equal, or within ``tolerance`` when either is approximate
    ("about/نحو")."""
    if not comparable(a, b):
        return False
    if a.value == b.value:
        return True
    return (a.approximate or b.approximate) and abs(a.value - b.value) <= tolerance * max(a.value, b.value)


def unsupported_numbers(answer: str, evidence: str) -> list[float]:
    """Numbers stated in a generated ``answer`` that its cited ``evidence`` does not state, in any
    notation. An answer restates the source's figure exactly: no tolerance, even for "about"."""
    stated = extract_numbers(evidence)
    return sorted({m.value for m in extract_numbers(answer) if not any(same_figure(m, e, 0.0) for e in stated)})


# Where a sentence's clauses part: commas (not between digits: 22,000), semicolons, colons, a dash between
# spaces (not quotation marks: «…» and "…" set off a name or a quoted phrase as often as a clause).
_CLAUSE_BREAK = re.compile(r"[;؛:]|(?<!\d)[،,]|[،,](?!\d)|\s[-–—]\s")


def clauses(sentence: str) -> list[str]:
    """The clauses of a sentence, in order (``_CLAUSE_BREAK``)."""
    return _CLAUSE_BREAK.split(sentence)


def lead_figure_of_another(question: str, answer: str, evidence: Sequence[str]) -> float | None:
    """The figure a generated ``answer`` leads with (its first that is not a year), when its cited
    ``evidence`` states it only of something else: every clause holding it lacks a key term of the
    ``question`` that its sentence names elsewhere. "Qatar's population is 22 million [1]" against
    «قطر بعدد سكانها الذي يبلغ 300.000 نسمة، "عادت السعودية بسكانها الـ22 مليون نسمة» (22 million is Saudi
    Arabia's). Later figures may be context ("900 troops guard 9,000 prisoners"). A sentence that names
    none of the question's terms as words (another language) does not count against it."""
    lead = next((m for m in extract_numbers(answer) if not m.is_year), None)
    if lead is None:
        return None
    terms = key_terms(question)
    # (the words of a clause stating the figure, the key terms its sentence names), for each such clause
    stating: list[tuple[list[str], list[str]]] = []
    for sentence in evidence:
        sentence_words = words(sentence)
        named = [t for t in terms if mentions(t, sentence_words)]
        stating += [
            (words(c), named) for c in clauses(sentence)
            if any(e.value == lead.value for e in extract_numbers(c))
        ]
    if stating and not any(all(mentions(t, found) for t in named) for found, named in stating):
        return lead.value
    return None


# --------------------------------------------------------------------------------- abstention
CoverageCheck = Callable[[Sequence[EvidenceSentence]], Sequence[bool]]  # does each sentence cover the question?


def relevant_sentences(
    ranked: list[EvidenceSentence], language: str, cross_language: float, same_language: float
) -> list[EvidenceSentence]:
    """The sentences similar enough to the question, in rank order.

    Sentences in the question's own language must clear the higher ``same_language`` bar (e5
    similarities within one language run higher, for related and unrelated text alike); the
    question's Arabic translation (llm mode) is held to the bar of Arabic questions."""
    def bar(query_language: str, s: EvidenceSentence) -> float:
        return same_language if s.chunk.language == query_language else cross_language

    return [
        s for s in ranked
        if s.similarity >= bar(language, s) or (s.translated_similarity and s.translated_similarity >= bar("ar", s))
    ]


def should_abstain(
    ranked: list[EvidenceSentence], language: str, cross_language: float, same_language: float,
    covers: CoverageCheck | None = None, checked: int = 5, states_answer: Callable[[str], bool] | None = None,
) -> bool:
    """True when the sources do not cover the question: no evidence sentence is similar enough to
    it (``relevant_sentences``) or, with ``covers`` (``assistant.coverage``), none of the first
    ``checked`` similar ones has all its key terms and the kind of answer it asks for — nor, with
    ``states_answer`` (a how-many question: "states a count of the troops"), up to ``checked`` more
    similar ones further down that state such an answer."""
    relevant = relevant_sentences(ranked, language, cross_language, same_language)
    if not relevant:
        return True
    read = relevant[:checked]
    if states_answer is not None:
        read += [s for s in relevant[checked:] if states_answer(s.text)][:checked]
    return covers is not None and not any(covers(read))


# ----------------------------------------------------------------------------- claim verdicts
EARLIER_AFTER_DAYS = 180  # a differing figure this much older than the deciding one is history
MIN_STANCE_CONFIDENCE = 0.5  # the stance model's probability a sentence needs to take a side


@dataclass
class StancedEvidence:
    """An evidence sentence with its stance towards a claim and the signal that decided it."""

    sentence: EvidenceSentence
    stance: Stance
    signal: str  # "figures" | "stance_model" | "wording" | "llm"
    confidence: float | None = None  # the stance model's probability for ``stance``
    earlier: bool = False  # an older figure than the deciding one: the figure's history, not a contradiction


@dataclass(frozen=True)
class VerdictDecision:
    """A claim's verdict, the evidence that decided it, and the evidence read the other way (figures, or
    the stance model's confident readings)."""

    verdict: Verdict
    deciding: StancedEvidence | None
    differing: list[StancedEvidence]


def _days_apart(newer: str, older: str) -> int | None:
    try:
        return (date.fromisoformat(newer[:10]) - date.fromisoformat(older[:10])).days
    except ValueError:
        return None  # undated: how far apart cannot be told


def _by_figures(by_figures: list[StancedEvidence]) -> tuple[StancedEvidence, list[StancedEvidence]]:
    """The newest figure decides (an undated source never outranks a dated one); a differing figure
    from well before it is marked ``earlier`` (neutral: a figure's history does not contradict a
    claim about now); differing figures of the same period stay as they read."""
    deciding = max(by_figures, key=lambda e: (e.sentence.chunk.published, e.sentence.score))
    differing = [e for e in by_figures if e.stance != deciding.stance]
    for e in differing:
        apart = _days_apart(deciding.sentence.chunk.published, e.sentence.chunk.published)
        if apart is not None and apart > EARLIER_AFTER_DAYS:
            e.stance, e.earlier = "neutral", True
    return deciding, differing


def aggregate_verdict(
    evidence: list[StancedEvidence], min_confidence: float = MIN_STANCE_CONFIDENCE,
    model_decides_within: int | None = None,
) -> VerdictDecision:
    """The verdict from the stances of ``evidence`` (best first), by these rules in order:

    1. Figures: among sentences whose figures count what the claim counts, the newest source
       decides (older differing figures are its history, see ``_by_figures``).
    2. The stance model: among the sentences (the best ``model_decides_within`` only, when given)
       it reads as supporting or contradicting with at least ``min_confidence``, the newest source
       decides, and of one day's sources the most confident (an undated source never outranks a
       dated one): a claim is checked against what was last reported. When it reads none so, the
       sources do not say (``not_enough_info``): sharing a topic with a claim is not evidence for
       or against it. (Deciding from the best 1–3 of the 4 shown was measured on the ANS dev
       claims and not kept: within noise, docs/benchmarks.md.)
    3. Without the model, the best sentence's wording decides, and the other wording-only sentences
       become neutral context.
    A neutral deciding sentence, or no evidence, gives ``not_enough_info``."""
    verdicts: dict[Stance, Verdict] = {"supports": "supported", "contradicts": "contradicted"}
    if not evidence:
        return VerdictDecision("not_enough_info", None, [])
    by_figures = [e for e in evidence if e.signal == "figures"]
    by_model = [e for e in evidence[:model_decides_within] if e.signal == "stance_model"]
    differing: list[StancedEvidence] = []
    deciding: StancedEvidence | None
    if by_figures:
        deciding, differing = _by_figures(by_figures)
        for e in evidence:
            if e.signal == "wording":
                e.stance = "neutral"
    elif by_model:
        sided = [e for e in by_model if e.stance != "neutral" and (e.confidence or 0.0) >= min_confidence]
        newest = lambda e: (e.sentence.chunk.published[:10], e.confidence or 0.0)  # noqa: E731
        deciding = max(sided, key=newest) if sided else None
        differing = [e for e in sided if deciding is not None and e.stance != deciding.stance]
    else:
        deciding = evidence[0]
        for e in evidence[1:]:
            if e.signal == "wording":
                e.stance = "neutral"
    if deciding is None:
        return VerdictDecision("not_enough_info", None, [])
    return VerdictDecision(verdicts.get(deciding.stance, "not_enough_info"), deciding, differing)
