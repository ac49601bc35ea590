"""Articles from the web: a page by its URL (extracted with trafilatura) and the items of an RSS or
Atom feed (parsed with feedparser).

Downloads go through urllib with a timeout and a size limit; only http(s) addresses are fetched.
Every failure is a ``WebError`` whose message names the URL and the reason ("the server answered
HTTP 404", "no answer within 15 s", "larger than the 20 MB limit", "no article text found").
No ML here, and nothing of ours outside ``ingest``.
"""

from __future__ import annotations

import codecs
import html
import http.client
import re
import socket
from dataclasses import dataclass, field
from typing import Any
from urllib.error import HTTPError, URLError
from urllib.parse import urlsplit
from urllib.request import Request, urlopen

from ingest.arabic import detect_language
from ingest.articles import first_sentence
from ingest.dates import parse_date
from ingest.decoding import decode_bytes
from ingest.documents import html_article
from ingest.errors import LoadError
from ingest.models import Article

USER_AGENT = "Isnad/0.1 (news question answering; +https://github.com/)"
PAGE_TYPES = "text/html,application/xhtml+xml;q=0.9,*/*;q=0.5"
FEED_TYPES = "application/rss+xml,application/atom+xml,application/xml;q=0.9,text/xml;q=0.9,*/*;q=0.5"
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_TAG = re.compile(r"<[^>]+>")
_BLOCK_END = re.compile(r"</?(?:p|br|div|li|h[1-6]|blockquote)\b[^>]*>", re.IGNORECASE)


class WebError(LoadError):
    """A URL that could not be turned into articles; ``str()`` names the URL and the reason."""

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(reason, origin=url)
        self.url = url

    def __str__(self) -> str:
        return f"{self.url}: {self.reason}"


@dataclass(frozen=True)
class Download:
    url: str  # after redirects
    data: bytes
    charset: str | None


@dataclass(frozen=True)
class FeedItem:
    """One feed entry. ``key`` is its link (else the feed URL and the entry id): the article key
    it is indexed under, so a later refresh knows it is already there."""

    key: str
    link: str
    title: str
    summary: str  # plain text
    published: str  # ISO 8601, "" if unknown


@dataclass(frozen=True)
class Feed:
    url: str
    title: str
    items: list[FeedItem] = field(default_factory=list)


def _size(n: int) -> str:
    return f"{n / 1_000_000:.1f}".removesuffix(".0") + " MB" if n >= 1_000_000 else f"{n / 1_000:.0f} KB"


def check_url(url: str) -> str:
    """The URL stripped, when it is an http(s) address with a host; else a ``WebError``."""
    url = (url or "").strip()
    try:
        parts = urlsplit(url)
    except ValueError:
        parts = None
    if parts is None or parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise WebError(url or "(empty)", "not a web address: write it as http://… or https://…")
    return url


def fetch(url: str, *, timeout_s: float, max_bytes: int, accept: str = PAGE_TYPES) -> Download:
    """The body at ``url``: at most ``max_bytes``, with no more than ``timeout_s`` between reads."""
    url = check_url(url)
    request = Request(url, headers={"User-Agent": USER_AGENT, "Accept": accept})
    try:
        with urlopen(request, timeout=timeout_s) as response:
            length = response.headers.get("Content-Length", "")
            if length.isdigit() and int(length) > max_bytes:
                raise WebError(url, f"the page is {_size(int(length))}, over the {_size(max_bytes)} limit")
            data = response.read(max_bytes + 1)
            if len(data) > max_bytes:
                raise WebError(url, f"the page is larger than the {_size(max_bytes)} limit")
            return Download(response.geturl() or url, data, response.headers.get_content_charset())
    except WebError:
        raise
    except HTTPError as exc:
        raise WebError(url, f"the server answered HTTP {exc.code} {exc.reason}") from exc
    except URLError as exc:
        raise WebError(url, _network_reason(exc.reason, timeout_s)) from exc
    except TimeoutError as exc:
        raise WebError(url, f"no answer within {timeout_s:g} s") from exc
    except (http.client.HTTPException, OSError, ValueError) as exc:
        raise WebError(url, f"the download failed ({type(exc).__name__}: {exc})") from exc


