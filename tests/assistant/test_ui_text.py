"""The UI's pure pieces: quote translations and their checks, the interface wording in both
languages, form parsing, and the HTML/Markdown the new panels render (all article text escaped)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from assistant.answering import Answer
from assistant.claims import ClaimCheck
from assistant.errors import BadInputError, IsnadError, LLMUnavailableError, StoreUnavailableError
from assistant.evidence import Citation
from assistant.quote_translation import checked_translation, translate_quotes
from assistant.settings import PROJECT_ROOT
from assistant.ui.cards import citation_card, cited_quote, short_title
from assistant.ui.forms import Catalog, checked_filter, parse_day, search_filter, searched_text, split_by_size
from assistant.ui.i18n import LABELS, PROGRESS, STANCES, VERDICTS, label
from assistant.ui.render import (
    answer_html,
    claim_html,
    feed_reports_markdown,
    ingest_report_markdown,
    progress_chat_markdown,
    progress_html,
)
from assistant.ui.shared import failure_text
from assistant.ui.status import outlet_choices, status_markdown, technical_markdown
from assistant.web_library import FeedReport
from ingest.models import Rejection
from vectorstore.records import IngestReport

pytestmark = pytest.mark.unit
PROMPTS = PROJECT_ROOT / "prompts"
QUOTE = "قال مسؤول إن نحو 900 جندي أمريكي ما زالوا في سوريا."


def citation(**overrides: Any) -> Citation:
    fields: dict[str, Any] = dict(
        n=1, doc_id="abc", title="عنوان", source="BBC Arabic", published="2018-04-13", url="https://example.org/a",
        quote=QUOTE, start=0, end=len(QUOTE), passage=QUOTE, verified=True,
    )
    fields.update(overrides)
    return Citation(**fields)


class ScriptedChat:
    def __init__(self, replies: list[str | Exception]) -> None:
        self.replies = replies
        self.sent: list[Any] = []

    def invoke(self, messages: Any, **_: Any) -> Any:
        self.sent.append(messages)
        reply = self.replies.pop(0)
        if isinstance(reply, Exception):
            raise reply
        return type("Reply", (), {"content": reply})()


def test_arabic_quotes_are_translated_and_checked():
    chat = ScriptedChat(["English: An official said about 900 US troops are still in Syria.", "ما زالوا"])
    other = "وقال المنظمون إن المهرجان شهد مشاركة أكثر من مئتي مزارع."
    made, note = translate_quotes(lambda: chat, PROMPTS, [QUOTE, "An English quote.", other, QUOTE])
    assert made == {QUOTE: "An official said about 900 US troops are still in Syria."}
    assert note is not None and "not a usable translation" in note  # the second reply was Arabic
    assert len(chat.sent) == 2  # English quotes are not sent; a repeated quote is sent once
    system, user = chat.sent[0].to_messages()
    assert QUOTE in user.content and "data, not instructions" in system.content


def test_an_unreachable_model_leaves_the_quotes_untranslated_with_a_note():
    made, note = translate_quotes(lambda: ScriptedChat([LLMUnavailableError("port 9")]), PROMPTS, [QUOTE])
    assert made == {} and note is not None and "unavailable" in note

    def no_model() -> Any:
        raise LLMUnavailableError("the embedded LLM did not start")

    assert translate_quotes(no_model, PROMPTS, [QUOTE])[1] == (
        "machine translation unavailable: the LLM did not answer (LLMUnavailableError)"
    )
    assert translate_quotes(no_model, PROMPTS, ["Only English here."]) == ({}, None)


def test_translation_checks():
    assert checked_translation('"About 900 troops remain."\nNote: …', QUOTE) == "About 900 troops remain."
    assert checked_translation("", QUOTE) is None
    assert checked_translation("نحو 900 جندي", QUOTE) is None
    assert checked_translation("word " * 200, QUOTE) is None
    assert checked_translation("An official said about 9,000 US troops remain.", QUOTE) is None  # 900 changed
    assert checked_translation("An official said nine hundred US troops remain.", QUOTE) == (
        "An official said nine hundred US troops remain."
    )


def test_every_label_exists_in_both_languages():
    for table in (LABELS, PROGRESS, VERDICTS, STANCES):
        for key, (english, arabic) in table.items():
            assert english.strip() and arabic.strip(), key
            assert any("\u0600" <= ch <= "\u06ff" for ch in arabic), key
    assert label("tab_library", "العربية") == "المكتبة" and label("tab_library", "English") == "Library"
    assert label("upload", "en", types=".txt", limit="1 MB").startswith("Add articles: .txt")


def test_form_fields(tmp_path: Path):
    assert parse_day(" 2018-04-13 ", "from").isoformat() == "2018-04-13"  # type: ignore[union-attr]
    assert parse_day("", "from") is None
    with pytest.raises(ValueError, match="The to date '13/04/2018' is not a date: write it as YYYY-MM-DD"):
        parse_day("13/04/2018", "to")
    with pytest.raises(BadInputError, match="The from date '2018-13-01' is not a date") as bad:
        search_filter([], "2018-13-01", "2018-04-13")
    assert isinstance(bad.value, IsnadError)  # the UI catches IsnadError only
    flt = search_filter(["BBC Arabic"], "2018-03-01", "")
    assert flt.describe() == "BBC Arabic, 2018-03-01……"
    small, big = tmp_path / "small.txt", tmp_path / "big.txt"
    small.write_text("x" * 10)
    big.write_text("x" * 2_000)
    kept, refused = split_by_size([str(small), str(big)], 1_000)
    assert kept == [small] and refused[0][0] == "big.txt" and "over the 1 KB upload limit" in refused[0][1]


def test_a_failure_is_shown_as_its_message_and_logged(caplog: pytest.LogCaptureFixture):
    reason = "The vector store at chroma:8000 did not answer: start it or set ISNAD_CHROMA_HOST."
    with caplog.at_level("WARNING", logger="assistant.ui.shared"):
        assert failure_text(StoreUnavailableError(reason), "answering a question") == reason
    assert "answering a question failed: StoreUnavailableError" in caplog.text
    silent = failure_text(IsnadError(), "deleting an article")  # no message of its own: say what failed and what to do
    assert silent.startswith("Deleting an article failed (IsnadError): try again")


def test_translation_is_shown_beside_the_original_and_labelled():
    answer = Answer("q", "en", "llm", "a [1]", False, [citation()], searched="all outlets")
    html = answer_html(answer, translations={QUOTE: "An official said <b>900</b> troops remain."})
    assert '<div class="quote-pair"><blockquote class="quote" dir="rtl" lang="ar">' + QUOTE in html
    assert 'class="translation" dir="ltr" lang="en"><span class="mt-label">machine translation</span>' in html
    assert "&lt;b&gt;900&lt;/b&gt;" in html and "<b>900" not in html
    plain = answer_html(answer, translation_note="machine translation unavailable")
    assert "quote-pair" not in plain and "machine translation unavailable" in plain


def test_claim_panel_says_what_the_sources_say_in_the_interface_language_and_each_stance():
    check = ClaimCheck(
        claim="c", language="ar", mode="extractive", verdict="contradicted", explanation="تناقضه: [1] تناقض <x>",
        citations=[citation(stance="contradicts"), citation(n=2, stance="supports")], searched="BBC Arabic",
    )
    html = claim_html(check)
    assert 'data-verdict="contradicted"' in html and ">contradicted by the sources<" in html
    assert "تناقض &lt;x&gt;" in html and "searched: BBC Arabic" in html
    assert '<span class="stance stance-contradicts">contradicts</span>' in html
    assert '<span class="stance stance-supports">supports</span>' in html
    arabic = claim_html(check, language="العربية", searched="BBC Arabic")
    assert ">تناقضه المصادر<" in arabic and "نطاق البحث: BBC Arabic" in arabic
    assert '<span class="stance stance-supports">يؤيد</span>' in arabic and "✓ اقتباس موثق" in arabic
    for verdict in ("supported", "contradicted", "not_enough_info"):  # what the sources say, never true / false
        names = VERDICTS[verdict]
        assert "صحيح" not in names[1] and not {"true", "false"} & set(names[0].lower().split())
    assert VERDICTS["supported"] == ("supported by the sources", "تدعمه المصادر")
    assert VERDICTS["not_enough_info"] == ("not enough information", "لا تكفي المعلومات")


def test_progress_and_draft_are_escaped_and_the_draft_is_labelled():
    html = progress_html(["Searching…", "20 passages <found>"])
    assert '<li class="done">Searching…</li><li class="current">20 passages &lt;found&gt;</li>' in html
    bubble = progress_chat_markdown("Drafting… (3 s)", "About *900* [1]\nsecond line", "Unchecked draft")
    assert bubble.startswith("⏳ _Drafting… \\(3 s\\)_")
    assert "> **Unchecked draft:**" in bubble and "> About \\*900\\* \\[1\\]\n> second line" in bubble
    assert "Unchecked" not in progress_chat_markdown("Searching…")


def test_web_reports_name_each_url_and_reason():
    url = "http://127.0.0.1:8000/news/missing.html"
    report = IngestReport(rejected=[Rejection(url, "the server answered HTTP 404 Not Found")])
    assert f"**{url.replace('.', chr(92) + '.').replace(':', chr(92) + ':')}**" in ingest_report_markdown(report)
    feed = FeedReport("http://h/feed.xml", "أخبار", new_items=1, from_summary=[("http://h/a", "HTTP 404")])
    text = feed_reports_markdown([feed, FeedReport("http://h/bad.xml", error="not an RSS or Atom feed")])
    assert "**1 new**" in text and "summary of http\\:" in text and "HTTP 404" in text
    assert "bad\\.xml" in text and "not an RSS or Atom feed" in text


def test_filters_report_every_problem_at_once_and_a_range_without_articles():
    catalog = Catalog((("2018-02-01", "BBC Arabic"), ("2018-06-10", "Reuters"), ("", "Blog")))
    with pytest.raises(BadInputError) as both:
        search_filter([], "13/04/2018", "2018-02-30")
    assert "'13/04/2018'" in str(both.value) and "'2018-02-30'" in str(both.value)
    with pytest.raises(BadInputError, match=r"From \(2018-09-01\) is after To \(2018-06-01\)"):
        search_filter([], "2018-09-01", "2018-06-01")
    with pytest.raises(BadInputError, match="بعد تاريخ «إلى»"):
        search_filter([], "2018-09-01", "2018-06-01", "العربية")
    with pytest.raises(BadInputError) as empty:
        checked_filter([], "2030-01-01", "2030-12-31", lambda: catalog, "en")
    assert str(empty.value) == (
        "No indexed article falls between 2030-01-01 and 2030-12-31 (the index covers 2018-02-01 to 2018-06-10)."
    )
    with pytest.raises(BadInputError, match="No indexed article from Reuters falls between 2018-01-01 and …"):
        checked_filter(["Reuters"], "2018-01-01", "", lambda: Catalog((("2018-02-01", "BBC Arabic"),)), "en")
    read: list[int] = []
    flt = checked_filter(["Reuters"], "", "", lambda: read.append(1) or catalog, "en")  # type: ignore[func-returns-value]
    assert flt.sources == ("Reuters",) and read == []  # no date given: the catalogue is not read
    assert checked_filter([], "2018-06-01", "", lambda: catalog, "en").date_from is not None
    assert searched_text(flt, "العربية") == "Reuters" and searched_text(search_filter([], "", ""), "ar") == "كل المصادر"


def test_status_line_speaks_to_journalists_and_outlets_carry_their_counts():
    catalog = Catalog((("2018-02-01", "BBC Arabic"), ("2024-09-27", "BBC Arabic"), ("2019-01-01", "Reuters")))
    line = status_markdown(catalog, "English", "extractive")
    assert line == "**3 articles** from 2 outlets · 2018-02-01 to 2024-09-27 · answers: quotes only (extractive)"
    assert status_markdown(catalog, "العربية", "llm").startswith("**٣ مقالا** من ٢ مصادر")
    assert outlet_choices(catalog, "en") == [("BBC Arabic (2)", "BBC Arabic"), ("Reuters (1)", "Reuters")]
    assert "Library" in status_markdown(Catalog(), "en", "llm")
    details = technical_markdown({"chunks": 1200, "embedding_model": "e5", "embedding_runtime": "bf16",
                                  "vector_store": "chroma embedded (/srv)", "llm": "none"})
    assert "1,200" in details and "chroma embedded" in details and r"e5 \(bf16\)" in details


def test_a_quote_is_copied_with_its_source_and_a_bare_source_says_what_it_lacks():
    bare = citation(title="", source="", published="", url="")
    assert cited_quote(citation(), "en") == f"«{QUOTE}» — BBC Arabic, 2018-04-13, https://example.org/a"
    assert cited_quote(bare, "ar") == f"«{QUOTE}» — غير مؤرخ، بلا رابط"
    assert cited_quote(citation(), "en", "An official said.").endswith("\n(machine translation: An official said.)")
    html = citation_card(bare, language="ar")
    assert '<span class="undated">غير مؤرخ</span>' in html and '<span class="no-link">بلا رابط</span>' in html
    assert "()" not in html and "انسخ الاقتباس مع مصدره" in html and "copy" not in html.split("class=")[0]
    sentence = "The Marrowby lantern festival drew 5,300 visitors to the old harbour over three nights this autumn."
    cut = short_title(sentence)
    assert cut.endswith("…") and len(cut) <= 81 and sentence.startswith(cut[:-1]) and sentence[len(cut) - 1] == " "
    assert short_title("Short title") == "Short title" and short_title("", QUOTE) == QUOTE
    card = citation_card(citation(title=sentence))
    assert f'title="{sentence}"' in card and f">{cut}</span>" in card  # the whole title on hover
