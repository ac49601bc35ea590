"""The library's web sources: add one page by URL, follow RSS/Atom feeds.

The followed feeds are kept in ``DATA_DIR/feeds.json`` (beside the index they feed), so "refresh
feeds" still knows them after a restart. A refresh indexes only the items whose link is not yet an
article key in the index: each item's page is fetched and extracted, or, when that fails, the
entry's own summary is indexed and the report says why.
"""

from __future__ import annotations

import dataclasses
import json
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from assistant.errors import ConfigurationError
from assistant.settings import Settings
from ingest.models import Article, Rejection
from ingest.web import Feed, WebError, check_url, fetch_article, fetch_feed, summary_article
from vectorstore.news_index import NewsIndex
from vectorstore.records import IngestReport

FEEDS_FILE = "feeds.json"
Progress = Callable[[int], None]


@dataclass
class FollowedFeed:
    url: str
    title: str = ""
    added: str = ""
    refreshed: str = ""  # last refresh, ISO 8601 UTC; "" before the first


@dataclass
class FeedReport:
    """One feed's refresh: new items indexed, items indexed from their summary (and why), or the
    reason the feed itself could not be read."""

    url: str
    title: str = ""
    new_items: int = 0
    from_summary: list[tuple[str, str]] = field(default_factory=list)  # (link, why the page was not used)
    error: str | None = None
    ingest: IngestReport = field(default_factory=IngestReport)


class FeedList:
    """The followed feeds, persisted as a small JSON file (written atomically)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def load(self) -> list[FollowedFeed]:
        if not self.path.exists():
            return []
        try:
            records = json.loads(self.path.read_text(encoding="utf-8"))["feeds"]
            return [FollowedFeed(**{k: str(v) for k, v in r.items() if k in _FIELDS}) for r in records]
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise ConfigurationError(
                f"The list of followed feeds {self.path} cannot be read ({type(exc).__name__}: {exc}): "
                "fix or delete that file, then add the feeds again."
            ) from exc

    def save(self, feeds: list[FollowedFeed]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".json.tmp")
        payload = {"feeds": [dataclasses.asdict(f) for f in feeds]}
        tmp.write_text(json.dumps(payload, ensure_ascii=False, indent=2), encoding="utf-8")
        os.replace(tmp, self.path)


_FIELDS = {f.name for f in dataclasses.fields(FollowedFeed)}


def _now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat()


class WebLibrary:
    """Adds web pages and feed items to a ``NewsIndex``."""

    def __init__(self, settings: Settings, index: NewsIndex) -> None:
        self.settings = settings
        self.index = index
        self.feed_list = FeedList(settings.data_dir / FEEDS_FILE)
        self._lock = threading.Lock()  # one feeds.json writer at a time

    def _limits(self) -> dict[str, Any]:
        return {"timeout_s": self.settings.fetch_timeout_s, "max_bytes": self.settings.max_file_bytes}

    def add_url(self, url: str, progress: Progress | None = None) -> IngestReport:
        """Fetch one page and index its article; a failure is a rejection naming the URL and why."""
        try:
            article = fetch_article(url, **self._limits())
        except WebError as exc:
            return IngestReport(rejected=[Rejection(exc.url, exc.reason)])
        return self.index.ingest([article], progress=progress)

    def feeds(self) -> list[FollowedFeed]:
        return self.feed_list.load()

    def add_feed(self, url: str, progress: Progress | None = None) -> FeedReport:
        """Read the feed, follow it (when it is one), and index its new items."""
        try:
            url = check_url(url)
            feed = fetch_feed(url, **self._limits())
        except WebError as exc:
            return FeedReport(exc.url, error=exc.reason)
        with self._lock:
            followed = self.feed_list.load()
            if not any(f.url == url for f in followed):
                followed.append(FollowedFeed(url, feed.title, added=_now()))
                self.feed_list.save(followed)
        return self._index_new_items(feed, progress)

    def remove_feed(self, url: str) -> bool:
        """Stop following a feed (its indexed articles stay). False when it was not followed."""
        with self._lock:
            followed = self.feed_list.load()
            kept = [f for f in followed if f.url != url.strip()]
            if len(kept) == len(followed):
                return False
            self.feed_list.save(kept)
            return True

    def refresh_feeds(self, progress: Progress | None = None) -> list[FeedReport]:
        """Index the new items of every followed feed; one unreachable feed does not stop the others."""
        reports = []
        for followed in self.feed_list.load():
            try:
                feed = fetch_feed(followed.url, **self._limits())
            except WebError as exc:
                reports.append(FeedReport(followed.url, followed.title, error=exc.reason))
                continue
            reports.append(self._index_new_items(feed, progress))
        return reports

    def _index_new_items(self, feed: Feed, progress: Progress | None) -> FeedReport:
        report = FeedReport(feed.url, feed.title)
        indexed = {a.key for a in self.index.list_articles()}
        new = [item for item in feed.items if item.key not in indexed]
        new.sort(key=lambda item: item.published, reverse=True)
        articles: list[Article] = []
        for item in new[: self.settings.feed_max_items]:
            why = "the entry has no link"
            if item.link:
                try:
                    page = fetch_article(item.link, **self._limits())
                except WebError as exc:
                    why = exc.reason
                else:  # indexed under the item's link, so the next refresh knows it
                    articles.append(
                        dataclasses.replace(
                            page,
                            key=item.key,
                            url=item.link,
                            title=page.title or item.title,
                            published=page.published or item.published,
                        )
                    )
                    continue
            fallback = summary_article(item, feed)
            if fallback is None:
                report.ingest.rejected.append(Rejection(item.link or item.key, f"{why}, and it has no summary"))
                continue
            report.from_summary.append((item.link or item.key, why))
            articles.append(fallback)
        if articles:
            ingested = self.index.ingest(articles, progress=progress)
            ingested.rejected[:0] = report.ingest.rejected
            report.ingest = ingested
        report.new_items = report.ingest.added + report.ingest.replaced
        with self._lock:
            followed = self.feed_list.load()
            for f in followed:
                if f.url == feed.url:
                    f.refreshed, f.title = _now(), feed.title or f.title
            self.feed_list.save(followed)
        return report
