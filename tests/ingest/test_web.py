"""Web pages and feeds to articles, against a local site on 127.0.0.1 (no internet here)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from local_site import RAIL_TITLE, SCHOOLS_SUMMARY, SLOW_SECONDS, serve_site

from ingest.web import WebError, check_url, fetch_article, fetch_feed, plain_text, summary_article

pytestmark = pytest.mark.integration  # a real HTTP server and trafilatura; no models
LIMITS: dict = {"timeout_s": 10.0, "max_bytes": 500_000}


@pytest.fixture(scope="module")
def site() -> Iterator[str]:
    with serve_site() as base:
        yield base


def test_arabic_page_becomes_an_article_with_its_metadata(site: str):
    url = f"{site}/news/rail.html"
    article = fetch_article(url, **LIMITS)
    assert article.title == RAIL_TITLE
    assert article.source == "أخبار الواحات"
    assert article.published.startswith("2024-03-05")
    assert (article.url, article.key, article.language) == (url, url, "ar")
    assert "أربعة آلاف ومئتي راكب" in article.text
    assert "جميع الحقوق محفوظة" not in article.text and "رياضة" not in article.text  # boilerplate left out


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("/news/missing.html", "the server answered HTTP 404"),
        ("/big.html", "over the 500 KB limit"),
        ("/blank.html", "no article text found in the page"),
    ],
)
def test_page_errors_name_the_url_and_the_reason(site: str, path: str, reason: str):
    with pytest.raises(WebError) as caught:
        fetch_article(site + path, **LIMITS)
    assert caught.value.url == site + path and reason in caught.value.reason
    assert str(caught.value).startswith(site + path)


def test_a_page_that_does_not_answer_in_time_is_refused(site: str):
    with pytest.raises(WebError, match=r"no answer within 1 s"):
        fetch_article(f"{site}/slow.html", timeout_s=1.0, max_bytes=500_000)
    assert SLOW_SECONDS > 1.0


def test_refused_connections_and_non_web_addresses(site: str):
    with pytest.raises(WebError, match="connection was refused"):
        fetch_article("http://127.0.0.1:9/story.html", **LIMITS)  # nothing listens on port 9
    for bad in ("file:///etc/passwd", "javascript:alert(1)", "example.org/story", ""):
        with pytest.raises(WebError, match="not a web address"):
            check_url(bad)


def test_feed_items_and_their_summaries(site: str):
    feed = fetch_feed(f"{site}/feed.xml", **LIMITS)
    assert feed.title == "أخبار الواحات"
    assert [item.link for item in feed.items] == [
        f"{site}/news/rail.html", f"{site}/news/schools.html", f"{site}/news/empty.html",
    ]
    assert feed.items[0].published.startswith("2024-03-05")
    schools = feed.items[1]
    assert schools.summary == SCHOOLS_SUMMARY  # the escaped <p> is unwrapped to plain text
    article = summary_article(schools, feed)
    assert article is not None
    assert (article.text, article.title, article.source, article.key) == (
        SCHOOLS_SUMMARY, "تلاميذ الفرافرة", "أخبار الواحات", schools.link,
    )
    assert summary_article(feed.items[2], feed) is None


def test_a_page_that_is_not_a_feed_is_refused(site: str):
    with pytest.raises(WebError, match="not an RSS or Atom feed"):
        fetch_feed(f"{site}/not-a-feed.xml", **LIMITS)


def test_plain_text_of_html_fragments():
    assert plain_text("<p>سطر &amp; أول</p><p>سطر <b>ثان</b></p>") == "سطر & أول\nسطر ثان"
    assert plain_text("") == ""
