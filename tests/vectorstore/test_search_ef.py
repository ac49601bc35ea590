"""The chunk collection searches with a wide HNSW candidate list (``SEARCH_EF``), also an index made
before it was set, so that the nearest chunks, and the answer built on them, are the same in every
process (real embedded Chroma, the real e5 model)."""

from __future__ import annotations

from pathlib import Path

import pytest

from vectorstore.chroma_store import SEARCH_EF, open_chroma_client
from vectorstore.news_index import NewsIndex

pytestmark = pytest.mark.integration


def ef_search(data: Path) -> int:
    client = open_chroma_client(data)
    return int(client.get_collection("isnad_chunks").configuration_json["hnsw"]["ef_search"])


def test_a_new_index_searches_with_the_wide_candidate_list(tmp_path: Path, embedder) -> None:
    NewsIndex(open_chroma_client(tmp_path), embedder, tmp_path)
    assert ef_search(tmp_path) == SEARCH_EF > 100


def test_an_index_made_with_chromas_default_is_widened_on_open(tmp_path: Path, embedder) -> None:
    client = open_chroma_client(tmp_path)
    meta = {"embedding_model": embedder.name, "dimension": embedder.dimension, "schema": "1", "generation": "0"}
    client.create_collection("isnad_chunks", embedding_function=None, metadata=meta,
                             configuration={"hnsw": {"space": "cosine"}})
    assert ef_search(tmp_path) == 100  # Chroma's default
    NewsIndex(open_chroma_client(tmp_path), embedder, tmp_path)
    assert ef_search(tmp_path) == SEARCH_EF
