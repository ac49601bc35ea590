"""The claim check's judgment: evidence sentences → stances (figures, the stance model, or wording)
→ a verdict, read again by the chat model in llm mode; each step falls back with a notice."""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from assistant.claim_llm import verdict_from_llm
from assistant.claims import ClaimDraft, ModelStance, relevant_evidence, verdict_from_evidence
from assistant.errors import ConfigurationError, IsnadError
from assistant.evidence import EvidenceSentence
from assistant.llm.client import ChatBackend
from assistant.notices import Notice, joined
from assistant.query import Query
from assistant.settings import Settings
from assistant.stance_model import StanceModel
from vectorstore.embeddings import SentenceEmbedder

log = logging.getLogger(__name__)
_SIDES: dict[str, Any] = {"supports": "supports", "contradicts": "contradicts", "unrelated": "neutral"}


class ClaimChecker:
    """Judges a claim against ranked evidence sentences."""

    def __init__(self, settings: Settings, embedder: SentenceEmbedder, llm: ChatBackend) -> None:
        self.settings = settings
        self.embedder = embedder
        self.llm = llm
        self._model: StanceModel | None = None
        self._model_error: str | None = None
        self._lock = threading.Lock()

    def stance_model(self) -> StanceModel | None:
        """The trained stance model (loaded once), or None with the reason kept for the notice."""
        with self._lock:
            if self._model is None and self._model_error is None:
                try:
                    self._model = StanceModel.load(self.settings.stance_model_path)
                except ConfigurationError as exc:
                    log.warning("No stance model: %s", exc)
                    self._model_error = str(exc)
            return self._model

    def judge(
        self, query: Query, ranked: list[EvidenceSentence], covered: bool, mode: str, timings: dict[str, float],
        on_drafting: Any = None,
    ) -> ClaimDraft:
        """The verdict on ``query`` from the best of ``ranked`` (none when the sources do not cover it)."""
        s = self.settings
        sentences = relevant_evidence(query.text, ranked, covered, s.claim_evidence_sentences)
        draft = self._verdict(query, sentences, timings)
        if mode != "llm" or not draft.evidence:
            return draft
        if on_drafting:
            on_drafting()
        mark = time.perf_counter()
        try:
            checked, reason = verdict_from_llm(self.llm.chat_model(), s.prompts_dir, query.text, query.language, draft)
        except IsnadError as exc:  # the LLM is down or unusable: the verdict of figures and stances stands
            log.warning("LLM unavailable for the claim check: %s", exc)
            checked, reason = None, Notice("llm_unavailable", error=str(exc))
        timings["generate"] = time.perf_counter() - mark
        if checked is not None:
            return checked
        draft.notice = joined(draft.notice, Notice("claim_fallback", reason=reason))
        return draft

    def _verdict(self, query: Query, sentences: list[EvidenceSentence], timings: dict[str, float]) -> ClaimDraft:
        model = self.stance_model() if sentences else None
        if model is None:
            draft = verdict_from_evidence(query.text, query.language, sentences)
            if sentences:
                draft.notice = Notice("no_stance_model", error=self._model_error)
            return draft
        mark = time.perf_counter()
        scores = model.predict(self.embedder, query.text, [x.text for x in sentences])
        timings["stance"] = time.perf_counter() - mark
        stances: list[ModelStance] = [(_SIDES[x.label], x.confidence) for x in scores]
        return verdict_from_evidence(query.text, query.language, sentences, stances, model.name)
