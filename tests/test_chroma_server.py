"""A real `chroma run` server started by the test: ingest and ask through it from two services."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import free_port, make_settings

from assistant.service import IsnadService
from vectorstore.errors import StoreUnavailableError

pytestmark = pytest.mark.server


def test_two_services_share_one_chroma_server(chroma_server: int, embedder, small_corpus: Path, tmp_path: Path):
    settings = dict(chroma_host="127.0.0.1", chroma_port=chroma_server, collection="newsroom")
    writer = IsnadService.from_settings(make_settings(tmp_path / "a", **settings), embedder=embedder)
    report = writer.ingest_paths([small_corpus / "seed_article_ar.json"])
    assert report.added == 1
    # A second app process would have its own data folder (BM25 cache) and the same server.
    reader = IsnadService.from_settings(make_settings(tmp_path / "b", **settings), embedder=embedder)
    assert reader.index.stats() == writer.index.stats()
    answer = reader.ask("كم عدد الجنود الأمريكيين الذين بقوا في سوريا؟", mode="extractive")
    assert answer.citations and answer.citations[0].verified
    assert any("900" in c.quote for c in answer.citations)
    assert "chroma server" in reader.status()["vector_store"]


def test_a_server_that_is_down_is_named_in_the_error(embedder, tmp_path: Path):
    port = free_port()
    with pytest.raises(StoreUnavailableError, match=f"127.0.0.1:{port}.*ISNAD_CHROMA_HOST"):
        settings = make_settings(tmp_path, chroma_host="127.0.0.1", chroma_port=port)
        IsnadService.from_settings(settings, embedder=embedder)
