"""The Gradio UI in a real Chromium (Debian's, headless): a conversation whose turns keep their
right-to-left citation cards, the figure chart linked to the cards, the closest passages of an
abstention marked "not an answer", the quoted evidence first in llm mode, uploads, the outlet filter,
the Markdown export, the LLM-unavailable banner, and hostile article text shown as text.

One UI is served in-process for the module over a real index (the seed article, 60 BBC Arabic
articles and a hostile article); each test gets a fresh page. ``ISNAD_SCREENSHOTS=1`` saves
screenshots into docs/screenshots/.
"""

from __future__ import annotations

import json
import os
import re
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from conftest import PROJECT_ROOT, make_settings
from llm_stub import reply_citing_a_figure, stub_llm
from local_site import RAIL_QUESTION, RAIL_TITLE, serve_site
from playwright.sync_api import Browser, Dialog, Locator, Page, expect, sync_playwright

from assistant.service import IsnadService
from assistant.ui.locale import LAUNCH_OPTIONS
from assistant.ui.page import build_ui
from assistant.ui.styles import CARD_CSS

pytestmark = pytest.mark.browser
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")  # read when the UI launches

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-quic",
]
ANSWER_MS = 120_000  # embedding on a busy 2-core CPU is slow
UI_MS = 60_000
SCREENSHOTS = PROJECT_ROOT / "docs" / "screenshots" if os.environ.get("ISNAD_SCREENSHOTS") == "1" else None
MAX_FILE_BYTES = 300_000

