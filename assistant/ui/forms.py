"""What a person types or uploads in the UI, read and checked: dates, filters, upload sizes.
Errors say what was wrong and how to write it. No Gradio here."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from pathlib import Path

from assistant.errors import BadInputError
from vectorstore.records import SearchFilter


def size_text(n: int) -> str:
    """1.5 MB, 300 KB."""
    return f"{n / 1_000_000:.1f}".removesuffix(".0") + " MB" if n >= 1_000_000 else f"{n / 1_000:.0f} KB"


def parse_day(value: str | None, what: str) -> date | None:
    """The date typed in the ``what`` field ("from", "to"), or None when it is empty.

    Raises BadInputError naming the field and showing how to write a date."""
    value = (value or "").strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise BadInputError(
            f"The {what} date {value!r} is not a date: write it as YYYY-MM-DD, e.g. 2018-04-13."
        ) from exc


def search_filter(sources: Iterable[str] | None, day_from: str | None, day_to: str | None) -> SearchFilter:
    """The outlet and date filter from the form fields (empty fields restrict nothing)."""
    return SearchFilter(tuple(sources or ()), parse_day(day_from, "from"), parse_day(day_to, "to"))


def split_by_size(names: Iterable[str], limit: int) -> tuple[list[Path], list[tuple[str, str]]]:
    """Uploaded files within ``limit`` bytes, and (name, reason) for the ones over it."""
    kept: list[Path] = []
    refused: list[tuple[str, str]] = []
    for name in names:
        path = Path(name)
        size = path.stat().st_size
        if size > limit:
            refused.append((path.name, f"file is {size_text(size)}, over the {size_text(limit)} upload limit "
                                       "(ISNAD_MAX_FILE_BYTES); index bigger files with `isnad ingest`"))
        else:
            kept.append(path)
    return kept, refused
