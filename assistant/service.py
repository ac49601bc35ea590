"""IsnadService: the one object the CLI and the UI talk to. Built from settings at the edge."""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from assistant.answering import Answer, Draft, abstention, extractive_draft, llm_draft, with_other_figures
from assistant.claims import ClaimCheck, judge, llm_judge, relevant_evidence
from assistant.errors import BadQuestionError
from assistant.evidence import (
    EvidenceSentence,
    asks_for_quantity,
    candidate_sentences,
    cite,
    covers,
    rank_sentences,
)
from assistant.followup import Rewrite, standalone_question
from assistant.llm.client import ChatBackend
from assistant.quote_translation import translate_quotes
from assistant.retrieval import Retriever
from assistant.settings import Settings
from assistant.translation import translate_question
from ingest.arabic import detect_language, normalize
from ingest.loaders import load_paths
from vectorstore.embeddings import SentenceEmbedder, load_embedder
from vectorstore.records import IngestReport, SearchFilter, StoredArticle
from vectorstore.store import NewsIndex, open_chroma_client

log = logging.getLogger(__name__)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
SAMPLE_FILES = ("seed_article_ar.json", "bbc_arabic_middleeast_2018.jsonl.gz")
Progress = Callable[[int], None]
# How an answer is coming along, for a UI that shows it: ("searching", {"translating": bool}),
# ("found", {"passages": n, "articles": m}), ("drafting", {}), ("draft", {"text": the model's
# text so far, NOT yet checked}). The checked answer is what ask() returns.
AskProgress = Callable[[str, dict[str, Any]], None]


def _ignore(stage: str, detail: dict[str, Any]) -> None:
    pass


def clean_question(question: str, max_chars: int) -> str:
    """The question without control characters; empty or over-long ones are refused."""
    cleaned = _CONTROL.sub(" ", question or "").strip()
    if not cleaned:
        raise BadQuestionError("The question is empty: type a question in English or Arabic.")
    if len(cleaned) > max_chars:
        raise BadQuestionError(
            f"The question is {len(cleaned):,} characters long; the limit is {max_chars:,} "
            "(ISNAD_MAX_QUESTION_CHARS). Ask a shorter question."
        )
    return cleaned


