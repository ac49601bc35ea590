"""Adding a web page and following a feed, against a local site, into a real index (real e5, real
embedded Chroma); the followed feeds survive a restart."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from conftest import make_settings
from local_site import RAIL_QUESTION, RAIL_TITLE, SCHOOLS_SUMMARY, serve_site

from assistant.errors import ConfigurationError
from assistant.service import IsnadService
from assistant.web_library import FEEDS_FILE, WebLibrary

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def site() -> Iterator[str]:
    with serve_site() as base:
        yield base


@pytest.fixture
def service(tmp_path, embedder) -> Iterator[IsnadService]:
    service = IsnadService.from_settings(make_settings(tmp_path / "index", fetch_timeout_s=5.0), embedder=embedder)
    yield service
    service.close()


def test_added_page_is_indexed_under_its_url_and_cited(service: IsnadService, site: str):
    web = WebLibrary(service.settings, service.index)
    url = f"{site}/news/rail.html"
    report = web.add_url(url)
    assert (report.added, report.rejected) == (1, [])
    [article] = service.library()
    assert (article.title, article.url, article.key, article.source) == (RAIL_TITLE, url, url, "أخبار الواحات")
    assert web.add_url(url).unchanged == 1  # the same page again adds nothing

    answer = service.ask(RAIL_QUESTION, mode="extractive")
    assert answer.citations and answer.citations[0].title == RAIL_TITLE and answer.citations[0].verified
    assert "أربعة آلاف ومئتي راكب" in answer.answer


def test_a_page_that_cannot_be_fetched_is_a_named_rejection(service: IsnadService, site: str):
    report = WebLibrary(service.settings, service.index).add_url(f"{site}/news/missing.html")
    assert report.added == 0
    [rejection] = report.rejected
    assert rejection.origin == f"{site}/news/missing.html" and "HTTP 404" in rejection.reason
    assert service.library() == []


def test_feed_is_followed_across_restarts_and_only_new_items_are_indexed(service: IsnadService, site: str):
    web = WebLibrary(service.settings, service.index)
    feed_url = f"{site}/feed.xml"
    first = web.add_feed(feed_url)
    assert first.error is None and first.title == "أخبار الواحات"
    assert first.new_items == 2  # the rail page (fetched) and the schools item (from its summary)
    assert first.from_summary == [(f"{site}/news/schools.html", "the server answered HTTP 404 Not Found")]
    [no_summary] = first.ingest.rejected
    assert no_summary.origin == f"{site}/news/empty.html" and "no summary" in no_summary.reason
    titles = {a.title: a for a in service.library()}
    assert titles[RAIL_TITLE].url == f"{site}/news/rail.html"
    schools = service.article(titles["تلاميذ الفرافرة"].doc_id)
    assert schools is not None and schools.text == SCHOOLS_SUMMARY

    restarted = WebLibrary(service.settings, service.index)  # a new process reads feeds.json
    assert [(f.url, f.title) for f in restarted.feeds()] == [(feed_url, "أخبار الواحات")]
    [again] = restarted.refresh_feeds()
    assert (again.url, again.error, again.new_items, again.ingest.added) == (feed_url, None, 0, 0)
    assert len(service.library()) == 2

    assert restarted.remove_feed(feed_url) and restarted.feeds() == []
    assert not restarted.remove_feed(feed_url)


def test_a_page_that_is_not_a_feed_is_not_followed(service: IsnadService, site: str):
    web = WebLibrary(service.settings, service.index)
    report = web.add_feed(f"{site}/not-a-feed.xml")
    assert report.url == f"{site}/not-a-feed.xml" and "not an RSS or Atom feed" in (report.error or "")
    assert web.feeds() == [] and service.library() == []
    unreachable = web.add_feed("http://127.0.0.1:9/feed.xml")
    assert "refused" in (unreachable.error or "")


def test_a_damaged_feed_list_names_the_file(service: IsnadService):
    path = service.settings.data_dir / FEEDS_FILE
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(ConfigurationError, match=FEEDS_FILE):
        WebLibrary(service.settings, service.index).feeds()
