"""load_path / load_paths: every supported format, and a named rejection for each bad input."""

from __future__ import annotations

import gzip
import json
import os
import re
from pathlib import Path

import pytest

from ingest.articles import first_sentence
from ingest.loaders import SUPPORTED_EXTENSIONS, load_path, load_paths
from ingest.models import Article, LoadResult
from ingest.records import ANT_SOURCES

pytestmark = pytest.mark.unit

AR_TEXT = (
    "قمة عربية في بيروت\n"
    "افتتح القادة العرب اليوم القمة العربية في بيروت بحضور ممثلين عن اثنتين وعشرين دولة.\n"
    "وقال الأمين العام للجامعة إن القمة ستصدر بيانا ختاميا؟\n"
)
EN_TEXT = "Storm hits the coast\n\nA storm hit the coast on Friday. Officials said 3.5 inches of rain fell.\n"
ISO_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+00:00")
REPO = Path(__file__).resolve().parents[2]


def write(path: Path, content: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    return path


def only_article(result: LoadResult) -> Article:
    assert result.rejections == []
    assert len(result.articles) == 1
    return result.articles[0]


def only_reason(result: LoadResult) -> str:
    assert result.articles == []
    assert len(result.rejections) == 1
    return str(result.rejections[0])


def jsonl(*records: object) -> str:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)


# --- .txt / .md -------------------------------------------------------------------------------


def test_txt_arabic(tmp_path: Path) -> None:
    path = write(tmp_path / "summit.txt", AR_TEXT)
    article = only_article(load_path(path))
    assert article.text == AR_TEXT  # unchanged, trailing newline included
    assert article.title == "قمة عربية في بيروت"
    assert article.language == "ar"
    assert article.key == article.origin == str(path.resolve())
    assert (article.source, article.published, article.url) == ("", "", "")


def test_txt_english(tmp_path: Path) -> None:
    article = only_article(load_path(write(tmp_path / "storm.txt", EN_TEXT)))
    assert article.text == EN_TEXT
    assert article.title == "Storm hits the coast"
    assert article.language == "en"


def test_md_heading_is_the_title_and_the_text_is_untouched(tmp_path: Path) -> None:
    content = "\n# قمة عربية في بيروت #\n\nافتتح القادة العرب اليوم **القمة**.\n"
    article = only_article(load_path(write(tmp_path / "note.md", content)))
    assert article.title == "قمة عربية في بيروت"
    assert article.text == content


def test_long_first_line_gives_its_first_sentence(tmp_path: Path) -> None:
    first = "هل تنجح القمة العربية في بيروت؟"
    content = first + " " + "وقال الأمين العام إن القمة ستصدر بيانا ختاميا يدعو إلى وقف إطلاق النار " * 5
    article = only_article(load_path(write(tmp_path / "long.txt", content)))
    assert article.title == first


def test_windows_1256_file_is_decoded(tmp_path: Path) -> None:
    path = write(tmp_path / "legacy.txt", AR_TEXT.encode("cp1256"))
    assert only_article(load_path(path)).text == AR_TEXT


def test_utf8_bom_is_dropped(tmp_path: Path) -> None:
    path = write(tmp_path / "bom.txt", b"\xef\xbb\xbf" + AR_TEXT.encode("utf-8"))
    assert only_article(load_path(path)).text == AR_TEXT


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"", "empty file"),
        (b"  \n\t\r\n  ", "no text"),
        ("Español: el año y la mañana.".encode("cp1252"), "cannot decode: not UTF-8 or Windows-1256 text"),
        (b"header\x00\x00\x00\x01\x02body", "binary file (not text)"),
        (b"%PDF-1.4\n1 0 obj", "binary file (not text)"),
    ],
)
def test_bad_text_files_are_rejected_by_name(tmp_path: Path, content: bytes, words: str) -> None:
    path = write(tmp_path / "bad.txt", content)
    reason = only_reason(load_path(path))
    assert reason.startswith(f"{path.resolve()}: ")
    assert words in reason


def test_file_over_the_size_limit(tmp_path: Path) -> None:
    path = write(tmp_path / "big.txt", "a" * 2_500_000)
    reason = only_reason(load_path(path, max_file_bytes=1_000_000))
    assert str(path.resolve()) in reason
    assert "2.5 MB" in reason and "1 MB limit" in reason


def test_unsupported_extension(tmp_path: Path) -> None:
    path = write(tmp_path / "report.docx", b"whatever")
    reason = only_reason(load_path(path))
    assert "report.docx" in reason
    assert "unsupported file type '.docx'" in reason
    assert all(ext in reason for ext in SUPPORTED_EXTENSIONS)
    assert "'.txt.gz'" in only_reason(load_path(write(tmp_path / "a.txt.gz", gzip.compress(b"x"))))