class IsnadService:
    """Ingest, retrieve, answer with verified citations."""

    def __init__(self, settings: Settings, embedder: SentenceEmbedder, index: NewsIndex) -> None:
        self.settings = settings
        self.embedder = embedder
        self.index = index
        self.retriever = Retriever(
            index, embedder, candidates=settings.candidates, rrf_k=settings.rrf_k, hybrid=settings.hybrid,
            rerank=settings.rerank, rerank_depth=settings.rerank_depth,
        )
        self.llm = ChatBackend(settings)

    @classmethod
    def from_settings(cls, settings: Settings, embedder: SentenceEmbedder | None = None) -> IsnadService:
        s = settings
        embedder = embedder or load_embedder(
            s.embedding_model,
            s.cache_dir,
            device=s.embedding_device,
            batch_size=s.embedding_batch_size,
            dtype=s.embedding_dtype,
            query_prompt=s.query_prompt,
            passage_prompt=s.passage_prompt,
        )
        token = s.chroma_token.get_secret_value() if s.chroma_token else None
        client = open_chroma_client(s.data_dir, s.chroma_host, s.chroma_port, s.chroma_ssl, token)
        index = NewsIndex(
            client,
            embedder,
            s.data_dir,
            collection=s.collection,
            chunk_tokens=s.chunk_tokens,
            overlap_sentences=s.chunk_overlap_sentences,
            server=(s.chroma_host, s.chroma_port) if s.chroma_host else None,
        )
        return cls(settings, embedder, index)

    # ------------------------------------------------------------------ ingest
    def ingest_paths(
        self, paths: Iterable[Path], progress: Progress | None = None, on_total: Progress | None = None
    ) -> IngestReport:
        """Load and index ``paths``; ``on_total(chunks to embed)``, then ``progress(chunks embedded)``."""
        loaded = load_paths(list(paths), max_file_bytes=self.settings.max_file_bytes)
        report = self.index.ingest(loaded.articles, progress=progress, on_total=on_total)
        report.rejected.extend(loaded.rejections)
        return report

    def sample_paths(self) -> list[Path]:
        return [self.settings.sample_dir / name for name in SAMPLE_FILES]

    # ------------------------------------------------------------------ library
    def library(self, search: str = "") -> list[StoredArticle]:
        """Indexed articles (newest first), optionally those whose title/outlet/URL contain ``search``."""
        articles = self.index.list_articles()
        needle = normalize(search.strip())
        if not needle:
            return articles
        return [a for a in articles if needle in normalize(f"{a.title} {a.source} {a.url}")]

    def article(self, doc_id: str) -> StoredArticle | None:
        return self.index.get_articles([doc_id]).get(doc_id)

    def delete_article(self, doc_id: str) -> bool:
        return self.index.delete_article(doc_id)

    # ------------------------------------------------------------------ ask
    def standalone_question(self, question: str, previous: Sequence[str], mode: str | None = None) -> Rewrite:
        """A follow-up ("and in Iraq?") rewritten from the earlier questions ``previous`` into one that
        can be searched alone: by the LLM in llm mode (its output checked), else by a fixed rule."""
        s = self.settings
        question = clean_question(question, s.max_question_chars)
        llm = None if (mode or s.mode) == "extractive" else (lambda: self.llm.chat_model().bind(max_tokens=80))
        return standalone_question(question, previous, llm, s.prompts_dir, s.max_question_chars)

    def ask(
        self, question: str, mode: str | None = None, flt: SearchFilter | None = None,
        progress: AskProgress = _ignore,
    ) -> Answer:
        s = self.settings
        mode = mode or s.mode
        started = time.perf_counter()
        question, language, ranked, timings = self._evidence(question, mode, flt, progress)

        draft: Draft
        if not self._covers(ranked, language):
            draft = abstention(language)
        elif mode == "extractive":
            draft = extractive_draft(language, ranked, s.max_quotes, quantity=asks_for_quantity(question))
        else:
            mark = time.perf_counter()
            progress("drafting", {})
            streamed = None if progress is _ignore else (lambda text: progress("draft", {"text": text}))
            draft = self._llm_or_fallback(question, language, ranked, streamed)
            timings["generate"] = time.perf_counter() - mark

        articles = self.index.get_articles(x.chunk.doc_id for x in draft.sentences)
        citations = cite(draft.sentences, articles)
        timings["total"] = time.perf_counter() - started
        return Answer(
            question=question,
            language=language,
            mode=draft.mode,
            answer=draft.text,
            abstained=draft.abstained,
            citations=citations,
            timings=timings,
            notice=draft.notice,
            searched=flt.describe() if flt else "all outlets",
        )

    def check(
        self, claim: str, mode: str | None = None, flt: SearchFilter | None = None, progress: AskProgress = _ignore
    ) -> ClaimCheck:
        """Is ``claim`` supported, contradicted, or not decidable from the indexed sources?"""
        s = self.settings
        mode = mode or s.mode
        started = time.perf_counter()
        claim, language, ranked, timings = self._evidence(claim, mode, flt, progress)
        sentences = relevant_evidence(claim, ranked, self._covers(ranked, language), s.claim_evidence_sentences)
        draft = judge(claim, language, sentences)
        if mode == "llm" and sentences:
            mark = time.perf_counter()
            progress("drafting", {})
            try:
                checked, reason = llm_judge(self.llm.chat_model(), s.prompts_dir, claim, language, sentences)
            except Exception as exc:  # any LLM failure leaves the cue-based verdict
                log.warning("LLM unavailable for the claim check: %s", exc)
                checked, reason = None, f"the LLM is unavailable ({type(exc).__name__}: {exc})"
            timings["generate"] = time.perf_counter() - mark
            if checked is not None:
                draft = checked
            else:
                draft.notice = f"Showing the verdict from figures and wording instead of the model's: {reason}."
        chosen = [e.sentence for e in draft.evidence]
        articles = self.index.get_articles(x.chunk.doc_id for x in chosen)
        citations = cite(chosen, articles, [e.stance for e in draft.evidence])
        timings["total"] = time.perf_counter() - started
        return ClaimCheck(
            claim=claim,
            language=language,
            mode=draft.mode,
            verdict=draft.verdict,
            explanation=draft.explanation,
            citations=citations,
            timings=timings,
            notice=draft.notice,
            searched=flt.describe() if flt else "all outlets",
        )

    def translate_quotes(self, quotes: Sequence[str]) -> tuple[dict[str, str], str | None]:
        """English machine translations of the Arabic ``quotes`` (LLM only), for display beside the
        originals, and a note when some could not be made."""
        chat = lambda: self.llm.chat_model().bind(max_tokens=160)  # noqa: E731
        return translate_quotes(chat, self.settings.prompts_dir, quotes)

    def _evidence(
        self, text: str, mode: str, flt: SearchFilter | None, progress: AskProgress = _ignore
    ) -> tuple[str, str, list[EvidenceSentence], dict[str, float]]:
        """Clean ``text``, retrieve passages for it, and rank their sentences against it."""
        s = self.settings
        started = time.perf_counter()
        text = clean_question(text, s.max_question_chars)
        language = detect_language(text)
        timings: dict[str, float] = {}
        translations: list[str] = []
        translate = mode == "llm" and language != "ar" and s.translate_questions
        progress("searching", {"translating": translate})
        if translate:
            translated = self._translate(text)
            translations = [translated] if translated else []
            timings["translate"] = time.perf_counter() - started
        mark = time.perf_counter()
        result = self.retriever.retrieve(text, s.top_k, flt, translations)
        timings["retrieve"] = time.perf_counter() - mark
        found = {"passages": len(result.passages), "articles": len({p.hit.chunk.doc_id for p in result.passages})}
        progress("found", found)
        mark = time.perf_counter()
        ranked = rank_sentences(text, result.query_vectors, candidate_sentences(result.passages), self.embedder)
        timings["rank"] = time.perf_counter() - mark
        return text, language, ranked, timings

    def _covers(self, ranked: list[EvidenceSentence], language: str) -> bool:
        return covers(ranked, language, self.settings.min_relevance, self.settings.min_relevance_same_language)

    def _translate(self, question: str) -> str | None:
        try:
            chat = self.llm.chat_model()
        except Exception as exc:  # no LLM: retrieval goes on with the question as asked
            log.warning("No LLM for query translation: %s", exc)
            return None
        # A translation is short: a few dozen tokens at most.
        quick = chat.bind(max_tokens=60)
        return translate_question(quick, self.settings.prompts_dir, question)

    def _llm_or_fallback(
        self, question: str, language: str, ranked: list[Any], on_text: Callable[[str], None] | None = None
    ) -> Draft:
        s = self.settings
        try:
            draft, reason = llm_draft(
                self.llm.chat_model(),
                s.prompts_dir,
                question,
                language,
                ranked,
                budget_tokens=s.context_budget_tokens,
                max_evidence=s.llm_evidence_sentences,
                on_text=on_text,
            )
        except Exception as exc:  # any LLM failure must leave the journalist an answer
            log.warning("LLM unavailable: %s", exc)
            draft, reason = None, f"the LLM is unavailable ({type(exc).__name__}: {exc})"
        if draft is not None:
            return with_other_figures(draft, ranked, language, s.max_quotes) if asks_for_quantity(question) else draft
        notice = f"Showing quoted evidence instead of a generated answer: {reason}."
        return extractive_draft(language, ranked, s.max_quotes, notice=notice, quantity=asks_for_quantity(question))

    # ------------------------------------------------------------------ status
    def status(self) -> dict[str, Any]:
        stats = self.index.stats()
        s = self.settings
        return {
            **stats,
            "embedding_model": self.embedder.name,
            "vector_store": f"chroma server {s.chroma_host}:{s.chroma_port}" if s.chroma_host
            else f"chroma embedded ({s.data_dir})",
            "llm": self.llm.description if s.mode == "llm" else "none (extractive mode)",
            "mode": s.mode,
        }

    def close(self) -> None:
        self.llm.close()
