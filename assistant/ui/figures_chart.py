"""A figure's history for the Ask tab: which dated figures make a chart, the chart's data, and the
table under it (HTML rows linked to the citation cards; a dated Markdown table for the export)."""

from __future__ import annotations

from html import escape

import pandas as pd

from assistant.answering import Answer, FigurePoint
from assistant.figure_text import unit_in
from assistant.ui.i18n import code, core_text, is_arabic, text

CHART_COLUMNS = ("date", "value", "source", "figure")  # x, y, colour (the legend), tooltip
DATE_AXIS = "%Y-%m-%d"  # the chart's dates as the cards and tables write them, in any interface language


def figure_date(point: FigurePoint) -> str:
    """When the figure held: the earlier year its sentence gives it for (charted mid-year), else its
    source's date (YYYY-MM-DD); "" when undated."""
    return f"{point.as_of[:4]}-07-01" if point.as_of else point.published[:10]


def charted(answer: Answer | None) -> list[FigurePoint]:
    """The answer's dated figures, oldest first, when they tell a history worth a chart: at least
    two points, with different values and different dates; otherwise none."""
    if answer is None:
        return []
    dated = [f for f in answer.figures if figure_date(f)]
    if len({f.value for f in dated}) < 2 or len({figure_date(f) for f in dated}) < 2:
        return []
    return sorted(dated, key=figure_date)


def figure_text(point: FigurePoint, language: str = "en") -> str:
    """'2,000 troops', '≈ 900 troops' (an approximate figure), '300 troops; figure for 2015', what it
    counts worded in ``language``."""
    value = f"{point.value:,.0f}" if float(point.value).is_integer() else f"{point.value:,}"
    stated = " ".join(x for x in ("≈" if point.approximate else "", value, unit_in(point.unit, code(language))) if x)
    return f"{stated}; {text('figure_for', language, year=point.as_of)}" if point.as_of else stated


def point_label(point: FigurePoint, language: str = "en") -> str:
    """'[2] BBC Arabic, 2018-10-11': the point's citation number, outlet and date."""
    comma = "، " if is_arabic(language) else ", "
    return f"[{point.n}] " + comma.join(x for x in (point.source, point.published[:10]) if x)


def chart_unit(points: list[FigurePoint], language: str = "en") -> str:
    """What the chart counts: the newest point's unit, worded in ``language``."""
    return unit_in(points[-1].unit, code(language)) if points else ""


def chart_frame(points: list[FigurePoint], language: str = "en") -> pd.DataFrame:
    """One row per point: when the figure held, its value, its label (outlet and date of the source,
    for the legend) and the figure as stated, worded in ``language``."""
    return pd.DataFrame({
        "date": pd.to_datetime([figure_date(p) for p in points]),
        "value": [float(p.value) for p in points],
        "source": [point_label(p, language) for p in points],
        "figure": [f"{point_label(p, language)}: {figure_text(p, language)}" for p in points],
    }, columns=list(CHART_COLUMNS))


def chart_limits(points: list[FigurePoint]) -> tuple[list[float], list[float]]:
    """The chart's axes: dates padded by half a year each side (Unix seconds), values from 0 to 15% above
    the largest, so no point sits on the frame."""
    dates = pd.to_datetime([figure_date(p) for p in points])
    pad = pd.Timedelta(days=182)
    x_lim = [(dates.min() - pad).timestamp(), (dates.max() + pad).timestamp()]
    return x_lim, [0.0, max(float(p.value) for p in points) * 1.15]


def figures_html(points: list[FigurePoint], card_ids: str, language: str = "en") -> str:
    """The chart's table, worded in ``language``: date, figure and source of each point, the source
    linked to its citation card (``{card_ids}{n}``); empty without points."""
    if not points:
        return ""
    rows = "".join(
        f'<tr data-n="{p.n}"><td>{escape(p.as_of or p.published[:10])}</td>'
        f'<td dir="auto">{escape(figure_text(p, language))}</td>'
        f'<td><a class="figure-link" href="#{escape(card_ids, quote=True)}{p.n}">'
        f"{escape(point_label(p, language))}</a></td></tr>"
        for p in points
    )
    title = text("figures_title", language, unit=chart_unit(points, language))
    keys = ("figure_date", "figure_value", "figure_source")
    head = "".join(f"<th>{escape(text(key, language))}</th>" for key in keys)
    return (
        f'<div class="isnad-figures" data-points="{len(points)}"><div class="figures-title">{escape(title)}</div>'
        f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table></div>"
    )


def figures_markdown(points: list[FigurePoint], language: str = "en") -> str:
    """The figure's history as a dated Markdown table, oldest first, worded in ``language``; empty
    without points."""
    if not points:
        return ""
    cell = lambda words: words.replace("|", "\\|")  # noqa: E731
    head = " | ".join(text(key, language) for key in ("figure_date", "figure_value", "figure_source"))
    lines = [f"**{core_text('export_figures', language, unit=cell(chart_unit(points, language)))}**", "",
             f"| {head} |", "|---|---|---|"]
    lines += [f"| {p.as_of or p.published[:10]} | {cell(figure_text(p, language))} | {cell(point_label(p, language))} |"
              for p in points]
    return "\n".join(lines)