# --- .html ------------------------------------------------------------------------------------

HTML = """<!DOCTYPE html>
<html lang="ar"><head><meta charset="utf-8"><title>قمة عربية في بيروت | الجريدة</title>
<meta property="og:site_name" content="الجريدة">
<link rel="canonical" href="https://example.com/news/2018/04/13/summit">
<meta property="article:published_time" content="2018-04-13T10:21:29+03:00">
<script>var tracking = "SCRIPT-IN-HEAD";</script>
</head><body><nav>الرئيسية | سياسة</nav>
<article><h1>قمة عربية في بيروت</h1>
<p>افتتح القادة العرب اليوم القمة العربية في بيروت بحضور ممثلين عن اثنتين وعشرين دولة، وناقشوا ملفات الأمن.</p>
<script>document.write("SCRIPT-IN-BODY")</script>
<p>وقال الأمين العام للجامعة إن القمة ستصدر بيانا ختاميا يدعو إلى وقف إطلاق النار وتعزيز العمل العربي.</p>
</article><footer>جميع الحقوق محفوظة</footer></body></html>
"""


def test_html_main_text_and_metadata(tmp_path: Path) -> None:
    article = only_article(load_path(write(tmp_path / "page.html", HTML)))
    assert "افتتح القادة العرب اليوم القمة العربية" in article.text
    assert "وقال الأمين العام للجامعة" in article.text
    assert "SCRIPT" not in article.text and "document.write" not in article.text
    assert article.title == "قمة عربية في بيروت"
    assert article.url == article.key == "https://example.com/news/2018/04/13/summit"
    assert article.source == "الجريدة"
    assert article.published == "2018-04-13"
    assert article.language == "ar"


def test_html_without_text_is_rejected(tmp_path: Path) -> None:
    path = write(tmp_path / "empty.htm", "<html><head><script>var x = 1;</script></head><body></body></html>")
    reason = only_reason(load_path(path))
    assert "empty.htm" in reason and "no text" in reason


# --- .json ------------------------------------------------------------------------------------

ANT_RECORD = {
    "docno": "SN-1",
    "url": "https://www.skynewsarabia.com/world/1",
    "src": "skynews",
    "cat": "middleEast",
    "title": "عنوان الخبر",
    "time": "Fri, 13 Apr 2018 10:21:29 GMT",
    "author": "",
    "abstract": "",
    "text": AR_TEXT,
    "path": "SkyNews/x.txt",
}


def test_json_single_record(tmp_path: Path) -> None:
    path = write(tmp_path / "one.json", json.dumps({**ANT_RECORD, "url": ""}, ensure_ascii=False))
    article = only_article(load_path(path))
    assert article.key == article.origin == str(path.resolve())  # no url: the file path
    assert article.text == AR_TEXT
    assert (article.title, article.source) == ("عنوان الخبر", "Sky News Arabia")
    assert article.published == "2018-04-13T10:21:29+00:00"


def test_json_list_and_articles_wrapper(tmp_path: Path) -> None:
    records = [
        {"headline": "Storm", "body": EN_TEXT, "pubDate": "2018-04-13", "link": "https://bbc.com/1"},
        {"title": "no text here", "text": "   "},
        {"content": "Rain fell all day. More tomorrow.", "source": {"id": "x", "name": "Reuters"}},
    ]
    for name, payload in [("list.json", records), ("wrapped.json", {"articles": records})]:
        path = write(tmp_path / name, json.dumps(records if name == "list.json" else payload))
        result = load_path(path)
        origin = str(path.resolve())
        first, third = result.articles
        assert (first.key, first.url, first.title, first.text) == ("https://bbc.com/1",) * 2 + ("Storm", EN_TEXT)
        assert (first.published, first.source) == ("2018-04-13", "bbc.com")  # source from the url's host
        assert third.key == third.origin == f"{origin}#3"
        assert (third.title, third.source) == ("Rain fell all day", "Reuters")
        assert [str(r) for r in result.rejections] == [
            f"{origin}#2: no text (no non-empty 'text', 'content', 'body' field)"
        ]


def test_malformed_json_file(tmp_path: Path) -> None:
    path = write(tmp_path / "broken.json", '{\n  "text": "hello",\n  "title": \n}')
    reason = only_reason(load_path(path))
    assert reason.startswith(f"{path.resolve()}: malformed JSON at line 4")


