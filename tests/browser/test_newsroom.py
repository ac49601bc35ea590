"""The newsroom details of the UI in a real Chromium (issue 13): an Arabic interface with no English
left, quotes copied with their source (undated / no link said so, long titles cut), filters that say
what is wrong, and the status line, counter and technical details. Fixtures come from test_ui."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import test_ui
from playwright.sync_api import expect
from test_ui import ANSWER_MS, TROOPS_AR, UI

from assistant.service import IsnadService
from assistant.stance_model import SHIPPED_NAME

pytestmark = pytest.mark.browser
browser, ui_service, ui_url, ui = test_ui.browser, test_ui.ui_service, test_ui.ui_url, test_ui.ui  # shared fixtures

ARABIC = "العربية"
# Every visible text node of the page, less what is article text (cards' quotes, passages, titles and
# outlets, the library's rows), sample questions, the language switch itself (named in both
# languages) and hidden parts (.sr-only: Gradio's screen-reader status, which says the raw key
# "common.complete" for a moment).
VISIBLE_TEXT = """() => {
  const skip = '.quote, .passage, .article-text, .title, .outlet, .isnad-turn-question, #library-table [role=gridcell],'
    + ' #ui-language, #chat .user-row, .translation, .figures-title, .isnad-figures td, #figure-chart,'
    + ' #examples, #claim-examples';  // sample questions, in both languages
  const out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const el = node.parentElement;
    const words = node.textContent.trim();
    if (!words || !el || el.closest('script, style, [hidden], .hidden, .sr-only') || el.closest(skip)) continue;
    if (!el.checkVisibility({checkOpacity: true, checkVisibilityCSS: true})) continue;
    out.push(words);
  }
  return out;
}"""
URL = re.compile(r"https?://\S+")
# Article text, quoted as published: «…» in an answer, "> …" lines in the Markdown export (not its ⚠ notices).
ARTICLE_QUOTE = re.compile(r"«[^»]*»|^ *> (?![⚠]).*$", re.M)
# The app's own name, Gradio's footer credit, and the stance model a claim's explanation names (core text).
OASIS = "مهرجان الرمان في الفيوم\nاستقبل مهرجان الرمان في الفيوم ثمانية آلاف زائر هذا العام.\n"
ALLOWED = {"Isnad", "Gradio", "API", SHIPPED_NAME}


def english_words(texts: list[str], allowed: set[str]) -> list[str]:
    """The English words left in ``texts``: Latin-letter words other than URLs, file extensions
    (.txt), ``allowed`` names (outlets, the app's name) and article text quoted as published
    (``ARTICLE_QUOTE``: an Arabic article may name "ABC")."""
    rest = URL.sub(" ", ARTICLE_QUOTE.sub(" ", "\n".join(texts)))
    for name in sorted(allowed, key=len, reverse=True):
        rest = rest.replace(name, " ")
    return re.findall(r"(?<![.\w])[A-Za-z][A-Za-z'’-]+", rest)


def to_arabic(ui: UI) -> None:
    ui.page.locator("#ui-language").get_by_text(ARABIC).click()
    expect(ui.page.get_by_role("tab", name="المكتبة")).to_be_visible()
    expect(ui.page.locator("#status")).to_contain_text("مقالا")


def index_span(service: IsnadService) -> tuple[str, str]:
    days = sorted(a.published[:10] for a in service.library() if a.published)
    return days[0], days[-1]


def test_the_arabic_interface_leaves_no_english_word_in_any_tab(ui: UI, ui_service: IsnadService, tmp_path: Path):
    allowed = ALLOWED | {s for s in ui_service.index.sources()}
    to_arabic(ui)
    assert ui.page.locator("#question textarea").get_attribute("dir") == "auto"
    placeholder = ui.page.locator("#question textarea").get_attribute("placeholder") or ""
    assert placeholder.startswith("كم عدد"), placeholder  # the Arabic example first
    ui.ask(TROOPS_AR)
    assert ui.cards().count() > 0
    left = {"اسأل": english_words(ui.page.evaluate(VISIBLE_TEXT), allowed)}
    ui.page.get_by_role("tab", name="المكتبة").click()
    ui.page.wait_for_selector("#library-table [role=gridcell]")
    expect(ui.page.locator("#library-table")).to_contain_text("العنوان")
    story = tmp_path / "dates.txt"  # an upload, then its deletion, reported in Arabic
    story.write_text(OASIS, encoding="utf-8")
    ui.upload(story)
    expect(ui.page.locator("#upload-report")).to_contain_text("أُضيف 1", timeout=ANSWER_MS)
    ui.search_library("الفيوم")
    ui.page.locator("#library-table [role=gridcell]", has_text="مهرجان الرمان").first.click()
    expect(ui.page.locator("#delete-id textarea")).not_to_have_value("")
    ui.page.click("#delete")
    expect(ui.page.locator("#delete-report")).to_contain_text("هل تحذف مهرجان الرمان في الفيوم (غير مؤرخ، ١ مقاطع)")
    left["المكتبة"] = english_words(ui.page.evaluate(VISIBLE_TEXT), allowed)
    ui.page.click("#delete-yes")
    expect(ui.page.locator("#delete-report")).to_contain_text("حُذف مهرجان الرمان في الفيوم (غير مؤرخ) من الفهرس.")
    left["المكتبة"] += english_words(ui.page.evaluate(VISIBLE_TEXT), allowed)
    ui.page.get_by_role("tab", name="تحقق من ادعاء").click()
    assert ui.page.locator("#claim textarea").get_attribute("dir") == "auto"  # follows what is typed
    ui.page.fill("#claim textarea", "انسحبت جميع القوات الأمريكية من سوريا.")
    ui.page.click("#check")
    verdict = ui.page.locator("#claim-result .verdict-name")
    expect(verdict).to_be_visible(timeout=ANSWER_MS)
    assert verdict.inner_text() in ("تدعمه المصادر", "تناقضه المصادر", "لا تكفي المعلومات")
    assert "صحيح" not in ui.page.inner_text("#claim-result")
    left["تحقق من ادعاء"] = english_words(ui.page.evaluate(VISIBLE_TEXT), allowed)
    assert not any(left.values()), left
    ui.screenshot("arabic-claim.png")


def test_a_copied_quote_carries_its_source_and_a_bare_source_says_what_it_lacks(ui: UI, tmp_path: Path):
    story = tmp_path / "lantern.txt"  # no title line, no outlet, no date, no link
    first = ("The Marrowby lantern festival drew 5,300 visitors to the old harbour over three nights this autumn, "
             "organisers said, the largest crowd since the festival began")
    story.write_text(f"{first}.\nStalls sold lanterns made by local schools.\n", encoding="utf-8")
    ui.library()
    ui.upload(story)
    expect(ui.page.locator("#upload-report")).to_contain_text("added 1", timeout=ANSWER_MS)
    ui.page.get_by_role("tab", name="Ask").click()
    ui.ask("How many visitors did the Marrowby lantern festival draw?")
    card = ui.cards().filter(has_text="Marrowby lantern festival drew").first
    title = card.locator(".title").inner_text()
    assert title.endswith("…") and len(title) <= 81 and first.startswith(title[:-1]), title  # cut at a word
    assert card.locator(".undated").inner_text() == "undated" and card.locator(".no-link").inner_text() == "no link"
    assert "()" not in card.inner_text() and "[]" not in card.inner_text()
    quote = card.locator(".quote").text_content()
    card.locator("button.copy-quote").click()
    assert ui.page.evaluate("navigator.clipboard.readText()") == f"«{quote}» — undated, no link"

    to_arabic(ui)  # the conversation so far is worded again in Arabic
    card = ui.cards().filter(has_text="Marrowby lantern festival drew").first
    expect(card.locator(".undated")).to_have_text("غير مؤرخ")
    expect(card.locator(".no-link")).to_have_text("بلا رابط")
    card.locator("button.copy-quote").click()
    expect(card.locator("button.copy-quote")).to_have_text("نُسخ ✓")
    assert ui.page.evaluate("navigator.clipboard.readText()") == f"«{quote}» — غير مؤرخ، بلا رابط"
    expect(ui.page.locator("#chat")).to_contain_text("نطاق البحث: كل المصادر")
    ui.page.get_by_role("tab", name="المكتبة").click()  # drawn in English before the switch, worded again
    expect(ui.page.locator("#upload")).to_contain_text("أسقط الملفات هنا")
    assert "Drop File" not in ui.page.locator("#upload").inner_text()


@pytest.mark.parametrize("language", ["English", ARABIC])
def test_filters_say_what_is_wrong_with_the_index_span(ui: UI, ui_service: IsnadService, language: str):
    first, last = index_span(ui_service)
    if language == ARABIC:
        to_arabic(ui)
    expect(ui.page.locator("#date-from")).to_contain_text(f"{first}")  # the span beside the date boxes
    expect(ui.page.locator("#date-from")).to_contain_text(f"{last}")
    ui.page.click("#outlets input")
    counts = ui.page.get_by_role("option").all_inner_texts()
    assert counts and all(re.search(r" \([\d٠-٩][\d٠-٩,٬]*\)$", c) for c in counts), counts
    ui.page.click("#status")

    def asked(day_from: str, day_to: str) -> str:
        ui.page.fill("#date-from textarea", day_from)
        ui.page.fill("#date-to textarea", day_to)
        ui.page.fill("#question textarea", TROOPS_AR)
        ui.page.click("#ask")
        ui.turns += 1
        error = ui.turn(ui.turns).locator(".isnad-error")
        expect(error).to_be_visible()
        return error.inner_text()

    english = language == "English"
    reversed_range = asked("2018-09-01", "2018-06-01")
    assert ("From (2018-09-01) is after To (2018-06-01)" if english else "بعد تاريخ «إلى»") in reversed_range
    both = asked("13/04/2018", "2018-02-30")
    assert "13/04/2018" in both and "2018-02-30" in both  # every invalid field at once
    empty = asked("2030-01-01", "2030-12-31")
    assert "2030-01-01" in empty and "2030-12-31" in empty and first in empty and last in empty, empty
    assert ("No indexed article" if english else "لا مقال مفهرسا") in empty
    assert "none of the indexed articles" not in ui.page.inner_text("#chat").lower()  # not the abstention


def test_status_line_speaks_to_journalists_and_a_long_question_is_refused(ui: UI, ui_service: IsnadService):
    first, last = index_span(ui_service)
    status = ui.page.locator("#status").inner_text()
    assert "articles" in status and "outlets" in status and first in status and last in status, status
    assert not re.search(r"chroma|embedd|e5|/tmp|store", status, re.I), status
    ui.page.locator("#technical").get_by_text("About / technical details").click()
    expect(ui.page.locator("#technical-details")).to_contain_text("chroma")

    limit = ui_service.settings.max_question_chars
    question = "How many US troops remain in Syria? " * (limit // 36 + 3)
    ui.page.fill("#question textarea", question)
    counter = ui.page.locator("#question-counter .isnad-counter")
    expect(counter).to_have_text(f"{len(question):,} / {limit:,} characters")
    assert "isnad-over" in (counter.get_attribute("class") or "")
    ui.page.click("#ask")
    error = ui.turn(1).locator(".isnad-error")
    expect(error).to_contain_text(f"{len(question):,} characters, the limit is {limit:,}")
    assert "ISNAD_" not in ui.page.inner_text("body")
    assert len(ui.bubbles("user").first.inner_text()) < 300  # not echoed in full
    assert ui.page.locator("#question textarea").input_value() == question  # kept, to shorten

    to_arabic(ui)
    assert re.search(r"[٠-٩]", ui.page.locator("#status").inner_text())  # counts in Arabic-Indic digits
    ui.page.fill("#question textarea", "")
    ui.page.fill("#question textarea", question)
    expect(counter).to_contain_text("حرفا")


def test_progress_is_a_quiet_line_and_the_library_table_stays_during_an_upload(ui: UI, tmp_path: Path):
    ui.page.evaluate("""() => {
      window.isnadSteps = [];
      const panel = document.querySelector('#citations');
      new MutationObserver(() => panel.querySelectorAll('.isnad-progress li.current').forEach(li => {
        const style = getComputedStyle(li);
        window.isnadSteps.push([style.fontWeight, parseFloat(style.fontSize)]);
      })).observe(panel, {subtree: true, childList: true});
    }""")
    ui.ask(TROOPS_AR)
    steps = ui.page.evaluate("window.isnadSteps")
    body = ui.page.evaluate("parseFloat(getComputedStyle(document.querySelector('#citations')).fontSize)")
    assert steps and all(int(weight) < 600 and size < body for weight, size in steps), (steps, body)
    expect(ui.page.locator("#citations .isnad-progress")).to_have_count(0)

    story = tmp_path / "harbour.txt"
    story.write_text("Harbour crane repaired\nThe Velmora harbour crane was repaired after a storm.\n",
                     encoding="utf-8")
    ui.library()
    ui.page.evaluate(r"""() => {
      window.isnadTable = [];
      const table = document.querySelector('#library-table');
      new MutationObserver(() => window.isnadTable.push(
        [table.querySelectorAll('[role=gridcell]').length, /\|\s*[\d.]+\s*s\b/.test(table.innerText)]
      )).observe(table, {subtree: true, childList: true, characterData: true});
    }""")
    ui.upload(story)
    expect(ui.page.locator("#upload-report")).to_contain_text("added 1", timeout=ANSWER_MS)
    seen = ui.page.evaluate("window.isnadTable")
    assert all(cells > 0 and not raw for cells, raw in seen), seen  # never blank, no raw "1 chunks | 1.1s"


def test_the_library_table_mirrors_in_the_arabic_interface(ui: UI):
    """Columns read right to left in Arabic: the first column (the date) moves to the right edge."""
    ui.library()
    headers = ui.page.locator("#library-table th")
    expect(headers.first).to_be_visible()

    def first_is_right_of_last() -> bool:
        first, last = headers.first.bounding_box(), headers.last.bounding_box()
        assert first and last
        return first["x"] > last["x"]

    assert not first_is_right_of_last()
    to_arabic(ui)
    expect(ui.page.locator("#library-table")).to_be_visible()
    assert ui.page.locator("#library-table table").first.evaluate("el => getComputedStyle(el).direction") == "rtl"
    assert first_is_right_of_last()
