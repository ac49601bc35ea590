"""Metadata a person gives at upload over what the loader found (checked field by field), and what a
file's loader detects before indexing: HTML meta, JSON fields, a text file's first line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ingest.errors import BadInputError
from ingest.loaders import load_path
from ingest.metadata import ArticleOverrides, BadFieldError, DetectedArticle, apply_overrides, detect_metadata
from ingest.models import Article

pytestmark = pytest.mark.unit

TEXT = "مهرجان الرمان في الفيوم\nاستقبل مهرجان الرمان في الفيوم ثمانية آلاف زائر هذا العام.\n"
HTML = """<!doctype html><html lang="ar"><head><meta charset="utf-8">
<title>قافلة مساعدات تصل إلى حلب</title>
<meta property="og:title" content="قافلة مساعدات تصل إلى حلب">
<meta property="og:site_name" content="Aleppo Today">
<meta property="article:published_time" content="2019-03-07T08:30:00+00:00">
<link rel="canonical" href="https://aleppo.example/news/convoy">
</head><body><article><h1>قافلة مساعدات تصل إلى حلب</h1>
<p>وصلت قافلة مساعدات إلى مدينة حلب صباح اليوم وعلى متنها أدوية ومواد غذائية لآلاف العائلات في الأحياء الشرقية.</p>
<p>وقال منسق القافلة إن الشاحنات الأربعين عبرت الطريق الدولي دون عوائق، وإن قافلة ثانية ستصل الأسبوع المقبل.</p>
</article></body></html>"""


def article(**fields: str) -> Article:
    values = {"key": "/tmp/x.txt", "title": "Loader title", "text": "Some text.", "source": "", "published": "",
              "url": "", "origin": "/tmp/x.txt"}
    values.update(fields)
    return Article(**values)


def test_each_filled_field_replaces_the_loaders_and_an_empty_one_keeps_it():
    loaded = article(source="Loader Wire", published="2017-01-02")
    outlet_only = ArticleOverrides.from_fields(source="  Fayoum   Daily ").apply(loaded)
    assert (outlet_only.title, outlet_only.source, outlet_only.published) == ("Loader title", "Fayoum Daily",
                                                                              "2017-01-02")
    everything = ArticleOverrides.from_fields("My title", "Fayoum Daily", "2018-11-05", "https://fayoum.example/a")
    got = everything.apply(loaded)
    assert (got.title, got.source, got.published, got.url) == ("My title", "Fayoum Daily", "2018-11-05",
                                                               "https://fayoum.example/a")
    assert got.key == "https://fayoum.example/a"  # a later version of the same link replaces it
    assert got.text == loaded.text and got.doc_id == loaded.doc_id  # the text is never touched
    assert not ArticleOverrides.from_fields(" ", "", "\t", "")  # nothing typed: nothing to apply
    assert apply_overrides([loaded], ArticleOverrides.from_fields()) == [loaded]


@pytest.mark.parametrize(("typed", "stored"), [
    ("2018-04-13", "2018-04-13"),
    ("٢٠١٨-٠٤-١٣", "2018-04-13"),  # Arabic-Indic digits
    ("13/04/2018", "2018-04-13"),  # day first, as Arabic outlets write it
    ("١٣ أبريل ٢٠١٨", "2018-04-13"),
    ("13 April 2018", "2018-04-13"),
    ("2018-04-13T10:30:00+03:00", "2018-04-13T07:30:00+00:00"),
])
def test_a_typed_date_is_read_as_the_loaders_dates_are(typed: str, stored: str):
    assert ArticleOverrides.from_fields(published=typed).published == stored


@pytest.mark.parametrize("typed", ["2018-02-30", "April 2018", "yesterday", "13/13/2018", "٢٠١٨"])
def test_a_bad_date_is_refused_naming_the_field_and_the_value(typed: str):
    with pytest.raises(BadFieldError) as caught:
        ArticleOverrides.from_fields(source="Fayoum Daily", published=typed)
    error = caught.value
    assert isinstance(error, BadInputError)
    assert (error.field, error.value, error.problem) == ("published", typed, "not_a_date")
    assert "published date" in str(error) and repr(typed) in str(error) and "YYYY-MM-DD" in str(error)


@pytest.mark.parametrize("typed", ["javascript:alert(1)", "ftp://files.example/a", "fayoum.example/a",
                                   "file:///etc/passwd", "https://", "http://[::1"])
def test_a_link_must_be_a_web_address(typed: str):
    with pytest.raises(BadFieldError) as caught:
        ArticleOverrides.from_fields(url=typed)
    assert (caught.value.field, caught.value.problem) == ("url", "not_a_link")
    assert repr(typed) in str(caught.value) and "http://" in str(caught.value)


def test_http_and_https_links_are_kept_as_typed():
    assert ArticleOverrides.from_fields(url=" HTTPS://Fayoum.example/news?id=7 ").url == "HTTPS://Fayoum.example/news?id=7"
    assert ArticleOverrides.from_fields(url="http://127.0.0.1:8000/a").url == "http://127.0.0.1:8000/a"


def test_a_title_or_link_for_several_articles_is_refused_and_an_outlet_or_date_applies_to_all():
    loaded = [article(key="a", text="First text.", source="Wire A"), article(key="b", text="Second text.")]
    for fields, name in (({"title": "One title"}, "title"), ({"url": "https://x.example/1"}, "url")):
        with pytest.raises(BadFieldError) as caught:
            apply_overrides(loaded, ArticleOverrides.from_fields(**fields))
        assert (caught.value.field, caught.value.value, caught.value.problem) == (name, "2", "one_article")
        assert "2 articles" in str(caught.value)
    dated = apply_overrides(loaded, ArticleOverrides.from_fields(published="2018-05-01"))
    assert [(a.source, a.published, a.title) for a in dated] == [("Wire A", "2018-05-01", "Loader title"),
                                                                 ("", "2018-05-01", "Loader title")]


def test_detects_the_metadata_of_each_file_as_indexing_reads_it(tmp_path: Path):
    text = tmp_path / "fayoum.txt"
    text.write_text(TEXT, encoding="utf-8")
    page = tmp_path / "convoy.html"
    page.write_text(HTML, encoding="utf-8")
    records = tmp_path / "wire.jsonl"
    records.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in [
        {"title": "Dam opens", "text": "The dam opened today.", "source": "skynews", "date": "٠٥/٠٦/٢٠١٨",
         "url": "https://wire.example/dam"},
        {"text": "No title here. Second sentence."},
        {"title": "no text"},
    ]) + "\n", encoding="utf-8")
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")

    got = detect_metadata([text, page, records, empty])
    assert [d.path for d in got] == [text, page, records, empty]
    assert got[0].articles == [DetectedArticle("مهرجان الرمان في الفيوم", "", "", "", str(text.resolve()))]
    html = got[1].articles[0]
    assert (html.title, html.source, html.published[:10], html.url) == (
        "قافلة مساعدات تصل إلى حلب", "Aleppo Today", "2019-03-07", "https://aleppo.example/news/convoy")
    dam, untitled = got[2].articles
    assert (dam.title, dam.source, dam.published, dam.url) == ("Dam opens", "Sky News Arabia", "2018-06-05",
                                                               "https://wire.example/dam")
    assert untitled.title == "No title here"  # untitled: its first sentence, as indexing titles it
    assert [r.origin.rsplit(":", 1)[1] for r in got[2].rejections] == ["3"]
    assert not got[3].articles and got[3].rejections[0].reason == "empty file"
    # the same reading as indexing: what is shown is what would be stored
    assert [DetectedArticle.of(a) for a in load_path(records).articles] == got[2].articles