TROOPS_EN = "How many US troops remain in Syria?"
TROOPS_AR = "كم عدد الجنود الأمريكيين الذين بقوا في سوريا؟"
OFF_TOPIC = "What is the recipe for Neapolitan pizza dough?"  # nothing indexed answers it
PAYLOAD_SCRIPT = "<script>alert(1)</script>"
PAYLOAD_IMG = "<img src=x onerror=alert(2)>"
HOSTILE = {
    "title": f"{PAYLOAD_SCRIPT} Zebra count {PAYLOAD_IMG}",
    "text": f"The Port Velmora zebra sanctuary counted 47 zebras {PAYLOAD_IMG} this spring {PAYLOAD_SCRIPT}.\n"
            "Keepers said the herd is healthy and the new water hole is finished.",
    "source": "Test Wire <b onmouseover=alert(3)>",
    "published": "2024-05-01",
    "url": "javascript:alert(4)",
}
OASIS_TITLE = "مهرجان التمور في واحة سيوة يستقبل زواره"
OASIS_TEXT = (
    f"{OASIS_TITLE}\n"
    "أعلن منظمو مهرجان التمور السنوي في واحة سيوة أن عدد الزوار بلغ اثني عشر ألف زائر هذا العام، وهو رقم قياسي.\n"
    "وقال المنظمون إن المهرجان شهد مشاركة أكثر من مئتي مزارع من قرى الواحة.\n"
)
INJECTED = """() => ({
  imgs: document.querySelectorAll('img[src="x"]').length,
  handlers: document.querySelectorAll('[onerror], [onmouseover]').length,
  scripts: [...document.scripts].filter(s => /alert\\([12]\\)/.test(s.textContent)).length,
})"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def ui_service(tmp_path_factory: pytest.TempPathFactory, embedder, small_corpus: Path) -> Iterator[IsnadService]:
    """A fresh index of the small corpus and a hostile article; the LLM endpoint is unreachable on purpose."""
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)")
    tmp = tmp_path_factory.mktemp("ui")
    (tmp / "hostile.json").write_text(json.dumps(HOSTILE), encoding="utf-8")
    settings = make_settings(
        tmp / "index", mode="extractive", max_file_bytes=MAX_FILE_BYTES,
        llm_provider="openai", llm_base_url="http://127.0.0.1:9/v1",  # nothing listens on port 9
    )
    service = IsnadService.from_settings(settings, embedder=embedder)
    report = service.ingest_paths([small_corpus, tmp / "hostile.json"])
    assert report.added == 62 and not report.rejected, report
    yield service
    service.close()


@contextmanager
def served(service: IsnadService) -> Iterator[str]:
    """The UI over ``service`` on a free local port, while the block runs."""
    ui = build_ui(service)
    port = free_port()
    ui.queue().launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, css=CARD_CSS, quiet=True,
                      **LAUNCH_OPTIONS)
    try:
        yield f"http://127.0.0.1:{port}/"
    finally:
        ui.close()


@pytest.fixture(scope="module")
def ui_url(ui_service: IsnadService) -> Iterator[str]:
    with served(ui_service) as url:
        yield url


@pytest.fixture(scope="module")
def site() -> Iterator[str]:
    """A small Arabic news site with an RSS feed, on 127.0.0.1 (no internet here)."""
    with serve_site() as base:
        yield base


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@dataclass
class UI:
    """A page of the app, the dialogs it opened, and the few gestures the tests need."""

    page: Page
    dialogs: list[str] = field(default_factory=list)
    turns: int = 0  # questions asked in this page's conversation

    def ask(self, question: str) -> None:
        """Ask ``question`` as the conversation's next turn and wait for its final answer."""
        page = self.page
        page.fill("#question textarea", question)
        page.click("#ask")
        self.turns += 1
        answer = f'#citations [data-turn="{self.turns}"]'
        done = page.wait_for_selector(
            f'{answer}[data-state="done"] .isnad-searched, {answer} .isnad-error', timeout=ANSWER_MS
        )
        assert done is not None and "isnad-error" not in (done.get_attribute("class") or ""), done and done.inner_text()

    def cards(self) -> Locator:
        """The answers' citation cards (newest turn first), not the closest passages of an abstention."""
        return self.page.locator("#citations .isnad-card:not(.isnad-closest .isnad-card)")

    def turn(self, n: int) -> Locator:
        return self.page.locator(f'#citations [data-turn="{n}"]')

    def bubbles(self, role: str) -> Locator:
        """The chat's messages from ``role`` ("user" or "bot"), in order."""
        return self.page.locator(f"#chat .message-row.{role}-row")

    def choose_outlet(self, outlet: str) -> None:
        """Pick ``outlet`` in the Ask tab's list, where it is shown with its article count."""
        self.page.click("#outlets input")
        self.page.get_by_role("option", name=re.compile(rf"^{re.escape(outlet)} \(\d[\d,]*\)$")).click()
        self.page.click("h1")  # closes the list
        expect(self.page.locator("#outlets")).to_contain_text(outlet)

    def record_progress(self) -> None:
        """Keep every progress line the citation panel shows, in ``window.isnadSeen``."""
        self.page.wait_for_selector("#citations", state="attached", timeout=UI_MS)  # Gradio may still be rendering
        self.page.evaluate("""() => {
          window.isnadSeen = [];
          const panel = document.querySelector('#citations');
          new MutationObserver(() => panel.querySelectorAll('.isnad-progress li').forEach(
            li => window.isnadSeen.push(li.textContent))).observe(panel, {subtree: true, childList: true});
        }""")

    def choose_mode(self, mode: str, where: str = "#mode") -> None:
        """Choose the answer mode ``mode`` ("llm" or "extractive") by its value, whatever its name."""
        self.page.locator(f'{where} label:has(input[value="{mode}"])').click()

    def library(self) -> None:
        self.page.get_by_role("tab", name="Library").click()
        self.page.wait_for_selector("#library-table [role=gridcell]", timeout=UI_MS)

    def upload(self, *paths: Path) -> None:
        """Drop ``paths`` on the Library's upload zone, wait for what was detected in them, and index them
        with the metadata as detected."""
        self.page.set_input_files("#upload input[type=file]", [str(p) for p in paths])
        expect(self.page.locator("#upload-detected")).to_contain_text(paths[-1].name, timeout=UI_MS)
        self.page.click("#upload-index")

    def search_library(self, text: str) -> None:
        self.page.fill("#library-search textarea", text)
        self.page.press("#library-search textarea", "Enter")

    def screenshot(self, name: str) -> None:
        if SCREENSHOTS is not None:
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            if self.page.locator("#figure-chart").is_visible():  # the chart is drawn a moment after it shows
                expect(self.page.locator('#figure-chart svg [aria-roledescription="point"]').first).to_be_visible()
            self.page.screenshot(path=str(SCREENSHOTS / name), full_page=True)