def test_json_that_is_really_json_lines(tmp_path: Path) -> None:
    path = write(tmp_path / "lines.json", jsonl({"text": "one"}, {"text": "two"}))
    result = load_path(path)
    assert [a.origin for a in result.articles] == [f"{path.resolve()}:1", f"{path.resolve()}:2"]


# --- .jsonl -----------------------------------------------------------------------------------


def test_jsonl_bad_lines_are_rejected_with_line_numbers(tmp_path: Path) -> None:
    content = (
        jsonl(ANT_RECORD)  # 1
        + "\n"  # 2: blank, skipped silently
        + '{"text": "broken", \n'  # 3: malformed
        + jsonl({"title": "x", "text": ""})  # 4
        + jsonl({"text": 42})  # 5
        + jsonl(["not", "an", "object"])  # 6
        + jsonl({"text": EN_TEXT, "src": "BBC", "date": "2018-04-13"})  # 7
    )
    path = write(tmp_path / "feed.jsonl", content)
    result = load_path(path)
    origin = str(path.resolve())
    assert [a.origin for a in result.articles] == [f"{origin}:1", f"{origin}:7"]
    ant, bbc = result.articles
    assert ant.key == ANT_RECORD["url"] and ant.text == AR_TEXT
    assert bbc.key == f"{origin}#7" and bbc.source == "BBC Arabic" and bbc.text == EN_TEXT
    assert bbc.title == "Storm hits the coast"  # fallback: first sentence (line) of the text
    reasons = {r.origin: r.reason for r in result.rejections}
    assert set(reasons) == {f"{origin}:3", f"{origin}:4", f"{origin}:5", f"{origin}:6"}
    assert reasons[f"{origin}:3"].startswith("malformed JSON: Expecting property name")
    assert reasons[f"{origin}:4"].startswith("no text")
    assert reasons[f"{origin}:5"].startswith("no text")
    assert reasons[f"{origin}:6"] == "not an article: expected a JSON object"
    assert str(result.rejections[0]) == f"{origin}:3: {reasons[f'{origin}:3']}"


def test_jsonl_gz_and_ndjson(tmp_path: Path) -> None:
    content = jsonl(ANT_RECORD, {**ANT_RECORD, "url": "u2", "src": "Alarabiya"})
    for name in ("feed.jsonl.gz", "feed.ndjson.gz", "feed.json.gz"):
        path = write(tmp_path / name, gzip.compress(content.encode()))
        result = load_path(path)
        assert result.rejections == []
        assert [a.source for a in result.articles] == ["Sky News Arabia", "Al Arabiya"]
    assert len(only_article(load_path(write(tmp_path / "one.ndjson", jsonl(ANT_RECORD)))).text) > 0


def test_json_gz_with_a_list(tmp_path: Path) -> None:
    path = write(tmp_path / "list.json.gz", gzip.compress(json.dumps([ANT_RECORD]).encode()))
    assert only_article(load_path(path)).text == AR_TEXT


def test_gzip_bomb_is_rejected(tmp_path: Path) -> None:
    path = write(tmp_path / "bomb.jsonl.gz", gzip.compress(b"0" * 50_000_000, compresslevel=9))
    assert path.stat().st_size < 1_000_000
    reason = only_reason(load_path(path, max_file_bytes=1_000_000))
    assert reason == f"{path.resolve()}: compressed file expands to more than 10 MB (the limit); not loaded"


def test_gzip_bomb_of_records_keeps_nothing(tmp_path: Path) -> None:
    line = (json.dumps({"text": "x " * 45_000}) + "\n").encode()
    path = write(tmp_path / "many.json.gz", gzip.compress(line * 200))  # 18 MB unpacked
    assert "expands to more than 10 MB" in only_reason(load_path(path, max_file_bytes=1_000_000))
    path = write(tmp_path / "many.jsonl.gz", gzip.compress(line * 200))
    assert "expands to more than 10 MB" in only_reason(load_path(path, max_file_bytes=1_000_000))


def test_gzipped_nul_bytes_are_binary(tmp_path: Path) -> None:
    path = write(tmp_path / "zeros.jsonl.gz", gzip.compress(bytes(5_000_000)))
    assert only_reason(load_path(path, max_file_bytes=1_000_000)).endswith(": binary file (not text)")


def test_long_jsonl_line_is_rejected_alone(tmp_path: Path) -> None:
    content = jsonl({"text": "short"}, {"text": "y" * 5000}, {"text": "after"})
    path = write(tmp_path / "long.jsonl", content)
    result = load_path(path, max_file_bytes=1000)
    assert [a.text for a in result.articles] == ["short", "after"]
    assert [str(r) for r in result.rejections] == [f"{path.resolve()}:2: line is longer than the 1 KB limit"]


