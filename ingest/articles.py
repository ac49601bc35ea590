"""Building an Article from extracted text: a title from its first sentence when none is given, its language."""

from __future__ import annotations

from ingest.arabic import detect_language
from ingest.chunking import split_sentences
from ingest.models import Article

TITLE_MAX_CHARS = 120


def first_sentence(text: str, limit: int = TITLE_MAX_CHARS) -> str:
    """The text's first sentence (as the chunker splits them: at . ! ? ؟ ؛ … or a line break, not in
    "U.S." or "3.5"), a final "." dropped, at most ``limit`` characters: cut at a word boundary with
    "…" when longer."""
    spans = split_sentences(text, 0, min(len(text), max(4 * limit, 1000)))  # only the start matters
    if spans:
        text = text[spans[0][0] : spans[0][1]]
    text = " ".join(text.split()).removesuffix(".")
    if len(text) <= limit:
        return text
    cut = text.rfind(" ", 0, limit)
    return text[: cut if cut > limit // 2 else limit - 1].rstrip() + "…"


def new_article(
    text: str, origin: str, key: str, title: str = "", source: str = "", published: str = "", url: str = ""
) -> Article:
    """An Article of ``text`` as given (never normalised); titled by its first sentence if untitled."""
    return Article(
        key=key,
        title=title or first_sentence(text),
        text=text,
        source=source,
        published=published,
        url=url,
        language=detect_language(text),
        origin=origin,
    )


def no_text_reason(detail: str) -> str:
    """The rejection reason for an input without article text."""
    return f"no text ({detail})"
