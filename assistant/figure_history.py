"""A figure's history across sources: which dated figure answers a how-many question, and which
older figures came before it.

A how-many question that names what it counts ("How many US troops…", "كم عدد الجنود…") is answered
from the sentences close in score to the best one that state a count of that thing. The newest dated
source's figure leads (an undated source never outranks a dated one); older differing figures are
its history, shown as *earlier*. A figure a sentence dates itself to an earlier year ("in 2015 there
were 50…", "as of 2015") is dated by that year, not by its article. A question with its own year
("in 2018", "في عام 2018") is answered from the figures of that year.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from assistant.coverage import is_a_question, words
from assistant.evidence import EvidenceSentence
from assistant.figures import (
    asked_group,
    counted_thing,
    counts,
    counts_respondents,
    counts_the_dead,
    counts_the_wounded,
    unit_kind,
)
from assistant.numbers import NumberMention, extract_numbers
from assistant.places import places_named
from assistant.verification import clauses, same_figure
from ingest.arabic import light_stem, normalize
from ingest.transliteration import sounds_alike

# How far below the best evidence sentence a figure sentence may score and still count: a newest
# figure may lead from a little further down than an older one may be listed (chosen on the seed
# questions over the sample corpus, docs/benchmarks.md "Current figure").
LEAD_MARGIN = 0.08
EARLIER_MARGIN = 0.05
MAX_EARLIER = 3  # older figures listed under the lead, best scoring first


@dataclass(frozen=True)
class FigurePoint:
    """One dated figure for the question's subject, as a source states it: a point of its history."""

    value: float
    unit: str  # what it counts ("troops", "fighters"…) or its unit word
    published: str  # the source's date, YYYY-MM-DD ("" when undated)
    source: str  # the outlet
    n: int  # the citation number of the sentence that states it
    approximate: bool = False  # "about 900"
    as_of: str = ""  # the earlier year the sentence gives the figure ("in 2015"), if any

    def to_dict(self) -> dict[str, Any]:
        return {"value": self.value, "unit": self.unit, "published": self.published, "source": self.source,
                "n": self.n, "approximate": self.approximate, "as_of": self.as_of}


@dataclass(frozen=True)
class DatedFigure:
    """A count of the asked-about thing, as one evidence sentence states it."""

    sentence: EvidenceSentence
    mention: NumberMention
    group: str

    @property
    def published(self) -> str:
        return self.sentence.chunk.published[:10]

    @cached_property
    def as_of(self) -> str:
        """The year before its publication that the sentence states for its figures ("في عام 2015 كان…"),
        or "" — a year after "since/منذ" starts a period and does not date the figure."""
        if not self.published[:4].isdigit():  # undated (or a date we cannot read): nothing to compare
            return ""
        text = normalize(self.sentence.text).lower()
        years = [
            int(m.value) for m in extract_numbers(self.sentence.text)
            if m.is_year and int(m.value) < int(self.published[:4])
            and not re.search(rf"(?:منذ|since)\s+(?:(?:عام|العام|سنه)\s+)?{int(m.value)}", text)
        ]
        return str(max(years)) if years else ""

    @property
    def when(self) -> str:
        """What the figure is dated by: the year it is given for, else its source's date ("" if undated)."""
        return self.as_of or self.published


@dataclass(frozen=True)
class FigureHistory:
    """The figure that answers (``lead``) and the differing figures before it, newest first."""

    lead: DatedFigure
    earlier: list[DatedFigure]

    @property
    def figures(self) -> list[DatedFigure]:
        """Every figure of the history, oldest first (undated last)."""
        return sorted([self.lead, *self.earlier], key=lambda f: (not f.when, f.when))


def asked_year(question: str) -> int | None:
    """The year a question sets its own time frame in ("in 2018", "في عام 2018"), if any."""
    years = [int(m.value) for m in extract_numbers(question) if m.is_year]
    return years[0] if years else None


# "according to Putin", "بحسب بوتين", "وفقا للأمم المتحدة": the source whose figure a question asks for
# (up to two words after the marker, on the normalised question).
_ACCORDING_TO = re.compile(
    r"(?<!\w)(?:according to|as stated by|بحسب|حسب|وفقا|وفق|طبقا|نقلا عن|على لسان)\s+(?:the\s+)?(\w+)(?:\s+(\w+))?"
)
_NOT_A_NAME = {"to", "of", "in", "the", "ما", "في", "من", "الى", "علي", "عن"}


def asked_source(question: str) -> set[str]:
    """The (normalised) words naming the source a question attributes its figure to ("بحسب بوتين" →
    {"بوتين"}), if any."""
    match = _ACCORDING_TO.search(normalize(question))
    named = [w for w in (match.groups() if match else ()) if w and w not in _NOT_A_NAME and not w.isdigit()]
    return {w for w in named if len(light_stem(w)) >= 3}


def names_source(text: str, source: set[str]) -> bool:
    """Does ``text`` name the asked source: each of its words, light-stemmed alike or, across scripts, a
    name that sounds the same ("Putin" and بوتين)?"""
    found = words(text)
    stems = {light_stem(w) for w in found}
    return bool(source) and all(
        light_stem(w) in stems or any(sounds_alike(w, other) for other in found) for w in source
    )