def test_truncated_gzip_keeps_what_was_read(tmp_path: Path) -> None:
    data = gzip.compress(jsonl(*({"text": f"record {i}"} for i in range(2000))).encode())
    path = write(tmp_path / "cut.jsonl.gz", data[: len(data) // 2])
    result = load_path(path)
    assert 0 < len(result.articles) < 2000
    assert [r.origin for r in result.rejections] == [str(path.resolve())]
    assert "gzip file is truncated or corrupt" in result.rejections[0].reason
    assert "not a valid gzip file" in only_reason(load_path(write(tmp_path / "fake.jsonl.gz", b"plain")))


# --- folders and several paths ------------------------------------------------------------------


def test_folder_is_walked_recursively_in_order(tmp_path: Path) -> None:
    root = tmp_path / "corpus"
    write(root / "b.txt", EN_TEXT)
    write(root / "a" / "z.md", "# Z\nبعض النص")
    write(root / "a" / "deeper" / "x.txt", AR_TEXT)
    write(root / ".hidden.txt", "hidden")
    write(root / ".git" / "c.txt", "hidden too")
    write(root / "a" / "scan.pdf", b"%PDF-1.4")
    outside = write(tmp_path / "outside.txt", "secret")
    os.symlink(outside, root / "link_out.txt")
    os.symlink(root / "b.txt", root / "link_in.txt")  # same file: loaded once
    os.symlink(tmp_path, root / "dir_out")

    result = load_path(root)
    root = root.resolve()
    loaded = [Path(a.origin).relative_to(root).as_posix() for a in result.articles]
    assert loaded == ["a/deeper/x.txt", "a/z.md", "b.txt"]
    reasons = sorted(str(r) for r in result.rejections)
    assert reasons == [
        f"{root / 'a' / 'scan.pdf'}: {reasons[0].split(': ', 1)[1]}",
        f"{root / 'dir_out'}: link points outside the folder",
        f"{root / 'link_out.txt'}: link points outside the folder",
    ]
    assert "unsupported file type '.pdf'" in reasons[0]


def test_load_paths_and_missing_path(tmp_path: Path) -> None:
    a = write(tmp_path / "a.txt", AR_TEXT)
    missing = tmp_path / "nope" / "b.jsonl"
    result = load_paths([a, missing, str(a)])
    assert [x.text for x in result.articles] == [AR_TEXT, AR_TEXT]
    assert [str(r) for r in result.rejections] == [f"{missing}: no such file or folder"]


def test_empty_folder(tmp_path: Path) -> None:
    assert "empty folder" in only_reason(load_path(tmp_path))


def test_first_sentence() -> None:
    assert first_sentence("  U.S. forces left. Then more.") == "U.S. forces left"
    assert first_sentence("هل انتهت الحرب؟ قال المسؤول") == "هل انتهت الحرب؟"
    assert first_sentence("It cost 3.5 million\nsecond line") == "It cost 3.5 million"
    long = first_sentence("كلمة " * 100)
    assert len(long) <= 120 and long.endswith("…")


# --- the real ANT corpus ----------------------------------------------------------------------


def _ant_file() -> Path | None:
    for base in (REPO / "shared", REPO.parent / "shared"):
        path = base / "data" / "ant" / "ant_middleeast_international.jsonl.gz"
        if path.is_file():
            return path
    return None


def test_first_50_lines_of_the_ant_corpus(tmp_path: Path) -> None:
    source = _ant_file()
    if source is None:
        pytest.skip("shared/data/ant/ant_middleeast_international.jsonl.gz is not here")
    with gzip.open(source, "rb") as f:
        lines = [next(f) for _ in range(50)]
    path = write(tmp_path / "ant50.jsonl.gz", gzip.compress(b"".join(lines)))
    records = [json.loads(line) for line in lines]

    result = load_path(path)
    assert result.rejections == []
    assert len(result.articles) == 50
    for record, article in zip(records, result.articles, strict=True):
        assert article.text == record["text"]
        assert article.title == record["title"].strip()
        assert article.key == article.url == record["url"]
        assert article.source == ANT_SOURCES[record["src"].lower()]
        assert ISO_DATETIME.fullmatch(article.published)
        assert article.language == "ar"
    assert result.articles[0].published == "2018-02-18T20:16:11+00:00"  # "Mon, 19 Feb 2018 00:16:11 +0400"
