"""IsnadRetriever: Isnad's index as a LangChain retriever (real e5, real Chroma)."""

from __future__ import annotations

import pytest
from langchain_core.documents import Document
from langchain_core.runnables import RunnableLambda

from assistant.langchain_retriever import IsnadRetriever
from assistant.service import IsnadService
from vectorstore.records import SearchFilter

pytestmark = pytest.mark.integration
QUESTION = "كم عدد الجنود الأمريكيين الذين بقوا في سوريا؟"


def test_documents_carry_citation_metadata_that_points_into_the_stored_article(indexed_service: IsnadService):
    docs = IsnadRetriever(service=indexed_service, k=4).invoke(QUESTION)
    assert len(docs) == 4 and all(isinstance(d, Document) for d in docs)
    articles = indexed_service.index.get_articles(d.metadata["doc_id"] for d in docs)
    for doc in docs:
        meta = doc.metadata
        assert {"doc_id", "chunk_id", "title", "outlet", "published", "url", "start", "end", "score"} <= set(meta)
        assert articles[meta["doc_id"]].text[meta["start"] : meta["end"]] == doc.page_content
    assert "Al-Monitor" in {d.metadata["outlet"] for d in docs}  # the seed article answers this question
    assert [d.metadata["score"] for d in docs] == sorted((d.metadata["score"] for d in docs), reverse=True)


def test_filters_apply_and_the_retriever_composes_in_a_chain(indexed_service: IsnadService):
    bbc_only = IsnadRetriever(service=indexed_service, k=3, search_filter=SearchFilter(sources=("BBC Arabic",)))

    def outlets_of(docs: list[Document]) -> set[str]:
        return {d.metadata["outlet"] for d in docs}

    outlets = (bbc_only | RunnableLambda(outlets_of)).invoke("How many US troops remain in Syria?")
    assert outlets == {"BBC Arabic"}
