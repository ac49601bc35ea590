"""JSON records to articles: which fields hold the text, title, date, source and URL, and ANT source codes."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

from ingest.articles import new_article, no_text_reason
from ingest.dates import parse_date
from ingest.models import Article, LoadResult, Rejection

# ANT corpus source codes (its `src` field, matched case-insensitively) to outlet names.
ANT_SOURCES: dict[str, str] = {
    "bbc": "BBC Arabic",
    "skynews": "Sky News Arabia",
    "cnn": "CNN Arabic",
    "france24": "France 24",
    "alarabiya": "Al Arabiya",
    "alarabia": "Al Arabiya",
}

# Record fields, first non-empty one wins.
TEXT_FIELDS = ("text", "content", "body")
TITLE_FIELDS = ("title", "headline")
DATE_FIELDS = ("time", "date", "published", "published_at", "pubDate")
SOURCE_FIELDS = ("src", "source", "outlet", "publisher")
URL_FIELDS = ("url", "link")


def source_name(value: str) -> str:
    """An outlet name for a record's source field: ANT codes mapped (``"skynews"`` -> ``"Sky News
    Arabia"``), anything else kept as written."""
    value = value.strip()
    return ANT_SOURCES.get(value.lower(), value)


def load_records(items: Iterable[tuple[str, str, Any]]) -> LoadResult:
    """(origin, fallback key, record) triples to articles and rejections."""
    result = LoadResult()
    for origin, key, record in items:
        article = record_article(record, origin, key)
        if isinstance(article, Article):
            result.articles.append(article)
        else:
            result.rejections.append(Rejection(origin, article))
    return result


def record_article(record: Any, origin: str, key: str) -> Article | str:
    """An article from one JSON record, or the reason it is not one."""
    if not isinstance(record, dict):
        return "not an article: expected a JSON object"
    text = next((v for f in TEXT_FIELDS if isinstance(v := record.get(f), str) and v.strip()), None)
    if text is None:
        return no_text_reason(f"no non-empty {', '.join(repr(f) for f in TEXT_FIELDS)} field")
    url = _field(record, URL_FIELDS)
    return new_article(
        text,
        origin,
        key=url or key,
        title=_field(record, TITLE_FIELDS),
        source=source_name(_field(record, SOURCE_FIELDS)) or _hostname(url),
        published=parse_date(_field(record, DATE_FIELDS)),
        url=url,
    )


def _field(record: dict[str, Any], names: tuple[str, ...]) -> str:
    for name in names:
        value = record.get(name)
        if isinstance(value, dict):  # e.g. {"source": {"id": "bbc-news", "name": "BBC News"}}
            value = value.get("name")
        if isinstance(value, str) and value.strip():
            return value.strip()
    return ""


def _hostname(url: str) -> str:
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:
        return ""
    return host.removeprefix("www.")
