"""``IsnadRetriever``: Isnad's index as a LangChain retriever, for use in any LangChain app.

Each ``Document`` is a retrieved passage with the metadata a citation needs: the article's id,
title, outlet, date and URL, and the passage's character offsets in the stored article
(``article[start:end] == page_content``), so a caller can quote and verify it.
"""

from __future__ import annotations

from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from assistant.query import Query
from assistant.service import IsnadService
from assistant.settings import Settings
from vectorstore.records import SearchFilter


class IsnadRetriever(BaseRetriever):
    """Hybrid retrieval over Isnad's index (dense e5 + BM25 for Arabic, sentence reranking for English)."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    service: IsnadService
    k: int = 5
    search_filter: SearchFilter | None = None

    @classmethod
    def from_settings(cls, settings: Settings, **kwargs: Any) -> IsnadRetriever:
        """A retriever over the index that ``settings`` point at (ISNAD_DATA_DIR, or a Chroma server)."""
        return cls(service=IsnadService.from_settings(settings), **kwargs)

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[Document]:
        question = Query.parse(query, self.service.settings.max_question_chars)
        result = self.service.retriever.retrieve(question, self.k, self.search_filter)
        return [
            Document(
                page_content=p.hit.chunk.text,
                id=p.hit.chunk.chunk_id,
                metadata={
                    "doc_id": p.hit.chunk.doc_id,
                    "chunk_id": p.hit.chunk.chunk_id,
                    "title": p.hit.chunk.title,
                    "outlet": p.hit.chunk.source,
                    "published": p.hit.chunk.published,
                    "url": p.hit.chunk.url,
                    "language": p.hit.chunk.language,
                    "start": p.hit.chunk.start,
                    "end": p.hit.chunk.end,
                    "score": p.fused,
                },
            )
            for p in result.passages
        ]