@contextmanager
def opened(browser: Browser, url: str) -> Iterator[UI]:
    """A fresh page of the app at ``url``, ready for a question."""
    context = browser.new_context(viewport={"width": 1280, "height": 1000}, accept_downloads=True)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=url.rstrip("/"))
    context.set_default_timeout(UI_MS)
    page = context.new_page()
    ui = UI(page)

    def on_dialog(dialog: Dialog) -> None:
        ui.dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    page.goto(url)
    page.wait_for_selector("#question textarea")
    expect(page.locator("#status")).to_contain_text("articles")
    try:
        yield ui
    finally:
        context.close()


@pytest.fixture
def ui(browser: Browser, ui_url: str) -> Iterator[UI]:
    with opened(browser, ui_url) as page:
        yield page


def test_english_question_gets_an_answer_with_rtl_arabic_quotes(ui: UI):
    ui.ask(TROOPS_EN)
    assert "searched: all outlets" in ui.page.inner_text("#chat")
    card = ui.cards().first
    quote = card.locator(".quote")
    assert quote.evaluate("el => getComputedStyle(el).direction") == "rtl"
    assert any("\u0600" <= ch <= "\u06ff" for ch in quote.inner_text())
    assert card.locator(".isnad-badge-ok").count() == 1

    card.locator("button.copy-quote").click()  # the quote with its source, ready to paste
    expect(card.locator("button.copy-quote")).to_have_text("copied ✓")
    outlet, date = card.locator(".outlet").text_content(), card.locator(".date").text_content()
    link = card.locator("a").get_attribute("href") if card.locator("a").count() else "no link"
    assert ui.page.evaluate("navigator.clipboard.readText()") == f"«{quote.text_content()}» — {outlet}, {date}, {link}"
    card.locator("button.copy-quote-only").click()
    expect(card.locator("button.copy-quote-only")).to_have_text("copied ✓")
    assert ui.page.evaluate("navigator.clipboard.readText()") == quote.text_content()

    card.locator("details.article summary").click()  # the whole article, the quote highlighted
    article = card.locator(".article-text")
    expect(article).to_be_visible()
    assert article.locator("mark").text_content() == quote.text_content()
    assert len(article.text_content() or "") > len(quote.text_content() or "")
    ui.screenshot("chat.png")
    assert ui.dialogs == []


def test_uploaded_article_is_listed_and_then_cited(ui: UI, tmp_path: Path):
    story = tmp_path / "siwa.txt"
    story.write_text(OASIS_TEXT, encoding="utf-8")
    ui.library()
    ui.upload(story)
    expect(ui.page.locator("#upload-report")).to_contain_text("added 1", timeout=ANSWER_MS)
    expect(ui.page.locator("#status")).to_contain_text("63 articles")
    ui.search_library("سيوة")
    expect(ui.page.locator("#library-table")).to_contain_text(OASIS_TITLE)

    ui.page.get_by_role("tab", name="Ask").click()
    ui.ask("كم عدد زوار مهرجان التمور في واحة سيوة؟")
    titles = ui.cards().locator(".title").all_text_contents()
    assert OASIS_TITLE in titles, titles


def test_hostile_article_text_is_shown_as_text(ui: UI):
    ui.ask("How many zebras did the Port Velmora sanctuary count?")
    card = ui.cards().filter(has_text="Zebra count").first
    # It failed once in CI (no such card within the timeout, cause unknown): say what was shown instead.
    assert card.count() == 1, ui.page.inner_text("#citations")[:2000]
    assert card.locator(".title").text_content() == HOSTILE["title"]
    assert card.locator(".outlet").text_content() == HOSTILE["source"]
    assert PAYLOAD_IMG in (card.locator(".quote").text_content() or "")
    assert card.locator("a").count() == 0  # the javascript: URL is not linked
    card.locator("details.passage-box summary").click()
    card.locator("details.article summary").click()
    assert PAYLOAD_SCRIPT in ui.page.inner_text("#chat")  # the chat bubble quotes it literally

    ui.library()
    ui.search_library("Zebra")
    expect(ui.page.locator("#library-table")).to_contain_text(HOSTILE["title"])
    ui.page.wait_for_timeout(1000)  # give any injected handler the chance to fire
    assert ui.page.evaluate(INJECTED) == {"imgs": 0, "handlers": 0, "scripts": 0}
    assert ui.dialogs == []


def test_outlet_filter_restricts_the_cards(ui: UI):
    ui.choose_outlet("BBC Arabic")
    ui.ask(TROOPS_AR)
    outlets = ui.cards().locator(".outlet").all_text_contents()
    assert outlets and set(outlets) == {"BBC Arabic"}, outlets
    assert "searched: BBC Arabic" in ui.page.inner_text("#citations")


