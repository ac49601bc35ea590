"""The Arabic interface in a real Chromium, for what Isnad's core writes (issue 13, part 3): a claim checked
in English and then the language switched, the seed question asked in extractive mode with its chart and
Markdown export, and every tab opened: no English word is left but article text (quotes, passages,
titles), outlet names and URLs. Fixtures come from test_ui; the word test from test_newsroom."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import test_ui
from playwright.sync_api import expect
from test_newsroom import english_words, to_arabic
from test_ui import ANSWER_MS, TROOPS_AR, UI, UI_MS

from assistant.service import IsnadService
from assistant.ui.i18n import VERDICTS

pytestmark = pytest.mark.browser
browser, ui_service, ui_url, ui = test_ui.browser, test_ui.ui_service, test_ui.ui_url, test_ui.ui  # shared fixtures

CLAIM_EN = "About 900 US troops remain in Syria."
# Every visible text node, less article text (quotes, passages, whole articles, titles, outlets, the
# library's rows), what was typed (the conversation's questions), sample questions and the language
# switch (named in both languages). The chart, the figure table and the notices are checked on screen;
# the export box's text is the downloaded file's, checked below with its quotes left out (on screen its
# editor splits a "> quote" line into pieces, so its article text cannot be told apart there).
VISIBLE_TEXT = """() => {
  const skip = '.quote, .passage, .article-text, .title, .outlet, .isnad-turn-question, #chat .user-row,'
    + ' #library-table [role=gridcell], #ui-language, .translation, #examples, #claim-examples, #export .cm-content';
  const out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const el = node.parentElement;
    const words = node.textContent.trim();
    // .sr-only: Gradio's visually hidden screen-reader status; it says the raw key "common.complete" in
    // either language for a moment after a run (Gradio's, not Isnad's wording).
    if (!words || !el || el.closest('script, style, [hidden], .hidden, .sr-only') || el.closest(skip)) continue;
    if (!el.checkVisibility({checkOpacity: true, checkVisibilityCSS: true})) continue;
    out.push(words);
  }
  return out;
}"""
# Where a text node holding one of ``words`` is: its parent element, for the failure message.
WHERE = """(words) => {
  const out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (words.some(word => node.textContent.includes(word))) out.push(node.parentElement.outerHTML.slice(0, 400));
  }
  return out;
}"""


def english_on_screen(ui: UI, allowed: set[str]) -> list[str]:
    """The English words of the visible text, each with where it is shown."""
    words = english_words(ui.page.evaluate(VISIBLE_TEXT), allowed)
    return [f"{word}: {ui.page.evaluate(WHERE, [word])}" for word in words]


def test_what_isnad_writes_is_arabic_in_the_arabic_interface(ui: UI, ui_service: IsnadService):
    """Fails when a verdict, its explanation or notice, the chart, the figure table, the export or a tab
    keeps an English word in the Arabic interface."""
    articles = ui_service.library()
    allowed = {"Isnad", "Gradio", "API"} | {a.source for a in articles if a.source}
    titles = {a.title for a in articles if a.title}
    ui.page.get_by_role("tab", name="Check a claim").click()
    ui.choose_mode("extractive", "#claim-mode")
    ui.page.fill("#claim textarea", CLAIM_EN)
    ui.page.click("#check")
    verdict = ui.page.locator("#claim-result .verdict-name")
    expect(verdict).to_be_visible(timeout=ANSWER_MS)
    english_verdict = verdict.inner_text()
    assert english_verdict in [english for english, _ in VERDICTS.values()], english_verdict

    to_arabic(ui)  # the claim checked before the switch is worded again: verdict, explanation, labels
    expect(verdict).to_have_text(re.compile("|".join(arabic for _, arabic in VERDICTS.values())), timeout=UI_MS)
    explanation = ui.page.locator("#claim-result .explanation").inner_text()
    assert re.search("[ء-ي]", explanation) and not english_words([explanation], allowed), explanation
    left = {"تحقق من ادعاء": english_on_screen(ui, allowed)}

    ui.page.get_by_role("tab", name="اسأل").click()
    ui.choose_mode("extractive")
    ui.ask(TROOPS_AR)
    expect(ui.page.locator('#figure-chart svg [aria-roledescription="point"]').first).to_be_visible(timeout=UI_MS)
    expect(ui.page.locator("#citations .isnad-figures")).to_be_visible(timeout=UI_MS)  # the figure table, checked too
    ui.page.locator("#export-box").get_by_text("تصدير المحادثة").click()
    expect(ui.page.locator("#export .cm-content")).to_contain_text("المصادر", timeout=UI_MS)
    left["اسأل"] = english_on_screen(ui, allowed | titles)
    with ui.page.expect_download() as download:
        ui.page.click("#download-md")
    exported = Path(download.value.path()).read_text(encoding="utf-8")
    assert "**المصادر**" in exported and "اقتباس موثق" in exported and "| التاريخ | الرقم | المصدر |" in exported
    left["تصدير"] = english_words([exported], allowed | titles)

    ui.page.get_by_role("tab", name="المكتبة").click()
    ui.page.wait_for_selector("#library-table [role=gridcell]")
    left["المكتبة"] = english_on_screen(ui, allowed)
    ui.page.get_by_role("tab", name="تحقق من ادعاء").click()
    expect(verdict).to_be_visible(timeout=UI_MS)
    left["تحقق من ادعاء"] += english_on_screen(ui, allowed)
    assert not any(left.values()), left
