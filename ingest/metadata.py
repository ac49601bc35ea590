"""An article's metadata: what a file's loader detects (shown before indexing), and what a person gives
(outlet, date, title, URL), checked, over it.

A field a person left empty keeps what the loader found; a filled one replaces it. A title or a URL
names one article, so it is refused for a load of several (each keeps its own); an outlet or a date
applies to every article loaded.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import urlsplit

from ingest.dates import parse_date
from ingest.errors import BadInputError
from ingest.loaders import DEFAULT_MAX_FILE_BYTES, load_path
from ingest.models import Article, Rejection

FIELDS = ("title", "source", "published", "url")
# Why a field cannot be used: what is wrong -> the message, with the field's name and its value.
PROBLEMS = {
    "not_a_date": "The {name} {value!r} is not a date: write it as YYYY-MM-DD, e.g. 2018-04-13 "
                  "(13/04/2018, 13 April 2018 and Arabic-Indic digits are read too).",
    "not_a_link": "The {name} {value!r} is not a web address: it must start with http:// or https://.",
    "one_article": "A {name} names one article, but these files hold {value} articles: leave it empty "
                   "(each keeps its own) or add the files one at a time.",
}
_NAMES = {"title": "title", "source": "outlet", "published": "published date", "url": "link"}


class BadFieldError(BadInputError):
    """A metadata field that cannot be used as typed: ``field`` (one of ``FIELDS``), the ``value``
    typed, and the ``problem`` (a key of ``PROBLEMS``), so a UI can word it in its own language."""

    def __init__(self, field_name: str, value: str, problem: str) -> None:
        super().__init__(PROBLEMS[problem].format(name=_NAMES[field_name], value=value))
        self.field = field_name
        self.value = value
        self.problem = problem


@dataclass(frozen=True)
class ArticleOverrides:
    """Metadata a person gave; ``""`` = keep what the loader found. ``published`` is in the
    convention of ``ingest.dates``. Build it with ``from_fields`` (which checks what was typed)."""

    title: str = ""
    source: str = ""
    published: str = ""
    url: str = ""

    @classmethod
    def from_fields(cls, title: str = "", source: str = "", published: str = "", url: str = "") -> ArticleOverrides:
        """The fields as typed, trimmed; raises ``BadFieldError`` for a date ``parse_date`` cannot read
        (a day is needed) or a link that is not http(s)."""
        title, source, published, url = (" ".join((v or "").split()) for v in (title, source, published, url))
        day = parse_date(published) if published else ""
        if published and not day:
            raise BadFieldError("published", published, "not_a_date")
        if url and not _is_web_address(url):
            raise BadFieldError("url", url, "not_a_link")
        return cls(title=title, source=source, published=day, url=url)

    @property
    def names_one_article(self) -> bool:
        """A title or a link was given: they fit one article only."""
        return bool(self.title or self.url)

    def __bool__(self) -> bool:
        return any((self.title, self.source, self.published, self.url))

    def apply(self, article: Article) -> Article:
        """``article`` with every given field replacing the loader's; a given link also becomes its key
        (so a later version of the same page replaces it)."""
        return replace(
            article,
            title=self.title or article.title,
            source=self.source or article.source,
            published=self.published or article.published,
            url=self.url or article.url,
            key=self.url or article.key,
        )


def apply_overrides(articles: Sequence[Article], overrides: ArticleOverrides | None) -> list[Article]:
    """The articles with ``overrides`` applied; raises ``BadFieldError`` (nothing applied) when a title
    or a link is given for more than one article."""
    if not overrides:
        return list(articles)
    if overrides.names_one_article and len(articles) > 1:
        name = "title" if overrides.title else "url"
        raise BadFieldError(name, str(len(articles)), "one_article")
    return [overrides.apply(article) for article in articles]


def _is_web_address(url: str) -> bool:
    try:
        parts = urlsplit(url)
        return parts.scheme.lower() in ("http", "https") and bool(parts.hostname) and " " not in url
    except ValueError:  # e.g. a malformed [IPv6] host
        return False


@dataclass(frozen=True)
class DetectedArticle:
    """The metadata a loader found for one article (``""`` where it found none)."""

    title: str
    source: str
    published: str
    url: str
    origin: str  # the file, or "file.jsonl:12" for one record

    @classmethod
    def of(cls, article: Article) -> DetectedArticle:
        return cls(article.title, article.source, article.published, article.url, article.origin)


@dataclass(frozen=True)
class DetectedFile:
    """What one file holds before it is indexed: each article's metadata, and what cannot be read."""

    path: Path
    articles: list[DetectedArticle] = field(default_factory=list)
    rejections: list[Rejection] = field(default_factory=list)


def detect_metadata(
    paths: Iterable[Path | str], *, max_file_bytes: int = DEFAULT_MAX_FILE_BYTES
) -> list[DetectedFile]:
    """Per file, in order: the title, outlet, date and link its loader finds (HTML meta through
    trafilatura, JSON fields, a text file's first line as title), read as indexing will read them."""
    detected = []
    for path in paths:
        loaded = load_path(Path(path), max_file_bytes=max_file_bytes)
        detected.append(DetectedFile(Path(path), [DetectedArticle.of(a) for a in loaded.articles], loaded.rejections))
    return detected
