"""An uploaded article indexed with the metadata a person typed (real e5 model, real Chroma): stored
with it, cited with its outlet and date, found by a date filter, and able to lead a how-many answer as
the newest source; without a date it is cited as undated, never with empty brackets."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from conftest import SAMPLE, make_settings

from assistant.service import IsnadService
from ingest.metadata import ArticleOverrides, BadFieldError
from vectorstore.records import SearchFilter

FESTIVAL = (
    "مهرجان الرمان في الفيوم\n"
    "استقبل مهرجان الرمان في محافظة الفيوم ثمانية آلاف زائر هذا العام، بحسب المنظمين.\n"
    "وشارك في المهرجان أكثر من مئة مزارع من قرى المحافظة.\n"
)
FESTIVAL_AR = "كم عدد زوار مهرجان الرمان في الفيوم؟"
TROOPS = (
    "القوات الأمريكية في سوريا\n"
    "قال مسؤول في وزارة الدفاع الأمريكية إن نحو 700 جندي أمريكي ما زالوا منتشرين في شمال شرق سوريا.\n"
)
TROOPS_AR = "كم عدد الجنود الأمريكيين الذين بقوا في سوريا؟"


@pytest.fixture
def service(tmp_path: Path, embedder) -> IsnadService:
    service = IsnadService.from_settings(make_settings(tmp_path / "index"), embedder=embedder)
    assert service.ingest_paths([SAMPLE / "seed_article_ar.json"]).added == 1  # Al-Monitor, 2024-09-27: ~900
    return service


def story(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_typed_outlet_and_date_are_stored_cited_and_filtered_on(service: IsnadService, tmp_path: Path):
    typed = ArticleOverrides.from_fields(source="الفيوم اليوم", published="١٣/٠٤/٢٠١٨")  # Arabic-Indic digits
    report = service.ingest_paths([story(tmp_path, "fayoum.txt", FESTIVAL)], overrides=typed)
    assert (report.added, report.rejected) == (1, [])
    stored = [a for a in service.library() if a.source == "الفيوم اليوم"]
    assert [(a.title, a.published) for a in stored] == [("مهرجان الرمان في الفيوم", "2018-04-13")]

    answer = service.ask(FESTIVAL_AR, mode="extractive")
    first = answer.citations[0]
    assert (first.source, first.published, first.verified) == ("الفيوم اليوم", "2018-04-13", True)
    assert "ثمانية آلاف" in first.quote
    assert re.search(r"\(الفيوم اليوم[،,] 2018-04-13\) \[1\]", answer.answer), answer.answer
    april = SearchFilter(date_from=date(2018, 4, 1), date_to=date(2018, 4, 30))
    filtered = service.ask(FESTIVAL_AR, mode="extractive", flt=april)
    assert {c.doc_id for c in filtered.citations} == {stored[0].doc_id}


def test_an_article_given_a_newer_date_leads_the_how_many_answer(service: IsnadService, tmp_path: Path):
    path = story(tmp_path, "troops.txt", TROOPS)
    before = service.ask(TROOPS_AR, mode="extractive")
    assert before.citations and before.citations[0].source == "Al-Monitor"
    typed = ArticleOverrides.from_fields(source="Defense Wire", published="2025-01-15")
    assert service.ingest_paths([path], overrides=typed).added == 1
    answer = service.ask(TROOPS_AR, mode="extractive")
    lead = answer.answer.splitlines()[0]
    assert "700" in lead and "Defense Wire" in lead and "2025-01-15" in lead, answer.answer
    assert [f.value for f in answer.figures][-1] == 700 and answer.figures[-1].published == "2025-01-15"


def test_an_undated_upload_is_cited_as_undated_never_with_empty_brackets(service: IsnadService, tmp_path: Path):
    assert service.ingest_paths([story(tmp_path, "fayoum.txt", FESTIVAL)]).added == 1  # no outlet, no date
    answer = service.ask(FESTIVAL_AR, mode="extractive")
    assert (answer.citations[0].source, answer.citations[0].published) == ("", "")
    assert "()" not in answer.answer and "( " not in answer.answer
    assert re.search(r"\((undated|غير مؤرخ)\) \[1\]", answer.answer.splitlines()[0]), answer.answer


def test_a_title_for_several_articles_indexes_nothing(service: IsnadService, tmp_path: Path):
    files = [story(tmp_path, "a.txt", FESTIVAL), story(tmp_path, "b.txt", TROOPS)]
    with pytest.raises(BadFieldError, match="2 articles"):
        service.ingest_paths(files, overrides=ArticleOverrides.from_fields(title="One title"))
    assert service.index.stats()["articles"] == 1  # the seed only
    report = service.ingest_paths(files, overrides=ArticleOverrides.from_fields(source="Wire"))
    assert report.added == 2
    assert sorted(a.title for a in service.library() if a.source == "Wire") == ["القوات الأمريكية في سوريا",
                                                                               "مهرجان الرمان في الفيوم"]
