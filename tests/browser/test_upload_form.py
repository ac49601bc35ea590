"""The Library's upload form in a real Chromium (issue 13 part 2): dropped files show what was detected
in them (title, outlet, date, link) in editable, prefilled fields; Index stores the edited values; a bad
date is named and indexes nothing; several files keep their own titles. Both interface languages.
Fixtures come from test_ui."""

from __future__ import annotations

from pathlib import Path

import pytest
import test_ui
from playwright.sync_api import expect
from test_newsroom import ALLOWED, VISIBLE_TEXT, english_words, to_arabic
from test_ui import ANSWER_MS, UI, UI_MS

from assistant.service import IsnadService

pytestmark = pytest.mark.browser
browser, ui_service, ui_url, ui = test_ui.browser, test_ui.ui_service, test_ui.ui_url, test_ui.ui  # shared fixtures

PAGE_TITLE = "قافلة مساعدات تصل إلى حلب"
PAGE = f"""<!doctype html><html lang="ar"><head><meta charset="utf-8">
<title>{PAGE_TITLE}</title>
<meta property="og:title" content="{PAGE_TITLE}">
<meta property="og:site_name" content="Aleppo Today">
<meta property="article:published_time" content="2019-03-07">
<link rel="canonical" href="https://aleppo.example/news/convoy">
</head><body><article><h1>{PAGE_TITLE}</h1>
<p>وصلت قافلة مساعدات إلى مدينة حلب صباح اليوم وعلى متنها أدوية ومواد غذائية لأربعة آلاف عائلة في الأحياء الشرقية.</p>
<p>وقال منسق القافلة إن الشاحنات الأربعين عبرت الطريق الدولي دون عوائق، وإن قافلة ثانية ستصل الأسبوع المقبل.</p>
</article></body></html>"""
FAYOUM_TITLE = "مهرجان البلح في الفيوم"
FAYOUM = f"{FAYOUM_TITLE}\nاستقبل مهرجان البلح في الفيوم ستة آلاف زائر هذا العام.\n"
FIELDS = {"title": "#upload-title", "source": "#upload-source", "published": "#upload-published", "url": "#upload-url"}


def field(ui: UI, name: str):
    return ui.page.locator(f"{FIELDS[name]} input, {FIELDS[name]} textarea").first


def library_row(ui: UI, search: str, title: str):
    """The library table's row whose title is ``title``, after searching for ``search``."""
    ui.search_library(search)
    return ui.page.locator("#library-table [role=row]", has_text=title)


def test_a_dropped_page_shows_its_metadata_and_is_indexed_with_the_edited_outlet_and_date(ui: UI, tmp_path: Path):
    page = tmp_path / "convoy.html"
    page.write_text(PAGE, encoding="utf-8")
    ui.library()
    ui.page.set_input_files("#upload input[type=file]", str(page))
    detected = ui.page.locator("#upload-detected")
    expect(detected).to_contain_text("convoy.html", timeout=UI_MS)  # trafilatura is imported on first use
    expect(detected).to_contain_text("Aleppo Today, 2019-03-07, https://aleppo.example/news/convoy")
    expect(field(ui, "title")).to_have_value(PAGE_TITLE)  # prefilled from the page's meta
    expect(field(ui, "source")).to_have_value("Aleppo Today")
    expect(field(ui, "published")).to_have_value("2019-03-07")
    expect(field(ui, "url")).to_have_value("https://aleppo.example/news/convoy")
    for name, label in (("title", "Title"), ("source", "Outlet"), ("published", "Published date"), ("url", "Link")):
        expect(ui.page.locator(FIELDS[name])).to_contain_text(label)
    assert ui.page.locator("#upload-report").inner_text().strip() == ""  # nothing indexed yet
    ui.screenshot("upload.png")

    field(ui, "source").fill("Halab News Agency")
    field(ui, "published").fill("9 March 2019")
    ui.page.click("#upload-index")
    expect(ui.page.locator("#upload-report")).to_contain_text("added 1", timeout=ANSWER_MS)
    expect(ui.page.locator("#upload-form")).to_be_hidden()  # the form is cleared for the next files
    row = library_row(ui, "Halab", PAGE_TITLE)
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Halab News Agency")
    expect(row).to_contain_text("2019-03-09")

    ui.page.get_by_role("tab", name="Ask").click()
    ui.ask("كم عدد العائلات التي حملت لها القافلة المساعدات في حلب؟")
    card = ui.cards().filter(has_text=PAGE_TITLE).first
    expect(card.locator(".outlet")).to_have_text("Halab News Agency")
    expect(card.locator(".date")).to_have_text("2019-03-09")
    assert card.locator("a").first.get_attribute("href") == "https://aleppo.example/news/convoy"