def counts_group(mention: NumberMention, group: str) -> bool:
    """Whether ``mention`` counts ``group`` itself: for any group but the dead or wounded, not a toll of
    it ("4 Russian fighters were killed", "20 soldiers were wounded" say nothing of how many there are),
    nor the part of it a survey reached ("interviews that included 320 Syrian refugees")."""
    if unit_kind(mention) != "count":
        return False
    if group == "dead":
        return counted_thing(mention) == "dead" or counts_the_dead(mention)
    if group == "wounded":
        return counted_thing(mention) == "wounded" or counts_the_wounded(mention)
    return counted_thing(mention) == group and not (
        counts_the_dead(mention) or counts_the_wounded(mention) or counts_respondents(mention)
    )


def figures_of(sentence: EvidenceSentence, group: str) -> list[DatedFigure]:
    """The counts of ``group`` that ``sentence`` states (its first one: a sentence's lead figure)."""
    found = [m for m in counts(sentence.text) if counts_group(m, group)]
    return [DatedFigure(sentence, found[0], group)] if found else []


def states_count_of(text: str, group: str) -> bool:
    """Does ``text`` state a count of ``group``? (A cheap test for whole passages.)"""
    return any(counts_group(m, group) for m in counts(text))


def _in_year(figure: DatedFigure, year: int) -> bool:
    stated = {int(m.value) for m in extract_numbers(figure.sentence.text) if m.is_year}
    return figure.published[:4] == str(year) or year in stated


# Digits as a figure's text starts with them ("4" of "4 آلاف", "2,000"): where a clause's figures part it.
_DIGITS = re.compile(r"(\d[\d.,،٬]*)")


def places_around(figure: DatedFigure) -> frozenset[str]:
    """The countries named next to a figure: in its clause, between the figures before and after it
    ("في قواعد في كردستان العراق … دعم وجود 900 جندي أمريكي … في شمال شرق سوريا": the United States and
    Syria, not Iraq). Empty when its clause cannot be told apart (a figure written in words)."""
    first = normalize(figure.mention.text).split()[0]
    for clause in clauses(figure.sentence.text):
        parts = _DIGITS.split(clause)  # text, digits, text, digits, …
        for i in range(1, len(parts), 2):
            if normalize(parts[i]).rstrip(".,،٬") == first:
                return places_named(parts[i - 1] + parts[i] + parts[i + 1])
    return frozenset()


def _of_the_places(figure: DatedFigure, asked: frozenset[str]) -> bool:
    """Is ``figure`` one for the ``asked`` countries? Its sentence names them all, and the words next to
    it name no other country unless they name the asked ones too (``places_around``)."""
    if not asked <= places_named(figure.sentence.text):
        return False
    around = places_around(figure)
    return asked <= around or not (around - asked)


def relevant_figures(question: str, ranked: list[EvidenceSentence], margin: float = LEAD_MARGIN) -> list[DatedFigure]:
    """The figures answering a how-many ``question``: counts of the thing it asks about in the
    sentences within ``margin`` of the best one (best first) that are for every country the question
    names ("US troops in Syria": not 522 US troops in Iraq; ``_of_the_places``) and that state it
    rather than ask it ("هل يبقى 2000 جندي؟" is no source's figure), within the
    question's own year if it sets one, and from the sentences naming the source it asks about
    ("according to Putin") when any does. Empty when the question names no counted thing we know."""
    group = asked_group(question)
    if group is None or not ranked:
        return []
    best, places = ranked[0].score, places_named(question)
    found = [
        f for s in ranked if s.score >= best - margin and not is_a_question(s.text)
        for f in figures_of(s, group) if _of_the_places(f, places)
    ]
    source = asked_source(question)
    found = [f for f in found if names_source(f.sentence.text, source)] or found
    year = asked_year(question)
    return [f for f in found if _in_year(f, year)] if year is not None else found


def figure_history(
    figures: list[DatedFigure], best_score: float, earlier_margin: float = EARLIER_MARGIN,
    max_earlier: int = MAX_EARLIER, newest_leads: bool = True,
) -> FigureHistory | None:
    """The newest dated figure leads (ties: the better scoring sentence; undated only when nothing is
    dated) — or, with ``newest_leads`` off (a question after one source's figure), the best scoring
    one; up to ``max_earlier`` differing figures no newer than the lead, within ``earlier_margin`` of
    ``best_score`` (best scoring first, one per value) are its history."""
    if not figures:
        return None
    lead = max(figures, key=lambda f: (bool(f.when), f.when, f.sentence.score)) if newest_leads else figures[0]
    earlier: list[DatedFigure] = []
    for f in figures:  # best scoring first
        if len(earlier) == max_earlier or f.sentence.score < best_score - earlier_margin:
            break
        if (same_figure(f.mention, lead.mention) or any(same_figure(f.mention, e.mention) for e in earlier)
                or (bool(f.when), f.when) > (bool(lead.when), lead.when)):
            continue
        earlier.append(f)
    earlier.sort(key=lambda f: (bool(f.when), f.when), reverse=True)
    return FigureHistory(lead, earlier)


def question_history(question: str, ranked: list[EvidenceSentence]) -> FigureHistory | None:
    """The figure history answering a how-many ``question``: the newest figure leads, unless the
    question asks for one source's figure and the best matching figure is that source's."""
    figures = relevant_figures(question, ranked)  # empty when nothing is ranked
    if not figures:
        return None
    attributed = names_source(figures[0].sentence.text, asked_source(question))
    return figure_history(figures, ranked[0].score, newest_leads=not attributed)