def _network_reason(reason: Any, timeout_s: float) -> str:
    if isinstance(reason, TimeoutError):
        return f"no answer within {timeout_s:g} s"
    if isinstance(reason, ConnectionRefusedError):
        return "the connection was refused (nothing answers at that address and port)"
    if isinstance(reason, socket.gaierror):
        return "unknown host (check the address, and that this machine can reach it)"
    return f"the download failed ({reason})"


def page_text(download: Download) -> str:
    """The page decoded: its declared charset (HTTP header, else <meta>), else UTF-8 or Windows-1256."""
    declared = download.charset
    if not declared and (meta := _META_CHARSET.search(download.data[:4096])):
        declared = meta.group(1).decode("ascii")
    if declared:
        try:
            return download.data.decode(codecs.lookup(declared).name)
        except (LookupError, UnicodeDecodeError):
            pass  # a wrong declaration: judge the bytes themselves
    try:
        return decode_bytes(download.data, download.url)
    except LoadError as exc:
        raise WebError(download.url, exc.reason) from exc


def article_from_html(page: str, url: str) -> Article:
    """The article in a web page fetched from ``url`` (keyed by it); a ``WebError`` when there is none."""
    loaded = html_article(page, origin=url, url=url)
    if not loaded.articles:
        raise WebError(url, loaded.rejections[0].reason if loaded.rejections else "no article text found in the page")
    return loaded.articles[0]


def fetch_article(url: str, *, timeout_s: float, max_bytes: int) -> Article:
    """Download the page at ``url`` and extract its article."""
    download = fetch(url, timeout_s=timeout_s, max_bytes=max_bytes)
    return article_from_html(page_text(download), download.url)


# --- feeds -------------------------------------------------------------------------------------


def plain_text(fragment: str) -> str:
    """An HTML fragment (a feed summary) as plain text, one paragraph a line."""
    text = _TAG.sub("", _BLOCK_END.sub("\n", fragment or ""))
    lines = (" ".join(html.unescape(line).split()) for line in text.splitlines())
    return "\n".join(line for line in lines if line)


def parse_feed(data: bytes, url: str) -> Feed:
    """An RSS or Atom document's title and items; a ``WebError`` when it is neither."""
    import feedparser  # only when a feed is read

    parsed = feedparser.parse(data)
    version = getattr(parsed, "version", "")
    if not parsed.entries and (parsed.bozo or not version):
        problem = getattr(parsed, "bozo_exception", None)
        detail = f" ({problem})" if problem else ""
        raise WebError(url, f"not an RSS or Atom feed{detail}")
    channel = parsed.feed
    title = plain_text(channel.get("title", "")) or (urlsplit(url).hostname or url).removeprefix("www.")
    items = []
    for n, entry in enumerate(parsed.entries, start=1):
        link = str(entry.get("link", "")).strip()
        ident = str(entry.get("id", "")).strip() or str(n)
        summary = entry.get("summary", "")
        if not summary and entry.get("content"):
            summary = entry["content"][0].get("value", "")
        items.append(
            FeedItem(
                key=link or f"{url}#{ident}",
                link=link,
                title=plain_text(entry.get("title", "")),
                summary=plain_text(summary),
                published=parse_date(str(entry.get("published") or entry.get("updated") or "")),
            )
        )
    return Feed(url, title, items)


def fetch_feed(url: str, *, timeout_s: float, max_bytes: int) -> Feed:
    download = fetch(url, timeout_s=timeout_s, max_bytes=max_bytes, accept=FEED_TYPES)
    return parse_feed(download.data, url)


def summary_article(item: FeedItem, feed: Feed) -> Article | None:
    """The item as an article made of its feed summary (when its page cannot be fetched); None
    when the entry has no summary."""
    if not item.summary:
        return None
    return Article(
        key=item.key,
        title=item.title or first_sentence(item.summary),
        text=item.summary,
        source=feed.title,
        published=item.published,
        url=item.link,
        language=detect_language(item.summary),
        origin=item.link or item.key,
    )
