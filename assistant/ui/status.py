"""What the index holds, for journalists: articles, outlets (with their article counts) and the date
span, for the status line, the outlet lists, the date hints and the filter checks; the technical
details (paths, store, models) for the "About" section. No Gradio here."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field

from assistant.service import IsnadService
from assistant.ui.forms import Catalog, span_text
from assistant.ui.i18n import label, number, text
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


def outlet_choices(catalog: Catalog, language: str) -> list[tuple[str, str]]:
    """(label, outlet) for an outlet list: 'BBC Arabic (4,012)', the count in the interface's digits."""
    counts = Counter(source for _, source in catalog.articles if source)
    return [(f"{outlet} ({number(n, language)})", outlet) for outlet, n in sorted(counts.items())]


def mode_name(mode: str, language: str) -> str:
    return label("mode_llm" if mode == "llm" else "mode_extractive", language)


def status_markdown(catalog: Catalog, language: str, mode: str) -> str:
    """The status line a journalist reads: how many articles from how many outlets, over which dates,
    and how answers are made."""
    if not catalog.articles:
        return text("status_empty", language)
    outlets = {source for _, source in catalog.articles if source}
    return text(
        "status", language, articles=number(len(catalog.articles), language), outlets=number(len(outlets), language),
        span=span_text(catalog, language), mode=mode_name(mode, language),
    )


def technical_markdown(status: Mapping[str, object]) -> str:
    """The operator's details: chunks, the embedding model and runtime, the vector store, the LLM."""
    rows = [
        ("chunks indexed", f"{int(str(status.get('chunks', 0))):,}"),
        ("embeddings", f"{status.get('embedding_model', '')} ({status.get('embedding_runtime', '')})"),
        ("store", status.get("vector_store", "")),
        ("answers", status.get("llm", "")),
    ]
    return "\n".join(f"- **{name}**: {escape_markdown(str(value))}" for name, value in rows)
