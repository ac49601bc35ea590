"""The records that flow through ingest: articles, the chunks cut from them, and rejections."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field


def content_id(text: str) -> str:
    """Stable article id: the first 16 hex digits of the SHA-256 of its text."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True)
class Article:
    """One news article. ``text`` is the original, never normalised.

    ``key`` identifies "the same article" across versions (its URL, else its file path and
    record number), so a changed article replaces the old one instead of sitting beside it.
    """

    key: str
    title: str
    text: str
    source: str = ""
    published: str = ""  # ISO 8601 date or datetime, "" if unknown
    url: str = ""
    language: str = "ar"  # "ar" or "en", from the script
    origin: str = ""  # where it was read from (file path, "file.jsonl:12")

    @property
    def doc_id(self) -> str:
        return content_id(self.text)


@dataclass(frozen=True)
class Chunk:
    """A slice of an article: ``text == article.text[start:end]``."""

    doc_id: str
    index: int
    start: int
    end: int
    text: str

    @property
    def chunk_id(self) -> str:
        return f"{self.doc_id}:{self.index}"


@dataclass(frozen=True)
class Rejection:
    """A file or record that could not be read, and why (said so a person can fix it)."""

    origin: str
    reason: str

    def __str__(self) -> str:
        return f"{self.origin}: {self.reason}"


@dataclass
class LoadResult:
    """What a loader produced: good articles and the named reasons for what it skipped."""

    articles: list[Article] = field(default_factory=list)
    rejections: list[Rejection] = field(default_factory=list)

    def extend(self, other: LoadResult) -> None:
        self.articles.extend(other.articles)
        self.rejections.extend(other.rejections)
