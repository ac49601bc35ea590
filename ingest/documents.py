"""Whole-document files to one article each: plain text and Markdown (titled by the first line), HTML pages."""

from __future__ import annotations

import re
from typing import Any

from ingest.articles import first_sentence, new_article, no_text_reason
from ingest.dates import parse_date
from ingest.models import LoadResult, Rejection

_LONG_FIRST_LINE = 200
_MD_HEADING = re.compile(r"#{1,6}(?:\s+(.*?))?(?:\s+#+)?\s*$")


def text_article(text: str, origin: str) -> LoadResult:
    """The article in a .txt or .md file, or a rejection when it holds only whitespace."""
    if not text.strip():
        return LoadResult(rejections=[Rejection(origin, no_text_reason("the file holds only whitespace"))])
    return LoadResult(articles=[new_article(text, origin, key=origin, title=_text_title(text))])


def _text_title(text: str) -> str:
    """The first non-empty line without Markdown heading marks; its first sentence if it is long."""
    for line in text.splitlines():
        line = line.strip()
        if heading := _MD_HEADING.match(line):
            line = heading.group(1)
        if line:
            return line if len(line) <= _LONG_FIRST_LINE else first_sentence(line)
    return ""


def html_article(html: str, origin: str, url: str = "") -> LoadResult:
    """The article in an HTML page (trafilatura): text, title, site name, date. ``url`` is where
    the page was fetched from, when it was (it beats the page's own canonical link)."""
    from trafilatura import bare_extraction  # heavy import, only when HTML is loaded

    try:
        doc = bare_extraction(
            html,
            url=url or None,
            with_metadata=True,
            include_comments=False,
            as_dict=True,
            date_extraction_params={"extensive_search": False, "original_date": True},
        )
    except Exception as error:  # a parser failure on one hostile page must not stop the load
        reason = f"cannot extract an article from this HTML page ({type(error).__name__})"
        return LoadResult(rejections=[Rejection(origin, reason)])
    meta: dict[str, Any] = doc if isinstance(doc, dict) else {}
    text = meta.get("text") or ""
    if not isinstance(text, str) or not text.strip():
        return LoadResult(rejections=[Rejection(origin, no_text_reason("no article text found in the page"))])
    url = url or _string(meta.get("url"))
    article = new_article(
        text,
        origin,
        key=url or origin,
        title=_string(meta.get("title")),
        source=_string(meta.get("sitename")) or _string(meta.get("hostname")),
        published=parse_date(_string(meta.get("date"))),
        url=url,
    )
    return LoadResult(articles=[article])


def _string(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""
