"""A how-many answer's first line in words: the lead figure, what it counts and its dated source, then
the earlier figures ("About 900 troops (Al-Monitor, 2024-09-27) [1]. Earlier: 2,000 (BBC Arabic, …) [2].");
and the figures as chart points numbered as cited."""

from __future__ import annotations

from assistant.evidence import EvidenceSentence, dated
from assistant.figure_history import DatedFigure, FigureHistory, FigurePoint

# What a figure counts, as the first line says it ("About 900 troops", "نحو 900 جندي").
GROUP_LABELS = {
    "en": {"troops": "troops", "fighters": "fighters", "prisoners": "prisoners", "dead": "dead",
           "wounded": "wounded", "refugees": "refugees and displaced people", "children": "children"},
    "ar": {"troops": "جندي", "fighters": "مقاتل", "prisoners": "سجين", "dead": "قتيل", "wounded": "جريح",
           "refugees": "لاجئ ونازح", "children": "طفل"},
}
WORDS = {
    "en": {"about": "About ", "earlier": "Earlier: ", "same_date": "The same day: ", "list": "; ",
           "as_of": "; figure for {year}"},
    "ar": {"about": "نحو ", "earlier": "وقبل ذلك: ", "same_date": "وفي اليوم نفسه: ", "list": "؛ ",
           "as_of": "؛ رقم عام {year}"},
}


def figure_text(figure: DatedFigure, language: str, with_label: bool = True) -> str:
    """'About 900 troops' / 'نحو 900 جندي' (the value as the source states it, approximate or not);
    without the label it is listed mid-sentence: 'about 2,000'."""
    value = figure.mention.value
    shown = f"{value:,.0f}" if value == int(value) else f"{value:,}"
    about = WORDS[language]["about"] if figure.mention.approximate else ""
    label = f" {GROUP_LABELS[language].get(figure.group, '')}".rstrip() if with_label else ""
    text = f"{about}{shown}{label}"
    return text if with_label else text[:1].lower() + text[1:]  # a leading figure starts its sentence


def source_of(figure: DatedFigure, language: str) -> str:
    """'outlet, date', and the year the figure is given for when the sentence dates it earlier."""
    as_of = WORDS[language]["as_of"].format(year=figure.as_of) if figure.as_of else ""
    return f"{dated(figure.sentence, language)}{as_of}"


def figure_lines(history: FigureHistory, language: str) -> list[str]:
    """The first line — the lead figure, what it counts, its dated source, cited as [1] — and, when
    sources differ, a line of the earlier figures (and one of same-day ones), each dated and cited
    [2], [3]… in the order of ``history.earlier``."""
    words = WORDS[language]
    lead = history.lead
    lines = [f"{figure_text(lead, language)} ({source_of(lead, language)}) [1]."]
    numbered = list(enumerate(history.earlier, start=2))
    older = [(n, f) for n, f in numbered if f.when != lead.when]
    same_day = [(n, f) for n, f in numbered if f.when == lead.when]
    for key, group in (("earlier", older), ("same_date", same_day)):
        if group:
            listed = words["list"].join(
                f"{figure_text(f, language, False)} ({source_of(f, language)}) [{n}]" for n, f in group
            )
            lines.append(f"{words[key]}{listed}.")
    return lines


def figure_points(
    history: FigureHistory | None, sentences: list[EvidenceSentence], language: str
) -> list[FigurePoint]:
    """The history's figures (oldest first) as chart points, each with its citation number in ``sentences``."""
    if history is None:
        return []
    return [
        FigurePoint(
            f.mention.value, GROUP_LABELS[language].get(f.group, f.group), f.published, f.sentence.chunk.source,
            sentences.index(f.sentence) + 1, f.mention.approximate, f.as_of,
        )
        for f in history.figures if f.sentence in sentences
    ]


def unit_in(unit: str, language: str) -> str:
    """What a figure counts (as a chart point states it, in the question's language) in ``language``:
    'troops' -> 'جندي'; a unit that is not a counted group ('%') as it is."""
    for labels in GROUP_LABELS.values():
        group = next((g for g, label in labels.items() if label == unit), None)
        if group is not None:
            return GROUP_LABELS[language][group]
    return unit