def test_export_gives_markdown_with_citations(ui: UI):
    ui.ask(TROOPS_AR)
    outlet = ui.cards().first.locator(".outlet").text_content() or ""
    ui.page.get_by_text("Export as Markdown").click()
    code = ui.page.locator("#export .cm-content")
    expect(code).to_contain_text("[1]")
    assert outlet and outlet in code.inner_text()
    with ui.page.expect_download() as download:
        ui.page.click("#download-md")
    text = Path(download.value.path()).read_text(encoding="utf-8")
    assert download.value.suggested_filename.endswith(".md")
    assert "[1]" in text and outlet in text and "**Sources**" in text


def test_upload_limits_and_bad_files_are_reported(ui: UI, tmp_path: Path):
    big = tmp_path / "huge.txt"
    big.write_text("خبر طويل جدا. " * (MAX_FILE_BYTES // 10), encoding="utf-8")
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    ui.library()
    ui.upload(big, empty)
    report = ui.page.locator("#upload-report")
    expect(report).to_contain_text("rejected 2", timeout=ANSWER_MS)
    assert "huge.txt" in report.inner_text() and "upload limit" in report.inner_text()
    assert "empty.txt" in report.inner_text() and "added 0" in report.inner_text()


def test_deleting_an_article_removes_it_from_the_library_and_answers(ui: UI, tmp_path: Path):
    story = tmp_path / "ferry.txt"
    story.write_text("Quillon river ferry opens\nThe Quillon river ferry carried 311 passengers on its first day.\n",
                     encoding="utf-8")
    ui.library()
    ui.upload(story)
    expect(ui.page.locator("#upload-report")).to_contain_text("added 1", timeout=ANSWER_MS)
    ui.search_library("Quillon")
    row = ui.page.locator("#library-table [role=gridcell]", has_text="Quillon river ferry opens")
    row.first.click()
    expect(ui.page.locator("#delete-id textarea")).not_to_have_value("")
    ui.page.click("#delete")  # asks first, naming what would go
    confirm = ui.page.locator("#delete-report")
    expect(confirm).to_contain_text("Remove Quillon river ferry opens (undated, 1 chunks) from the index?")
    ui.page.click("#delete-no")
    expect(ui.page.locator("#delete-yes")).to_be_hidden()
    expect(row).to_have_count(1)  # cancelled: still there
    ui.page.click("#delete")
    ui.page.click("#delete-yes")
    expect(confirm).to_contain_text("Removed Quillon river ferry opens (undated) from the index.")
    expect(row).to_have_count(0)
    expect(ui.page.locator("#delete-id textarea")).to_have_value("")  # the form is cleared
    expect(ui.page.locator("#delete-yes")).to_be_hidden()

    ui.page.get_by_role("tab", name="Ask").click()
    ui.ask("How many passengers did the Quillon river ferry carry?")
    titles = ui.page.locator("#citations .isnad-card .title").all_text_contents()  # the closest passages too
    assert "Quillon river ferry opens" not in titles, titles


def test_banner_when_the_llm_is_unavailable(ui: UI):
    ui.choose_mode("llm")
    ui.ask(TROOPS_EN)
    notice = ui.page.locator("#citations .isnad-notice")
    expect(notice).to_be_visible()
    assert "unavailable" in notice.inner_text().lower()
    assert ui.cards().count() > 0  # the quoted evidence is still there


def test_follow_up_is_rewritten_from_the_conversation(ui: UI):
    ui.ask(TROOPS_EN)
    expect(ui.page.locator("#citations .isnad-searched-for")).to_have_count(0)  # the first question stands alone
    ui.ask("and in Iraq?")
    searched_for = ui.page.locator("#citations .isnad-searched-for")
    expect(searched_for).to_have_text("Searched for: How many US troops remain in Iraq?")
    assert "Searched for: How many US troops remain in Iraq?" in ui.page.inner_text("#chat")
    assert ui.cards().count() > 0


def test_answer_progress_is_shown_as_it_happens(ui: UI):
    ui.record_progress()
    ui.ask(TROOPS_AR)
    seen = ui.page.evaluate("window.isnadSeen")
    assert any(line.startswith("Searching the indexed sources") for line in seen), seen
    assert any(" passages found in " in line for line in seen), seen
    expect(ui.page.locator("#citations .isnad-progress")).to_have_count(0)  # replaced by the checked answer
    assert "⏳" not in ui.page.inner_text("#chat")


def test_translation_toggle_needs_the_llm_and_says_when_it_is_unavailable(ui: UI):
    toggle = ui.page.locator("#translate-quotes input")
    expect(toggle).to_be_disabled()  # extractive mode: no model to translate with
    expect(ui.page.locator("#translate-quotes")).to_contain_text("needs the LLM")
    ui.choose_mode("llm")
    expect(toggle).to_be_enabled()
    toggle.check()
    ui.ask(TROOPS_AR)
    note = ui.page.locator("#citations .isnad-translation-note")
    expect(note).to_contain_text("machine translation unavailable")  # nothing listens at the LLM's address
    assert ui.cards().count() > 0 and ui.page.locator("#citations .quote-pair").count() == 0


def test_added_web_page_is_listed_and_then_cited(ui: UI, site: str):
    ui.library()
    ui.page.fill("#add-url textarea", f"{site}/news/missing.html")
    ui.page.click("#add-url-button")
    report = ui.page.locator("#url-report")
    expect(report).to_contain_text("rejected 1", timeout=ANSWER_MS)
    assert "missing.html" in report.inner_text() and "HTTP 404" in report.inner_text()

    ui.page.fill("#add-url textarea", f"{site}/news/rail.html")
    ui.page.click("#add-url-button")
    expect(report).to_contain_text("added 1", timeout=ANSWER_MS)
    ui.search_library("السكة الحديد")
    expect(ui.page.locator("#library-table")).to_contain_text(RAIL_TITLE)

    ui.page.get_by_role("tab", name="Ask").click()
    ui.ask(RAIL_QUESTION)
    titles = ui.cards().locator(".title").all_text_contents()
    assert RAIL_TITLE in titles, titles
    card = ui.cards().filter(has_text=RAIL_TITLE).first
    assert card.locator("a").get_attribute("href") == f"{site}/news/rail.html"


def test_followed_feed_is_listed_and_its_items_indexed(ui: UI, site: str):
    ui.library()
    ui.page.fill("#feed-url textarea", f"{site}/feed.xml")
    ui.page.click("#add-feed")
    report = ui.page.locator("#feed-report")
    expect(report).to_contain_text("new", timeout=ANSWER_MS)
    text = report.inner_text()
    assert "schools.html" in text and "HTTP 404" in text  # indexed from the feed's own summary
    assert "empty.html" in text and "no summary" in text
    expect(ui.page.locator("#feeds")).to_contain_text(f"{site}/feed.xml")
    ui.search_library("الفرافرة")
    expect(ui.page.locator("#library-table")).to_contain_text("تلاميذ الفرافرة")
    ui.search_library("")
    expect(ui.page.locator("#library-table")).to_contain_text("BBC Arabic")
    ui.screenshot("library.png")

    ui.page.click("#refresh-feeds")  # nothing new since
    expect(report).to_contain_text("0 new", timeout=ANSWER_MS)


def test_interface_language_switch_relabels_the_controls(ui: UI):
    ui.page.locator("#ui-language").get_by_text("العربية").click()
    expect(ui.page.get_by_role("tab", name="المكتبة")).to_be_visible()
    expect(ui.page.locator("#ask")).to_have_text("اسأل")
    expect(ui.page.locator("#question")).to_contain_text("السؤال")
    assert ui.page.evaluate("document.querySelector('.gradio-container').getAttribute('dir')") == "rtl"
    ui.ask(TROOPS_AR)  # the same controls (elem_ids) still work
    assert ui.cards().count() > 0
    ui.screenshot("arabic-interface.png")

    ui.page.locator("#ui-language").get_by_text("English").click()
    expect(ui.page.get_by_role("tab", name="Library")).to_be_visible()
    expect(ui.page.locator("#ask")).to_have_text("Ask")
    assert ui.page.evaluate("document.querySelector('.gradio-container').getAttribute('dir')") == "ltr"


def test_claim_check_shows_the_verdict_and_the_stance_of_each_source(ui: UI):
    ui.page.get_by_role("tab", name="Check a claim").click()
    ui.page.fill("#claim textarea", "About 900 US troops remain in Syria.")
    ui.page.click("#check")
    verdict = ui.page.wait_for_selector("#claim-result .isnad-verdict, #claim-result .isnad-error", timeout=ANSWER_MS)
    assert verdict is not None
    assert "isnad-verdict" in (verdict.get_attribute("class") or ""), verdict.inner_text()
    assert verdict.get_attribute("data-verdict") == "supported", verdict.inner_text()
    expect(ui.page.locator("#claim-result .verdict-name")).to_have_text("supported by the sources")
    cards = ui.page.locator("#claim-result .isnad-card")
    assert cards.count() > 0
    stances = cards.locator(".stance").all_text_contents()
    assert any(s.startswith("supports") for s in stances), stances
    quote = cards.first.locator(".quote")
    assert quote.evaluate("el => getComputedStyle(el).direction") == "rtl"
    ui.screenshot("claim.png")
    assert ui.dialogs == []


def test_a_bad_date_is_explained_not_raised(ui: UI):
    """A typo in a date field comes back as a message naming the field and the format, in the panel
    and the chat; no error dialog, no traceback."""
    ui.page.fill("#date-from textarea", "13/04/2018")
    ui.page.fill("#question textarea", TROOPS_EN)
    ui.page.click("#ask")
    error = ui.page.locator('#citations [data-turn="1"] .isnad-error')
    expect(error).to_contain_text("The from date '13/04/2018' is not a date: write it as YYYY-MM-DD", timeout=UI_MS)
    expect(ui.page.locator("#chat")).to_contain_text("is not a date")
    ui.turns = 1
    ui.page.fill("#date-from textarea", "")
    ui.ask(TROOPS_EN)  # the conversation goes on once the field is fixed
    assert ui.cards().count() > 0

    ui.page.get_by_role("tab", name="Check a claim").click()
    ui.page.fill("#claim-to textarea", "2018-02-30")
    ui.page.fill("#claim textarea", "About 900 US troops remain in Syria.")
    ui.page.click("#check")
    expect(ui.page.locator("#claim-result .isnad-error")).to_contain_text("The to date '2018-02-30' is not a date")
    assert "Traceback" not in ui.page.inner_text("body")
    assert ui.dialogs == [] and ui.page.locator(".toast-body").count() == 0


def test_the_conversation_keeps_each_turn_with_its_own_cards(ui: UI):
    ui.ask(TROOPS_EN)
    ui.ask("and in Iraq?")
    expect(ui.bubbles("user")).to_have_count(2)
    expect(ui.bubbles("bot")).to_have_count(2)
    assert ui.bubbles("user").first.inner_text().strip() == TROOPS_EN
    assert "Searched for: How many US troops remain in Iraq?" in ui.bubbles("bot").last.inner_text()
    sections = ui.page.locator("#citations section.isnad-turn")
    assert [t.get_attribute("data-turn") for t in sections.all()] == ["2", "1"]  # newest first, the first kept
    for n in (1, 2):  # each turn keeps its own cards: its citations, or the closest passages when it abstained
        ids = ui.turn(n).locator(".isnad-card").evaluate_all("cards => cards.map(card => card.id)")
        assert ids and all(i.startswith((f"t{n}-c", f"t{n}-p")) for i in ids), ids
    assert all(i.startswith("t1-c") for i in ui.turn(1).locator(".isnad-card").evaluate_all("cs => cs.map(c => c.id)"))
    assert TROOPS_EN in ui.turn(1).locator(".isnad-turn-question").inner_text()

    ui.page.get_by_text("Export as Markdown").click()  # the whole conversation, in order
    code = ui.page.locator("#export .cm-content")
    expect(code).to_contain_text("2. and in Iraq?")
    exported = code.inner_text()
    assert exported.index(f"1. {TROOPS_EN}") < exported.index("2. and in Iraq?"), exported

    ui.page.click("#new-chat")
    expect(ui.bubbles("user")).to_have_count(0)
    expect(sections).to_have_count(0)
    expect(ui.page.locator("#download-md")).to_be_disabled()
    ui.turns = 0
    ui.ask("and in Iraq?")  # a new conversation: nothing earlier to rewrite it against
    expect(ui.page.locator("#citations .isnad-searched-for")).to_have_count(0)
    expect(sections).to_have_count(1)


def test_differing_dated_figures_are_charted_and_each_point_links_to_its_card(ui: UI):
    ui.ask(TROOPS_EN)
    chart = ui.page.locator("#figure-chart")
    expect(chart).to_be_visible()
    expect(chart.locator("svg").first).to_be_visible()
    links = ui.turn(1).locator(".isnad-figures a.figure-link")
    labels = links.all_text_contents()
    dates = ui.turn(1).locator(".isnad-figures tbody td:first-child").all_text_contents()
    assert len(labels) >= 2 and len(set(dates)) >= 2 and dates == sorted(dates), (labels, dates)
    points = chart.locator('svg [aria-roledescription="point"]').evaluate_all(
        "marks => marks.map(mark => mark.getAttribute('aria-label'))")
    assert len(points) == len(labels), points  # one point per source, each labelled "[n] outlet, date"
    for text in labels:
        assert any(f"source: {text};" in point for point in points), (text, points)
        assert text in (chart.locator("svg").first.text_content() or "")  # and in the legend
    for link in links.all():
        anchor = (link.get_attribute("href") or "").removeprefix("#")
        card = ui.page.locator(f"#citations #{anchor}")
        n, place = (link.text_content() or "").split("] ", 1)
        outlet, date = place.rsplit(", ", 1)
        assert card.get_attribute("data-n") == n.removeprefix("[") and anchor.startswith("t1-c")
        assert card.locator(".outlet").text_content() == outlet and card.locator(".date").text_content() == date
    links.first.click()
    target = links.first.get_attribute("href")
    assert ui.page.evaluate("document.querySelector(':target')?.id") == (target or "").removeprefix("#")
    ui.screenshot("chart.png")

    ui.page.get_by_text("Export as Markdown").click()
    expect(ui.page.locator("#export .cm-content")).to_contain_text("| date | figure | source |")
    ui.ask(OFF_TOPIC)  # no figures in this answer: no chart for it
    expect(chart).to_be_hidden()


def test_an_abstention_shows_the_closest_passages_marked_not_an_answer(ui: UI):
    ui.ask(OFF_TOPIC)
    closest = ui.turn(1).locator(".isnad-closest")
    expect(closest).to_be_visible()
    expect(closest.locator(".closest-title")).to_have_text("Closest passages — not an answer")
    assert closest.locator(".isnad-card").count() > 0
    assert closest.evaluate("el => getComputedStyle(el).borderStyle") == "dashed"  # set apart from answers
    assert ui.cards().count() == 0  # nothing is presented as the answer's evidence
    assert "not found" in ui.bubbles("bot").last.inner_text().lower()
    assert "not an answer" in ui.bubbles("bot").last.inner_text()
    ui.screenshot("not-an-answer.png")


def test_llm_mode_shows_the_quoted_evidence_first_then_the_checked_answer(browser: Browser, ui_service: IsnadService):
    """The model takes its time (a scripted endpoint held back by the test): the quoted evidence and its
    cards are on screen while it drafts, then the checked answer replaces it."""
    release = threading.Event()
    script = reply_citing_a_figure("ar")

    def held_back(body: dict) -> str:
        release.wait(ANSWER_MS / 1000)
        return script(body)

    with stub_llm("scripted", held_back) as stub:
        settings = make_settings(ui_service.index.data_dir, mode="llm", llm_provider="openai",
                                 llm_base_url=stub.base_url)
        service = IsnadService(settings, ui_service.embedder, ui_service.index)
        try:
            with served(service) as url, opened(browser, url) as ui:
                ui.page.fill("#question textarea", TROOPS_AR)
                ui.page.click("#ask")
                working = ui.turn(1)
                expect(working.locator(".isnad-card").first).to_be_visible(timeout=ANSWER_MS)
                assert working.get_attribute("data-state") == "working"
                expect(ui.bubbles("bot").last).to_contain_text("Drafting an answer with the LLM")
                assert "»" in ui.bubbles("bot").last.inner_text()  # the quoted evidence, while the model drafts
                release.set()
                ui.page.wait_for_selector('#citations [data-turn="1"][data-state="done"]', timeout=ANSWER_MS)
                expect(ui.bubbles("bot").last).to_contain_text("ذكرت المصادر أن العدد")
                assert "⏳" not in ui.bubbles("bot").last.inner_text() and ui.cards().count() > 0
                assert stub.bodies, "the model was never asked"
        finally:
            release.set()
            service.close()
