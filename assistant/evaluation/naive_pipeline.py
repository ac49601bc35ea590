"""The naive LangChain pipeline the benchmark compares Isnad's ingest with.

What a LangChain tutorial does: ``RecursiveCharacterTextSplitter`` (1,000 characters, 200 of
overlap), ``HuggingFaceEmbeddings`` over the same rebuilt multilingual-e5-small folder (with e5's
``query: ``/``passage: `` prompts, so retrieval quality is comparable), ``Chroma.from_documents``.
No content hashing, no BM25, no sentence offsets.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ingest.models import Article

CHUNK_CHARS = 1000
OVERLAP_CHARS = 200


@dataclass
class NaiveIndex:
    store: Any  # langchain_chroma.Chroma
    chunks: int
    seconds: float


def naive_ingest(articles: Sequence[Article], model_path: Path, persist_dir: Path, batch_size: int = 32) -> NaiveIndex:
    """Split, embed and store ``articles`` the tutorial way; the article key rides in the metadata."""
    from langchain_chroma import Chroma
    from langchain_core.documents import Document
    from langchain_huggingface import HuggingFaceEmbeddings
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    embeddings = HuggingFaceEmbeddings(
        model=str(model_path),
        model_kwargs={"device": "cpu"},
        encode_kwargs={"prompt_name": "passage", "normalize_embeddings": True, "batch_size": batch_size},
        query_encode_kwargs={"prompt_name": "query", "normalize_embeddings": True},
    )
    started = time.perf_counter()
    splitter = RecursiveCharacterTextSplitter(chunk_size=CHUNK_CHARS, chunk_overlap=OVERLAP_CHARS)
    documents = splitter.split_documents(
        [Document(page_content=a.text, metadata={"key": a.key, "title": a.title}) for a in articles]
    )
    store = Chroma.from_documents(
        documents, embeddings, collection_name="naive", persist_directory=str(persist_dir)
    )
    return NaiveIndex(store, len(documents), time.perf_counter() - started)


def naive_ranking(index: NaiveIndex, question: str, k: int = 40) -> list[str]:
    """Article keys in the order their chunks come back (top 10 articles)."""
    ranking: list[str] = []
    for document in index.store.similarity_search(question, k=k):
        key = str(document.metadata.get("key", ""))
        if key and key not in ranking:
            ranking.append(key)
    return ranking[:10]
