"""IsnadService: the one object the CLI and the UI talk to. Built from settings at the edge."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

from assistant.answering import (
    Answer,
    Draft,
    abstention,
    extractive_draft,
    lead_figure_problem,
    lead_first,
    llm_draft,
    with_figures,
)
from assistant.claim_checker import ClaimChecker
from assistant.claims import ClaimCheck
from assistant.coverage import judge_coverage
from assistant.errors import IsnadError
from assistant.evidence import Citation, EvidenceSentence, candidate_sentences, rank_sentences
from assistant.figure_history import FigureHistory, question_history, states_count_of
from assistant.figure_text import figure_points
from assistant.figures import asked_group
from assistant.first_run import SampleIngest
from assistant.followup import Rewrite, standalone_question
from assistant.fusion import configured_fusion
from assistant.llm.client import ChatBackend
from assistant.notices import Notice, joined
from assistant.query import Query
from assistant.quote_translation import translate_quotes
from assistant.retrieval import Retriever
from assistant.settings import Settings
from assistant.translation import translate_question
from assistant.verification import should_abstain, verified_citations
from ingest.arabic import normalize
from ingest.loaders import load_paths
from ingest.metadata import ArticleOverrides, apply_overrides
from vectorstore.chroma_store import open_chroma_client
from vectorstore.embeddings import SentenceEmbedder, load_embedder
from vectorstore.errors import ConfigurationError
from vectorstore.news_index import NewsIndex
from vectorstore.records import IngestReport, SearchFilter, StoredArticle
from vectorstore.remote_embeddings import EmbeddingServer

log = logging.getLogger(__name__)
SAMPLE_FILES = ("seed_article_ar.json", "bbc_arabic_middleeast_2018.jsonl.gz")
Progress = Callable[[int], None]
# How an answer is coming along, for a UI that shows it: ("searching", {"translating": bool}),
# ("found", {"passages": n, "articles": m}), ("drafting", {}), ("draft", {"text": the model's
# text so far, NOT yet checked}). The checked answer is what ask() returns.
AskProgress = Callable[[str, dict[str, Any]], None]


def _ignore(stage: str, detail: dict[str, Any]) -> None:
    pass


class Evidence(NamedTuple):
    """A question read as a Query, its evidence sentences ranked best first, the seconds each step
    took, and whether the sentences cover the question (else Isnad abstains)."""

    query: Query
    ranked: list[EvidenceSentence]
    timings: dict[str, float]
    covered: bool


def embedding_server(settings: Settings) -> EmbeddingServer | None:
    """The embeddings server when ISNAD_EMBEDDING_PROVIDER=openai; None for the in-process model."""
    if settings.embedding_provider != "openai":
        return None
    if not settings.embedding_base_url:
        raise ConfigurationError("ISNAD_EMBEDDING_PROVIDER=openai needs ISNAD_EMBEDDING_BASE_URL (e.g. http://host:7997/v1).")
    key = settings.embedding_api_key.get_secret_value() if settings.embedding_api_key else None
    return EmbeddingServer(settings.embedding_base_url, key, settings.embedding_timeout_s, settings.embedding_tokenizer)


class IsnadService:
    """Ingest, retrieve, answer with verified citations."""

    def __init__(self, settings: Settings, embedder: SentenceEmbedder, index: NewsIndex) -> None:
        self.settings = settings
        self.embedder = embedder
        self.index = index
        self.retriever = Retriever(
            index, embedder, candidates=settings.candidates, rrf_k=settings.rrf_k, hybrid=settings.hybrid,
            rerank=settings.rerank, rerank_depth=settings.rerank_depth,
            fusion=configured_fusion(settings.fusion, settings.fusion_model_path),
        )
        self.llm = ChatBackend(settings)
        self.claims = ClaimChecker(settings, embedder, self.llm)
        self.sample_ingest = SampleIngest()  # the first run's background ingest (assistant.first_run)

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
            server=embedding_server(s),
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
        self, paths: Iterable[Path], progress: Progress | None = None, on_total: Progress | None = None,
        overrides: ArticleOverrides | None = None,
    ) -> IngestReport:
        """Load and index ``paths``; ``on_total(chunks to embed)``, then ``progress(chunks embedded)``.
        ``overrides``: metadata a person gave, over what the files say (a BadFieldError, raised before
        anything is indexed, when a title or link is given for several articles)."""
        loaded = load_paths(list(paths), max_file_bytes=self.settings.max_file_bytes)
        articles = apply_overrides(loaded.articles, overrides)
        report = self.index.ingest(articles, progress=progress, on_total=on_total)
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
        question = Query.parse(question, s.max_question_chars).text
        llm = None if (mode or s.mode) == "extractive" else (lambda: self.llm.chat_model().bind(max_tokens=80))
        return standalone_question(question, previous, llm, s.prompts_dir, s.max_question_chars)

    def ask(
        self, question: str, mode: str | None = None, flt: SearchFilter | None = None,
        progress: AskProgress = _ignore,
    ) -> Answer:
        """Answer ``question`` from the indexed sources with numbered, verified citations (or abstain).

        In llm mode a UI that listens gets the extractive answer first, as ("extractive", {"answer"}),
        while the model drafts; the checked model answer (or that extractive one, with a notice) is returned."""
        s = self.settings
        mode = mode or s.mode
        started = time.perf_counter()
        query, ranked, timings, covered = self._evidence(question, mode, flt, progress)
        searched = flt.describe() if flt else "all outlets"
        if not covered:
            closest = self._citations(ranked[: s.max_quotes])
            return self._answer(query, abstention(query.language), timings, started, searched, closest)
        history = self._figure_history(query, ranked)
        quantity = query.asks_for_quantity
        quoted = extractive_draft(query.language, ranked, s.max_quotes, quantity=quantity, history=history)
        if mode == "extractive":
            return self._answer(query, quoted, timings, started, searched, history=history)
        first = self._answer(query, quoted, dict(timings), started, searched, history=history)
        progress("extractive", {"answer": first})
        mark = time.perf_counter()
        progress("drafting", {})
        streamed = None if progress is _ignore else (lambda text: progress("draft", {"text": text}))
        draft = self._llm_or_fallback(query, ranked, history, streamed)
        timings["generate"] = time.perf_counter() - mark
        return self._answer(query, draft, timings, started, searched, history=history)

    def _figure_history(self, query: Query, ranked: list[EvidenceSentence]) -> FigureHistory | None:
        """For a how-many question: the newest figure of the thing it asks about (the best matching one
        when it asks for one source's figure, "according to Putin"), and the earlier ones."""
        if not query.asks_for_quantity or not ranked:
            return None
        return question_history(query.text, ranked)

    def _citations(self, sentences: list[EvidenceSentence]) -> list[Citation]:
        return verified_citations(sentences, self.index.get_articles(x.chunk.doc_id for x in sentences))

    def _answer(
        self, query: Query, draft: Draft, timings: dict[str, float], started: float, searched: str,
        closest: list[Citation] | None = None, history: FigureHistory | None = None,
    ) -> Answer:
        """The public answer for ``draft``: its sentences bound to verified citations, with the figure's
        history as chart points (those the draft cites)."""
        citations = self._citations(draft.sentences)
        timings["total"] = time.perf_counter() - started
        return Answer(
            question=query.text, language=query.language, mode=draft.mode, answer=draft.text,
            abstained=draft.abstained, citations=citations, timings=timings, notice=self._with_sample(draft.notice),
            searched=searched, closest=closest or [], figures=figure_points(history, draft.sentences, query.language),
        )

    def _with_sample(self, notice: str | None) -> str | None:
        """``notice``, then a word that the sample corpus is not all indexed yet (the first run's ingest)."""
        return joined(notice, self.sample_ingest.notice())

    def check(
        self, claim: str, mode: str | None = None, flt: SearchFilter | None = None, progress: AskProgress = _ignore
    ) -> ClaimCheck:
        """Is ``claim`` supported, contradicted, or not decidable from the indexed sources?"""
        s = self.settings
        mode = mode or s.mode
        started = time.perf_counter()
        query, ranked, timings, covered = self._evidence(claim, mode, flt, progress, claim=True)
        draft = self.claims.judge(query, ranked, covered, mode, timings, on_drafting=lambda: progress("drafting", {}))
        chosen = [e.sentence for e in draft.evidence]
        articles = self.index.get_articles(x.chunk.doc_id for x in chosen)
        citations = verified_citations(chosen, articles, draft.evidence, draft.deciding)
        timings["total"] = time.perf_counter() - started
        return ClaimCheck(
            claim=query.text, language=query.language, mode=draft.mode, verdict=draft.verdict,
            explanation=draft.explanation, citations=citations, timings=timings, notice=self._with_sample(draft.notice),
            searched=flt.describe() if flt else "all outlets",
        )

    def translate_quotes(self, quotes: Sequence[str]) -> tuple[dict[str, str], str | None]:
        """English machine translations of the Arabic ``quotes`` (LLM only), for display beside the
        originals, and a note when some could not be made."""
        chat = lambda: self.llm.chat_model().bind(max_tokens=160)  # noqa: E731
        return translate_quotes(chat, self.settings.prompts_dir, quotes)

    def _evidence(
        self, text: str, mode: str, flt: SearchFilter | None, progress: AskProgress = _ignore, claim: bool = False
    ) -> Evidence:
        """Read ``text`` once as a Query, retrieve passages for it, rank their sentences against it (for
        a ``claim``, the articles' headlines too: docs/benchmarks.md, "Headlines as evidence") and
        judge whether they cover it. In llm mode an English question the sentences do not cover as
        asked is translated into Arabic and the same sentences judged again against both: the small
        model's translations, searched with, rank passages worse than the question as asked
        (docs/benchmarks.md, "Question translation")."""
        s = self.settings
        query = Query.parse(text, s.max_question_chars)
        timings: dict[str, float] = {}
        progress("searching", {"translating": False})
        mark = time.perf_counter()
        result = self.retriever.retrieve(query, s.top_k, flt)
        group = asked_group(query.text) if query.asks_for_quantity else None
        if group is not None and s.figure_passages:
            states = lambda text: states_count_of(text, group)  # noqa: E731
            depth, limit = s.figure_search_depth, s.figure_passages
            result.passages += self.retriever.passages_stating(result, states, depth, limit, flt)
        timings["retrieve"] = time.perf_counter() - mark
        found = {"passages": len(result.passages), "articles": len({p.hit.chunk.doc_id for p in result.passages})}
        progress("found", found)
        candidates = candidate_sentences(result.passages, headlines=claim)
        evidence = self._ranked(query, result.query_vectors, candidates, claim, timings)
        if evidence.covered or not (mode == "llm" and query.language != "ar" and s.translate_questions):
            return evidence
        mark = time.perf_counter()
        progress("searching", {"translating": True})
        translated = query.with_translation(self._translate(query.text))
        timings["translate"] = time.perf_counter() - mark
        if translated.translation is None:
            return evidence
        vectors = [*result.query_vectors, self.embedder.encode_query(translated.translation)]
        return self._ranked(translated, vectors, candidates, claim, timings)

    def _ranked(
        self, query: Query, vectors: list[np.ndarray], candidates: list[EvidenceSentence], claim: bool,
        timings: dict[str, float],
    ) -> Evidence:
        """``candidates`` ranked against ``query``'s search ``vectors``, and whether they cover it."""
        mark = time.perf_counter()
        ranked = rank_sentences(query, vectors, candidates, self.embedder)
        covered = not self._should_abstain(ranked, query, claim)
        timings["rank"] = timings.get("rank", 0.0) + time.perf_counter() - mark
        return Evidence(query, ranked, timings, covered)

    def _should_abstain(self, ranked: list[EvidenceSentence], query: Query, claim: bool = False) -> bool:
        """Not covered: no sentence is similar enough to the question, or none of the similar ones read
        (the first few, and for a how-many question those further down stating a count of what it asks
        about) has the question's key terms and the kind of answer it asks for (``assistant.coverage``),
        as asked or in its Arabic translation (llm mode), whose terms Arabic sentences hold word for word.
        A ``claim`` may differ from a sentence by one substituted term: that sentence can contradict it."""
        s = self.settings

        def covers(sentences: Sequence[EvidenceSentence]) -> list[bool]:
            texts, preceding = [x.text for x in sentences], [x.preceding for x in sentences]
            judged = [
                [c.covers for c in judge_coverage(
                    self.embedder, text, texts, s.coverage_tolerance, claim=claim, preceding=preceding)]
                for text, _ in query.searches
            ]
            return [any(column) for column in zip(*judged, strict=True)]

        group = asked_group(query.text) if query.asks_for_quantity else None
        return should_abstain(
            ranked, query.language, s.min_relevance, s.min_relevance_same_language,
            covers if s.coverage_tolerance >= 0 else None, s.coverage_sentences,
            (lambda text: states_count_of(text, group)) if group else None,
        )

    def _translate(self, question: str) -> str | None:
        try:
            chat = self.llm.chat_model()
        except IsnadError as exc:  # no LLM: retrieval goes on with the question as asked
            log.warning("No LLM for query translation: %s", exc)
            return None
        # A translation is short: a few dozen tokens at most.
        return translate_question(chat.bind(max_tokens=60), self.settings.prompts_dir, question)

    def _llm_or_fallback(
        self, query: Query, ranked: list[EvidenceSentence], history: FigureHistory | None,
        on_text: Callable[[str], None] | None = None,
    ) -> Draft:
        """The model's answer when it passes the checks (and leads with the newest figure, for a
        how-many question), else the quoted evidence with a notice saying why."""
        s = self.settings
        try:
            draft, reason = llm_draft(
                self.llm.chat_model(), s.prompts_dir, query.text, query.language, ranked,
                budget_tokens=s.context_budget_tokens, max_evidence=s.llm_evidence_sentences, on_text=on_text,
                first=[history.lead.sentence, *(f.sentence for f in history.earlier)] if history else None,
            )
        except IsnadError as exc:  # the LLM is down or unusable: the journalist still gets the evidence
            log.warning("LLM unavailable: %s", exc)
            draft, reason = None, Notice("llm_unavailable", error=str(exc))
        quantity = query.asks_for_quantity
        if draft is not None and history is not None:
            draft = lead_first(draft, history)
            reason = lead_figure_problem(draft, history)
            draft = None if reason else draft
        if draft is not None:
            return with_figures(draft, ranked, query.language, s.max_quotes, history) if quantity else draft
        notice = Notice("answer_fallback", reason=reason)
        return extractive_draft(query.language, ranked, s.max_quotes, notice=notice, quantity=quantity, history=history)

    # ------------------------------------------------------------------ status
    def status(self) -> dict[str, Any]:
        stats = self.index.stats()
        s = self.settings
        return {
            **stats,
            "embedding_model": self.embedder.name,
            "embedding_runtime": self.embedder.runtime,
            "vector_store": f"chroma server {s.chroma_host}:{s.chroma_port}" if s.chroma_host
            else f"chroma embedded ({s.data_dir})",
            "llm": self.llm.description if s.mode == "llm" else "none (extractive mode)",
            "mode": s.mode,
        }

    def close(self) -> None:
        self.llm.close()
