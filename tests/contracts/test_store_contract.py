"""One contract, two vector stores: the embedded Chroma and a real `chroma run` server behave alike
through IsnadService and its NewsIndex (ingest, list, dense and lexical search, re-ingest, delete, stats)."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import pytest
from conftest import SAMPLE, bbc_records, make_settings

from assistant.service import IsnadService

TROOPS_AR = "كم عدد الجنود الأمريكيين الذين بقوا في سوريا؟"
DENIAL = "الرحيل الفوري للقوات الأميركية"  # words of the seed article only
STORES = [
    pytest.param("embedded", marks=pytest.mark.integration),
    pytest.param("server", marks=pytest.mark.server),
]


@pytest.fixture
def store_service(request: pytest.FixtureRequest, embedder, tmp_path: Path):
    """An IsnadService over an empty index in the store named by the parameter."""
    where: dict[str, Any] = {}
    if request.param == "server":
        port = request.getfixturevalue("chroma_server")
        where = {"chroma_host": "127.0.0.1", "chroma_port": port, "collection": f"contract-{uuid.uuid4().hex[:8]}"}
    service = IsnadService.from_settings(make_settings(tmp_path / "data", **where), embedder=embedder)
    yield service
    service.close()


@pytest.fixture
def few_articles(tmp_path: Path) -> list[Path]:
    """The seed article and three BBC Arabic ones (two on US forces in Syria)."""
    bbc = tmp_path / "bbc.jsonl"
    bbc.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in bbc_records(3, 2)), encoding="utf-8")
    return [SAMPLE / "seed_article_ar.json", bbc]


def found_by(service: IsnadService, query: str) -> tuple[set[str], set[str]]:
    """The articles whose chunks the dense and the lexical search return for ``query`` (top 3 each)."""
    index = service.index
    dense = index.dense_search(service.embedder.encode_query(query).tolist(), k=3)
    lexical = index.lexical_search(query, k=3)
    assert [h.score for h in dense] == sorted((h.score for h in dense), reverse=True)
    assert all(h.chunk.text for h in dense + lexical)
    return {h.chunk.doc_id for h in dense}, {h.chunk.doc_id for h in lexical}


@pytest.mark.parametrize("store_service", STORES, indirect=True)
def test_a_store_ingests_lists_searches_skips_unchanged_and_deletes(store_service: IsnadService, few_articles):
    service = store_service
    report = service.ingest_paths(few_articles)
    assert (report.added, report.unchanged, report.rejected) == (4, 0, []), report
    stats = service.index.stats()
    assert stats == {"articles": 4, "chunks": report.chunks}

    listed = service.library()
    assert len(listed) == 4 and sum(a.chunks for a in listed) == report.chunks
    assert [a.published for a in listed] == sorted((a.published for a in listed), reverse=True)
    seed, victim = listed[0], listed[-1]
    assert seed.source == "Al-Monitor" and service.library("Al-Monitor") == [seed]

    dense, lexical = found_by(service, DENIAL)
    assert seed.doc_id in dense and seed.doc_id in lexical
    answer = service.ask(TROOPS_AR, mode="extractive")
    assert any("900" in c.quote and c.verified for c in answer.citations), answer.to_dict()

    again = service.ingest_paths(few_articles)
    assert (again.added, again.unchanged, again.chunks) == (0, 4, 0), again
    assert service.index.stats() == stats

    assert victim.doc_id in set().union(*found_by(service, victim.title))
    assert service.delete_article(victim.doc_id) and not service.delete_article(victim.doc_id)
    assert service.index.stats() == {"articles": 3, "chunks": stats["chunks"] - victim.chunks}
    assert service.article(victim.doc_id) is None and victim not in service.library()
    assert victim.doc_id not in set().union(*found_by(service, victim.title))
    kind = "chroma server" if service.settings.chroma_host else "chroma embedded"
    assert service.status()["vector_store"].startswith(kind)
