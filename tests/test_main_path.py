"""The main path with real parts: the e5 model rebuilt offline, embedded Chroma, BM25, citations."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import CACHE_DIR, PROJECT_ROOT, make_settings

from assistant.service import IsnadService
from vectorstore.chroma_store import open_chroma_client
from vectorstore.errors import IndexMismatchError
from vectorstore.news_index import NewsIndex
from vectorstore.records import SearchFilter

pytestmark = pytest.mark.integration

TROOPS_EN = "How many US troops remain in Syria?"
TROOPS_AR = "كم عدد الجنود الأمريكيين الذين بقوا في سوريا؟"
CONTRACT = {"question", "language", "mode", "answer", "abstained", "citations", "timings"}
CITATION_KEYS = {"n", "doc_id", "title", "source", "published", "url", "quote", "start", "end", "passage", "verified"}


def seed_troops_citation(answer):
    return next((c for c in answer.citations if "900 جندي" in c.quote and c.source == "Al-Monitor"), None)


def test_arabic_troops_question_cites_the_seed_sentence_verified(indexed_service: IsnadService):
    question = TROOPS_AR
    answer = indexed_service.ask(question, mode="extractive")
    assert not answer.abstained
    cited = seed_troops_citation(answer)
    assert cited is not None, [c.quote for c in answer.citations]
    assert cited.n in (1, 2)
    assert cited.verified
    assert "900" in answer.answer
    article = indexed_service.index.get_articles([cited.doc_id])[cited.doc_id]
    assert article.text[cited.start : cited.end] == cited.quote
    assert cited.quote in cited.passage
    assert answer.language == "ar"


def test_english_question_gets_verified_arabic_evidence_without_an_llm(indexed_service: IsnadService):
    answer = indexed_service.ask(TROOPS_EN, mode="extractive")
    assert answer.language == "en" and not answer.abstained
    assert answer.citations and all(c.verified for c in answer.citations)
    assert all("سوري" in c.passage for c in answer.citations)



@pytest.mark.parametrize("question", [TROOPS_EN, TROOPS_AR], ids=["en", "ar"])
def test_the_newest_figure_leads_and_the_2018_figure_is_earlier(indexed_service: IsnadService, question: str):
    """The flagship question: its first line is the seed's 900 (Al-Monitor, 2024), cited verified as
    [1]; BBC Arabic's 2018 figure of 2,000 follows as earlier, dated and cited; the figures' history
    comes with the answer, oldest first."""
    answer = indexed_service.ask(question, mode="extractive")
    first, earlier = answer.answer.splitlines()[:2]
    assert first.startswith(("About 900 troops (Al-Monitor, 2024-09-27) [1]",
                             "نحو 900 جندي (Al-Monitor، 2024-09-27) [1]")), answer.answer
    lead = answer.citations[0]
    assert lead.source == "Al-Monitor" and "900" in lead.quote and lead.verified
    assert earlier.startswith(("Earlier: ", "وقبل ذلك: ")) and "2,000" in earlier, answer.answer
    n_2000 = next(c.n for c in answer.citations if c.published.startswith("2018") and "2000" in c.quote)
    assert f"[{n_2000}]" in earlier and answer.citations[n_2000 - 1].verified
    points = [(p.value, p.published[:4], p.n) for p in answer.figures]
    assert points[-1] == (900, "2024", 1) and (2000, "2018", n_2000) in points, answer.figures
    assert [p.published for p in answer.figures] == sorted(p.published for p in answer.figures)


def test_answer_follows_the_json_contract(indexed_service: IsnadService):
    data = indexed_service.ask(TROOPS_AR, mode="extractive").to_dict()
    assert set(data) >= CONTRACT
    assert data["citations"] and all(set(c) >= CITATION_KEYS for c in data["citations"])
    assert [c["n"] for c in data["citations"]] == list(range(1, len(data["citations"]) + 1))
    json.dumps(data, ensure_ascii=False)


@pytest.mark.parametrize(
    "question",
    ["What is the recipe for a chocolate cake?", "ما هي أفضل طريقة لزراعة الطماطم في الحديقة؟"],
)
def test_questions_the_sources_do_not_answer_are_abstained(indexed_service: IsnadService, question):
    answer = indexed_service.ask(question, mode="extractive")
    assert answer.abstained
    assert answer.citations == []


def test_outlet_filter_restricts_citations(indexed_service: IsnadService):
    answer = indexed_service.ask(TROOPS_AR, mode="extractive", flt=SearchFilter(sources=("BBC Arabic",)))
    assert answer.citations and {c.source for c in answer.citations} == {"BBC Arabic"}
    assert answer.searched.startswith("BBC Arabic")


def test_reingest_adds_nothing(indexed_service: IsnadService, small_corpus: Path):
    before = indexed_service.index.stats()
    report = indexed_service.ingest_paths([small_corpus])
    assert (report.added, report.replaced, report.unchanged) == (0, 0, 61)
    assert indexed_service.index.stats() == before


def test_changed_article_replaces_its_old_chunks_in_both_indexes(embedder, tmp_path: Path):
    service = IsnadService.from_settings(make_settings(tmp_path / "idx"), embedder=embedder)
    story = tmp_path / "story.txt"
    story.write_text("Officials said 300 engineers work at the harbour plant.\nIt opened in 2019.", encoding="utf-8")
    first = service.ingest_paths([story])
    story.write_text("Officials said 450 engineers work at the harbour plant.\nIt opened in 2019.", encoding="utf-8")
    second = service.ingest_paths([story])
    assert (first.added, second.replaced, second.added) == (1, 1, 0)
    assert service.index.stats()["articles"] == 1
    hits = service.index.lexical_search("engineers harbour", 10)
    assert hits and all("450" in h.chunk.text for h in hits)
    answer = service.ask("How many engineers work at the harbour plant?", mode="extractive")
    assert answer.citations and "450" in answer.citations[0].quote


def test_bad_files_are_reported_and_good_ones_still_indexed(embedder, tmp_path: Path):
    folder = tmp_path / "inbox"
    folder.mkdir()
    (folder / "good.txt").write_text("الخبر الجيد: افتتح المستشفى الجديد في الموصل اليوم.", encoding="utf-8")
    (folder / "empty.txt").write_bytes(b"")
    (folder / "binary.txt").write_bytes(b"\x00\x01\x02PNG\x00" * 50)
    (folder / "windows.txt").write_bytes("افتتحت وزارة الصحة مركزا طبيا في البصرة.".encode("cp1256"))
    (folder / "broken.jsonl").write_text('{"title": "a", "text": "نص صحيح للمقال الأول."}\n{"title": \n',
                                         encoding="utf-8")
    service = IsnadService.from_settings(make_settings(tmp_path / "idx"), embedder=embedder)
    report = service.ingest_paths([folder])
    reasons = {Path(r.origin.split(":")[0]).name: r.reason for r in report.rejected}
    assert set(reasons) == {"empty.txt", "binary.txt", "broken.jsonl"}
    assert "empty" in reasons["empty.txt"] and "binary" in reasons["binary.txt"]
    assert report.added == 3  # good.txt, windows.txt (Windows-1256), the good JSONL line
    stored = {a.title: a for a in service.index.list_articles()}
    assert any("البصرة" in t for t in stored), stored


def test_opening_an_index_with_another_embedding_model_is_a_clear_error(indexed_service: IsnadService):
    class OtherModel:
        name = "some-other-model"
        dimension = indexed_service.embedder.dimension

    client = indexed_service.index._client
    with pytest.raises(IndexMismatchError, match="some-other-model"):
        NewsIndex(client, OtherModel(), indexed_service.index.data_dir)  # type: ignore[arg-type]


def test_cli_ingest_and_ask_json(tmp_path: Path, small_corpus: Path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("ISNAD_")}
    env.update(ISNAD_DATA_DIR=str(tmp_path / "idx"), ISNAD_MODE="extractive", ISNAD_CACHE_DIR=str(CACHE_DIR))
    seed = tmp_path / "in"
    seed.mkdir()
    shutil.copy(small_corpus / "seed_article_ar.json", seed)
    (seed / "bad.json").write_text("{not json", encoding="utf-8")
    run = [sys.executable, "-m", "assistant"]
    ingest = subprocess.run([*run, "ingest", str(seed)], env=env, capture_output=True, text=True, cwd=PROJECT_ROOT)
    assert ingest.returncode == 1, ingest.stderr
    assert "bad.json" in ingest.stderr and "added 1" in ingest.stderr
    ask = subprocess.run([*run, "ask", TROOPS_AR, "--json"], env=env, capture_output=True, text=True, cwd=PROJECT_ROOT)
    assert ask.returncode == 0, ask.stderr
    data = json.loads(ask.stdout)
    assert set(data) >= CONTRACT and data["citations"][0]["verified"]


def test_store_survives_reopening(indexed_service: IsnadService):
    data_dir = indexed_service.index.data_dir
    reopened = NewsIndex(open_chroma_client(data_dir), indexed_service.embedder, data_dir)
    assert reopened.stats() == indexed_service.index.stats()
    assert len(reopened.lexical_index()) == reopened.stats()["chunks"]
