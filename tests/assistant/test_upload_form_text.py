"""The upload form's wording (no browser): what was detected in each file, what was wrong with a field,
and what indexing kept, in English and Arabic."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from assistant.ui.upload_form import MAX_LISTED, detected_markdown, field_error_text, overrides_from, uploaded_text
from ingest.metadata import BadFieldError, detect_metadata
from vectorstore.records import IngestReport

pytestmark = pytest.mark.unit


def shown(markdown: str) -> str:
    """The text a Markdown renderer shows: backslash escapes removed."""
    return re.sub(r"\\(.)", r"\1", markdown)


def wire(tmp_path: Path, records: list[dict[str, str]]) -> Path:
    path = tmp_path / "wire.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


def test_each_file_is_listed_with_its_articles_metadata_and_what_cannot_be_read(tmp_path: Path):
    story = tmp_path / "story.txt"
    story.write_text("Dam opens\nThe dam opened.\n", encoding="utf-8")
    records = wire(tmp_path, [{"title": "Bridge *closed*", "text": "The bridge closed.", "source": "bbc",
                               "date": "2018-04-13", "url": "https://bbc.example/b"}, {"title": "no text"}])
    detection = (detect_metadata([story, records]), [("huge.txt", "file is 2 MB, over the 1 MB upload limit")])
    english = shown(detected_markdown(detection, "English"))
    assert "3 file(s): 2 article(s)" in english and "each keeps its own title and link" in english
    assert "«Dam opens» — no outlet, undated, no link" in english
    assert "«Bridge *closed*» — BBC Arabic, 2018-04-13, https://bbc.example/b" in english  # shown literally
    assert "wire.jsonl:2: no text" in english and "**huge.txt**: file is 2 MB" in english
    arabic = shown(detected_markdown(detection, "العربية"))
    assert "«Dam opens» — بلا مصدر، غير مؤرخ، بلا رابط" in arabic and "عدة مقالات" in arabic


def test_a_long_file_lists_its_first_articles_and_counts_the_rest(tmp_path: Path):
    records = wire(tmp_path, [{"title": f"Story {n}", "text": f"Text number {n}."} for n in range(MAX_LISTED + 5)])
    listed = shown(detected_markdown((detect_metadata([records]), []), "English"))
    assert f"**wire.jsonl** ({MAX_LISTED + 5})" in listed
    assert f"«Story {MAX_LISTED - 1}»" in listed and f"«Story {MAX_LISTED}»" not in listed
    assert "… and 5 more" in listed


@pytest.mark.parametrize(("fields", "english", "arabic"), [
    (["", "", "31/02/2018", ""], "The published date '31/02/2018' is not a date",
     "«تاريخ النشر» (31/02/2018) ليس تاريخا"),
    (["", "", "", "javascript:alert(1)"], "The link 'javascript:alert(1)' is not a web address",
     "«الرابط» (javascript:alert(1)) ليس عنوان ويب"),
])
def test_a_bad_field_is_named_with_what_was_typed_in_both_languages(fields: list[str], english: str, arabic: str):
    with pytest.raises(BadFieldError) as caught:
        overrides_from(fields)
    in_english, in_arabic = (shown(field_error_text(caught.value, lang)) for lang in ("English", "العربية"))
    assert english in in_english and "Nothing was indexed" in in_english
    assert arabic in in_arabic and "لم يُفهرس شيء" in in_arabic


def test_the_report_says_when_typed_metadata_met_an_article_already_indexed():
    report = IngestReport(added=1, unchanged=1, chunks=2, seconds=0.4)
    assert "already indexed with the same text" in uploaded_text((report, [], True), "English")
    assert "already indexed" not in uploaded_text((report, [], False), "English")  # nothing was typed
    assert "مفهرسة من قبل" in uploaded_text((report, [], True), "العربية")
    assert uploaded_text("⚠️ failed", "English") == "⚠️ failed" and uploaded_text(None, "English") == ""
