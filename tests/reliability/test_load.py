"""The short load test: 4 users ask while 30 ANT articles are ingested into the same service.

No errors, every citation verified, and afterwards every article is there exactly once, whole, in
both Chroma and the BM25 cache. The full run (8 + 2 users, 1,000 articles) is `make loadtest`."""

from __future__ import annotations

import importlib.util
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest
from conftest import PROJECT_ROOT, SAMPLE, make_settings

from assistant.service import IsnadService

pytestmark = pytest.mark.reliability


def loadtest_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("loadtest", PROJECT_ROOT / "benchmarks" / "loadtest.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["loadtest"] = module
    spec.loader.exec_module(module)
    return module


def test_users_ask_while_articles_are_ingested(tmp_path: Path, embedder) -> None:
    loadtest = loadtest_module()
    service = IsnadService.from_settings(make_settings(tmp_path / "index"), embedder=embedder)
    service.ingest_paths([SAMPLE / "seed_article_ar.json"])
    seed_chunks = service.index.stats()["chunks"]
    records = loadtest.ant_records(30)
    corpus = loadtest.write_jsonl(records, tmp_path / "ant.jsonl")
    titles = [r["title"] for r in records[:10]]

    report = loadtest.run_load(
        service, corpus, users=4, min_questions=3, max_questions=12, think_s=0.2,
        questions=loadtest.QUESTIONS + titles,
    )
    summary = report.summary()
    assert report.errors == [], report.errors
    assert summary["questions"] >= 4 * 3
    assert report.ingest["added"] == 30 and report.ingest["rejected"] == 0, report.ingest
    assert report.missing_articles == 0 and report.unexpected_articles == 0
    audit = summary["audit"]
    assert audit["consistent"] and audit["articles"] == 31 and audit["orphan_chunks"] == 0, audit
    assert audit["chunks"] == seed_chunks + report.ingest["chunks"], audit
    answered = [a for a in report.asked if a.citations]
    assert answered, "some questions were answered with citations while the ingest ran"


def test_sentence_vector_cache_under_concurrent_eviction(embedder) -> None:
    """Concurrent questions share the sentence-vector cache; entries another thread (or this call)
    evicted must not turn into KeyErrors. A cache of 4 makes every call evict."""
    texts = [f"جملة رقم {n} عن الأخبار المحلية في المدينة." for n in range(12)]
    expected = embedder.encode_passages(texts)
    size = embedder._cache_size
    embedder._cache_size = 4
    try:
        with ThreadPoolExecutor(4) as pool:
            results = list(pool.map(lambda n: embedder.encode_passages_cached(texts[n:] + texts[:n]), range(8)))
    finally:
        embedder._cache_size = size
    for n, vectors in enumerate(results):
        assert np.allclose(vectors, np.roll(expected, -n, axis=0), atol=1e-4)
