"""What a person types or uploads in the UI, read and checked: dates, filters, upload sizes.
Errors say what was wrong (every wrong field at once) and how to write it, in the interface
language, with the index's date span. No Gradio here."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from assistant.errors import BadInputError
from assistant.ui.i18n import filter_error, is_arabic, text
from vectorstore.records import SearchFilter


@dataclass(frozen=True)
class Catalog:
    """Each indexed article's (YYYY-MM-DD or "", outlet): enough to check a filter and describe the index."""

    articles: tuple[tuple[str, str], ...] = ()

    @property
    def span(self) -> tuple[str, str] | None:
        """The first and last publication dates, or None when no article is dated."""
        days = sorted(day for day, _ in self.articles if day)
        return (days[0], days[-1]) if days else None

    def count(self, flt: SearchFilter) -> int:
        """How many dated articles the filter keeps."""
        start = flt.date_from.isoformat() if flt.date_from else ""
        end = flt.date_to.isoformat() if flt.date_to else ""
        return sum(
            1 for day, source in self.articles
            if day and (not flt.sources or source in flt.sources) and start <= day and (not end or day <= end)
        )


def span_text(catalog: Catalog, language: str) -> str:
    """'2018-02-01 to 2024-09-27', or 'no dated articles'."""
    span = catalog.span
    return text("span", language, first=span[0], last=span[1]) if span else text("no_dates", language)


def size_text(n: int, language: str = "en") -> str:
    """1.5 MB, 300 KB (ميغابايت, كيلوبايت in Arabic)."""
    mb, kb = ("ميغابايت", "كيلوبايت") if is_arabic(language) else ("MB", "KB")
    return f"{n / 1_000_000:.1f}".removesuffix(".0") + f" {mb}" if n >= 1_000_000 else f"{n / 1_000:.0f} {kb}"


def parse_day(value: str | None, what: str, language: str = "en") -> date | None:
    """The date typed in the ``what`` field ("from", "to"), or None when it is empty.

    Raises BadInputError naming the field and showing how to write a date."""
    value = (value or "").strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        field = filter_error(what, language)
        raise BadInputError(filter_error("not_a_date", language, field=field, value=value)) from exc


def search_filter(
    sources: Iterable[str] | None, day_from: str | None, day_to: str | None, language: str = "en"
) -> SearchFilter:
    """The outlet and date filter from the form fields (empty fields restrict nothing); every
    invalid date and a reversed range are reported at once, in one BadInputError."""
    problems: list[str] = []
    days: list[date | None] = []
    for value, what in ((day_from, "from"), (day_to, "to")):
        try:
            days.append(parse_day(value, what, language))
        except BadInputError as exc:
            problems.append(str(exc))
            days.append(None)
    start, end = days
    if start and end and start > end:
        problems.append(filter_error("reversed", language, start=start.isoformat(), end=end.isoformat()))
    if problems:
        raise BadInputError("\n".join(problems))
    return SearchFilter(tuple(sources or ()), start, end)


def checked_filter(
    sources: Iterable[str] | None, day_from: str | None, day_to: str | None, catalog: Callable[[], Catalog],
    language: str,
) -> SearchFilter:
    """``search_filter``, and a BadInputError when its dates keep no indexed article, naming the
    range and the index's date span (the outlets too, when some are chosen); ``catalog`` is read
    only when a date is given."""
    flt = search_filter(sources, day_from, day_to, language)
    if (flt.date_from or flt.date_to) and (indexed := catalog()).count(flt) == 0:
        outlets = filter_error("from_outlets", language, outlets=", ".join(flt.sources)) if flt.sources else ""
        start = flt.date_from.isoformat() if flt.date_from else "…"
        end = flt.date_to.isoformat() if flt.date_to else "…"
        raise BadInputError(filter_error(
            "empty_range", language, outlets=outlets, start=start, end=end, span=span_text(indexed, language)
        ))
    return flt


def searched_text(flt: SearchFilter, language: str) -> str:
    """What a search covered, in the interface language: 'BBC Arabic, 2018-03-01…2018-06-01', 'all outlets'."""
    parts = [", ".join(flt.sources) if flt.sources else text("all_outlets", language)]
    if flt.date_from or flt.date_to:
        parts.append(f"{flt.date_from or '…'}…{flt.date_to or '…'}")
    return ("، " if is_arabic(language) else ", ").join(parts)


def split_by_size(names: Iterable[str], limit: int) -> tuple[list[Path], list[tuple[str, str]]]:
    """Uploaded files within ``limit`` bytes, and (name, reason) for the ones over it."""
    kept: list[Path] = []
    refused: list[tuple[str, str]] = []
    for name in names:
        path = Path(name)
        size = path.stat().st_size
        if size > limit:
            refused.append((path.name, f"file is {size_text(size)}, over the {size_text(limit)} upload limit; "
                                       "an operator can index bigger files with `isnad ingest`"))
        else:
            kept.append(path)
    return kept, refused


def too_long(question: str, limit: int) -> bool:
    return len(question or "") > limit