def test_in_arabic_a_bad_date_is_named_and_nothing_is_indexed_until_it_is_fixed(
    ui: UI, ui_service: IsnadService, tmp_path: Path
):
    story = tmp_path / "الفيوم.txt"  # a file name is the user's text, not the interface's
    story.write_text(FAYOUM, encoding="utf-8")
    to_arabic(ui)
    ui.page.get_by_role("tab", name="المكتبة").click()
    ui.page.wait_for_selector("#library-table [role=gridcell]")
    ui.page.set_input_files("#upload input[type=file]", str(story))
    expect(ui.page.locator("#upload-detected")).to_contain_text("بلا مصدر، غير مؤرخ، بلا رابط", timeout=UI_MS)
    expect(field(ui, "title")).to_have_value(FAYOUM_TITLE)  # a text file's first line
    expect(field(ui, "source")).to_have_value("")
    for name, label in (("title", "العنوان"), ("source", "المصدر"), ("published", "تاريخ النشر"), ("url", "الرابط")):
        expect(ui.page.locator(FIELDS[name])).to_contain_text(label)
    expect(ui.page.locator("#upload-index")).to_have_text("أضف إلى الفهرس")
    allowed = ALLOWED | set(ui_service.index.sources())
    assert english_words(ui.page.evaluate(VISIBLE_TEXT), allowed) == []

    before = ui_service.index.stats()["articles"]
    field(ui, "source").fill("الفيوم اليوم")
    field(ui, "published").fill("٢٠١٨-٠٢-٣٠")  # no 30 February
    ui.page.click("#upload-index")
    report = ui.page.locator("#upload-report")
    expect(report).to_contain_text("«تاريخ النشر» (٢٠١٨-٠٢-٣٠) ليس تاريخا")
    expect(report).to_contain_text("لم يُفهرس شيء")
    assert ui_service.index.stats()["articles"] == before
    expect(field(ui, "source")).to_have_value("الفيوم اليوم")  # kept as typed, to fix

    field(ui, "published").fill("١٣/٠٤/٢٠١٨")
    ui.page.click("#upload-index")
    expect(report).to_contain_text("أُضيف 1", timeout=ANSWER_MS)
    row = library_row(ui, "البلح", FAYOUM_TITLE)
    expect(row).to_have_count(1)
    expect(row).to_contain_text("الفيوم اليوم")
    expect(row).to_contain_text("2018-04-13")


def test_several_files_keep_their_own_titles_and_take_a_typed_outlet(ui: UI, tmp_path: Path):
    first, second = tmp_path / "bridge.txt", tmp_path / "market.md"
    first.write_text("Velmora bridge reopens\nThe Velmora bridge reopened to traffic on Monday.\n", encoding="utf-8")
    second.write_text("# Velmora market moves\nThe Velmora market moved to the old station.\n", encoding="utf-8")
    ui.library()
    ui.page.set_input_files("#upload input[type=file]", [str(first), str(second)])
    detected = ui.page.locator("#upload-detected")
    expect(detected).to_contain_text("«Velmora bridge reopens» — no outlet, undated, no link", timeout=UI_MS)
    expect(detected).to_contain_text("«Velmora market moves» — no outlet, undated, no link")
    expect(field(ui, "title")).to_be_disabled()  # a title or link names one article
    expect(field(ui, "url")).to_be_disabled()
    expect(field(ui, "source")).to_have_value("")
    field(ui, "source").fill("Velmora Courier")
    ui.page.click("#upload-index")
    expect(ui.page.locator("#upload-report")).to_contain_text("added 2", timeout=ANSWER_MS)
    ui.search_library("Velmora Courier")
    for title in ("Velmora bridge reopens", "Velmora market moves"):
        row = ui.page.locator("#library-table [role=row]", has_text=title)
        expect(row).to_have_count(1)
        expect(row).to_contain_text("Velmora Courier")
