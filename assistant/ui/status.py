"""What the index holds, for journalists: articles, outlets (with their article counts) and the date
span, for the status line (with the first run's background ingest, while it runs), the outlet lists,
the date hints and the filter checks; the technical details (paths, store, models) for the "About"
section. No Gradio here."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field

from assistant.first_run import IngestProgress
from assistant.service import IsnadService
from assistant.ui.forms import Catalog, span_text
from assistant.ui.i18n import first_run_text, label, number, text
from assistant.ui.render import escape_markdown


@dataclass
class IndexSummary:
    """The catalogue of the indexed articles, read again whenever the index's counts change."""

    service: IsnadService
    _seen: tuple[int, int] = (-1, -1)
    _catalog: Catalog = field(default_factory=Catalog)

    def catalog(self) -> Catalog:
        """Each indexed article's (date, outlet), refreshed when articles were added or removed."""
        stats = self.service.index.stats()
        seen = (int(stats["articles"]), int(stats["chunks"]))
        if seen != self._seen:
            articles = self.service.library()
            self._catalog = Catalog(tuple((a.published[:10], a.source) for a in articles))
            self._seen = seen
        return self._catalog

    def indexing(self) -> IngestProgress:
        """Where the first run's background ingest of the sample corpus stands."""
        return self.service.sample_ingest.snapshot()


def outlet_choices(catalog: Catalog, language: str) -> list[tuple[str, str]]:
    """(label, outlet) for an outlet list: 'BBC Arabic (4,012)', the count in the interface's digits."""
    counts = Counter(source for _, source in catalog.articles if source)
    return [(f"{outlet} ({number(n, language)})", outlet) for outlet, n in sorted(counts.items())]


def mode_name(mode: str, language: str) -> str:
    return label("mode_llm" if mode == "llm" else "mode_extractive", language)


def status_markdown(catalog: Catalog, language: str, mode: str, indexing: IngestProgress | None = None) -> str:
    """The status line a journalist reads: how many articles from how many outlets, over which dates,
    and how answers are made; then, on a first run, how far the sample corpus's indexing has come."""
    progress = indexing_markdown(indexing, language) if indexing else ""
    if not catalog.articles:
        return progress or text("status_empty", language)
    outlets = {source for _, source in catalog.articles if source}
    line = text(
        "status", language, articles=number(len(catalog.articles), language), outlets=number(len(outlets), language),
        span=span_text(catalog, language), mode=mode_name(mode, language),
    )
    return f"{line}\n\n{progress}" if progress else line


def indexing_markdown(state: IngestProgress, language: str) -> str:
    """The sample corpus being indexed: articles done of all, the pace and the time left; or where it
    stopped and why. Empty when no ingest is under way or stopped."""
    if not state.incomplete:
        return ""
    counts = {"done": number(state.done, language), "total": number(state.total, language)}
    if state.error:
        return first_run_text("stopped", language, **counts, error=escape_markdown(state.error))
    rate, left = state.per_minute, state.seconds_left
    if rate is None or left is None:
        pace = first_run_text("estimating", language)
    elif left < 60:
        pace = first_run_text("pace_short", language, rate=number(max(1, round(rate)), language))
    else:
        minutes = number(math.ceil(left / 60), language)
        pace = first_run_text("pace", language, rate=number(max(1, round(rate)), language), minutes=minutes)
    return first_run_text("indexing", language, **counts, pace=pace)


def technical_markdown(status: Mapping[str, object]) -> str:
    """The operator's details: chunks, the embedding model and runtime, the vector store, the LLM."""
    rows = [
        ("chunks indexed", f"{int(str(status.get('chunks', 0))):,}"),
        ("embeddings", f"{status.get('embedding_model', '')} ({status.get('embedding_runtime', '')})"),
        ("store", status.get("vector_store", "")),
        ("answers", status.get("llm", "")),
    ]
    return "\n".join(f"- **{name}**: {escape_markdown(str(value))}" for name, value in rows)
