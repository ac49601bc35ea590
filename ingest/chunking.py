"""Sentence-aware chunking that keeps every chunk's character offsets in the original article."""

from __future__ import annotations

import re
from collections.abc import Callable

from ingest.models import Article, Chunk

TokenCounter = Callable[[str], int]

# A sentence ends at . ! ? ؟ ؛ ; … (with any closing quotes/brackets after it) followed by
# whitespace, or at a line break. A dot between digits (2.5) or inside initials (U.S.) does not end it.
_SENTENCE_END = re.compile(
    r"""(?:(?<!\d)(?<!\b[A-Z])\.|[!?؟؛;…]|(?<=\d)\.(?!\d))+["'”’»)\]]*(?=\s|$)|\n+"""
)
_WORD = re.compile(r"\S+")


def split_sentences(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Spans (start, end) of the sentences in ``text[start:end]``, surrounding spaces trimmed."""
    end = len(text) if end is None else end
    spans: list[tuple[int, int]] = []
    cursor = start
    for match in _SENTENCE_END.finditer(text, start, end):
        _append_trimmed(text, cursor, match.end(), spans)
        cursor = match.end()
    _append_trimmed(text, cursor, end, spans)
    return spans


def _append_trimmed(text: str, start: int, end: int, spans: list[tuple[int, int]]) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start and any(ch.isalnum() for ch in text[start:end]):
        spans.append((start, end))


def _split_long(text: str, span: tuple[int, int], max_tokens: int, count: TokenCounter) -> list[tuple[int, int]]:
    """Cut a sentence longer than the budget at word boundaries."""
    pieces: list[tuple[int, int]] = []
    words = [(m.start(), m.end()) for m in _WORD.finditer(text, span[0], span[1])]
    piece_start = words[0][0]
    last_end = words[0][1]
    for word_start, word_end in words[1:]:
        if count(text[piece_start:word_end]) > max_tokens:
            pieces.append((piece_start, last_end))
            piece_start = word_start
        last_end = word_end
    pieces.append((piece_start, last_end))
    return pieces


def chunk_article(
    article: Article, count_tokens: TokenCounter, max_tokens: int = 200, overlap_sentences: int = 1
) -> list[Chunk]:
    """Greedy packing of whole sentences up to ``max_tokens``; the last ``overlap_sentences``
    of a chunk open the next one. ``chunk.text == article.text[chunk.start:chunk.end]``."""
    text = article.text
    sentences: list[tuple[int, int]] = []
    for span in split_sentences(text):
        if count_tokens(text[span[0] : span[1]]) > max_tokens:
            sentences.extend(_split_long(text, span, max_tokens, count_tokens))
        else:
            sentences.append(span)

    groups: list[list[tuple[int, int]]] = []
    current: list[tuple[int, int]] = []
    for span in sentences:
        candidate = [*current, span]
        if current and count_tokens(text[candidate[0][0] : span[1]]) > max_tokens:
            groups.append(current)
            carried = current[-overlap_sentences:] if overlap_sentences else []
            current = [*carried, span]
            if count_tokens(text[current[0][0] : span[1]]) > max_tokens:
                current = [span]
        else:
            current = candidate
    if current:
        groups.append(current)

    return [
        Chunk(doc_id=article.doc_id, index=i, start=g[0][0], end=g[-1][1], text=text[g[0][0] : g[-1][1]])
        for i, g in enumerate(groups)
    ]
