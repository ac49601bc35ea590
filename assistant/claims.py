"""Claim checks: is a claim supported, contradicted, or not decidable from the indexed sources?

The verdict rests on evidence sentences, each with a stance. Figures decide first (compared as
numbers, only between counts of the same thing); when sources give different figures, the newest
source decides and older figures are listed as its history. Otherwise Isnad's stance model reads
each sentence (supports / contradicts / unrelated, with its probability), and the most confident
reading decides; without the model, the wording cues (negation, opposite events) decide. The rules
are ``assistant.verification.aggregate_verdict``; the llm-mode reading is ``assistant.claim_llm``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from assistant.answering import dated
from assistant.evidence import Citation, EvidenceSentence
from assistant.stance import figure_stance, sentence_stance
from assistant.verification import Stance, StancedEvidence, Verdict, VerdictDecision, aggregate_verdict

TEXT = {
    "en": {
        "supported": "Supported by {refs}",
        "contradicted": "Contradicted by {refs}",
        "not_enough_info": "Not enough information: the indexed sources do not say enough to check this claim.",
        "decided": "{ref} decides it: {why}",
        "why_figures": "its figure, compared with the claim's",
        "why_stance_model": "Isnad's stance model reads it so ({confidence:.0%})",
        "why_wording": "its wording (negation, opposite events)",
        "why_llm": "the language model's reading, checked",
        "newest": "Sources of the same period give different figures; the newest, {ref} ({when}), decides. "
        "Other figures: {others}.",
        "earlier": "Earlier figures, the figure's history rather than a contradiction: {others}.",
        "unsided": "None of the quoted sentences clearly supports or contradicts the claim.",
        "cues": "Judged from the figures and wording of the quoted sentences, not by a language model: "
        "read the evidence.",
        "by_model": "Judged by Isnad's stance model ({model}) and the figures of the quoted sentences, not by a "
        "language model: read the evidence.",
        "llm": "The language model chose the verdict and evidence; each cited sentence was checked against "
        "its figures and stance.",
    },
    "ar": {
        "supported": "تؤيده الأدلة {refs}",
        "contradicted": "تناقضه الأدلة {refs}",
        "not_enough_info": "لا تكفي المعلومات: لا تقول المصادر المفهرسة ما يكفي للتحقق من هذا الادعاء.",
        "decided": "حسمت {ref} الحكم: {why}",
        "why_figures": "رقمها مقارنا برقم الادعاء",
        "why_stance_model": "هكذا يقرؤها نموذج الموقف في إسناد ({confidence:.0%})",
        "why_wording": "صياغتها (النفي والأحداث المتعاكسة)",
        "why_llm": "قراءة النموذج اللغوي بعد التحقق منها",
        "newest": "تختلف الأرقام بين مصادر من الفترة نفسها؛ والحكم للأحدث {ref} ({when}). أرقام أخرى: {others}.",
        "earlier": "أرقام أقدم، تروي تطور الرقم ولا تناقض الادعاء: {others}.",
        "unsided": "لا تؤيد أي من الجمل المقتبسة الادعاء أو تناقضه بوضوح.",
        "cues": "حُكم بناء على الأرقام وصياغة الجمل المقتبسة، لا بواسطة نموذج لغوي: اقرأ الأدلة.",
        "by_model": "حُكم بواسطة نموذج الموقف في إسناد ({model}) وأرقام الجمل المقتبسة، لا بواسطة نموذج لغوي: "
        "اقرأ الأدلة.",
        "llm": "اختار النموذج اللغوي الحكم والأدلة، وتُحقق من أرقام كل جملة مقتبسة وموقفها.",
    },
}
# A sentence's stance from the stance model: (supports | contradicts | neutral, probability).
ModelStance = tuple[Stance, float]


@dataclass
class ClaimDraft:
    verdict: Verdict
    explanation: str
    evidence: list[StancedEvidence]
    mode: str
    notice: str | None = None
    deciding: StancedEvidence | None = None  # the sentence that decided the verdict, if one did


@dataclass
class ClaimCheck:
    claim: str
    language: str
    mode: str
    verdict: Verdict
    explanation: str
    citations: list[Citation]
    timings: dict[str, float] = field(default_factory=dict)
    notice: str | None = None
    searched: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "claim": self.claim,
            "language": self.language,
            "mode": self.mode,
            "verdict": self.verdict,
            "explanation": self.explanation,
            "citations": [c.to_dict() for c in self.citations],
            "timings": {k: round(v, 3) for k, v in self.timings.items()},
            "notice": self.notice,
            "searched": self.searched,
        }


FIGURE_BONUS = 0.04


def relevant_evidence(
    claim: str, ranked: list[EvidenceSentence], covered: bool, limit: int, margin: float = 0.06
) -> list[EvidenceSentence]:
    """The sentences close in score to the best one (at most ``limit``), when the claim's topic is
    ``covered`` by the sources at all. A sentence stating the claim's own figure (same thing counted)
    ranks higher: the figure is the strongest anchor a claim has, across languages too."""
    if not covered or not ranked:
        return []
    rescored = [
        replace(s, score=s.score + FIGURE_BONUS) if figure_stance(claim, s.text) == "supports" else s for s in ranked
    ]
    rescored.sort(key=lambda s: s.score, reverse=True)
    best = rescored[0].score
    return [s for s in rescored[:limit] if s.score >= best - margin]


def stanced(
    claim: str, sentences: list[EvidenceSentence], model_stances: Sequence[ModelStance] | None = None
) -> list[StancedEvidence]:
    """Each sentence's stance: by its figures when it counts what the claim counts, else by the
    stance model when there is one, else by its wording."""
    evidence = []
    for n, s in enumerate(sentences):
        by_figures = figure_stance(claim, s.text)
        if by_figures is not None:
            evidence.append(StancedEvidence(s, by_figures, "figures"))
        elif model_stances is not None:
            stance, confidence = model_stances[n]
            evidence.append(StancedEvidence(s, stance, "stance_model", confidence))
        else:
            evidence.append(StancedEvidence(s, *sentence_stance(claim, s.text)))
    return evidence


def verdict_from_evidence(
    claim: str, language: str, sentences: list[EvidenceSentence],
    model_stances: Sequence[ModelStance] | None = None, model_name: str = "",
) -> ClaimDraft:
    """The verdict and its explanation (in the claim's language) from the sentences' stances,
    aggregated by ``assistant.verification.aggregate_verdict``."""
    evidence = stanced(claim, sentences, model_stances)
    decision = aggregate_verdict(evidence)
    basis = TEXT[language]["by_model"].format(model=model_name) if model_stances is not None else TEXT[language]["cues"]
    explanation = explain(language, decision, evidence, basis)
    return ClaimDraft(decision.verdict, explanation, evidence, "extractive", None, decision.deciding)


def verdict_from_cues(claim: str, language: str, sentences: list[EvidenceSentence]) -> ClaimDraft:
    """The verdict from deterministic cues alone (figures, then wording): no stance model."""
    return verdict_from_evidence(claim, language, sentences)


def explain(language: str, decision: VerdictDecision, evidence: list[StancedEvidence], basis: str) -> str:
    """Which sentences decided and why, the figures' history, and what the verdict rests on."""
    text = TEXT[language]
    if not evidence:
        return text["not_enough_info"]
    n_of = {id(e): n for n, e in enumerate(evidence, start=1)}
    lines = []
    deciding = decision.deciding
    if deciding is None:
        lines.append(f"{text['not_enough_info']} {text['unsided']}")
    elif decision.verdict == "not_enough_info":
        lines.append(text["not_enough_info"])
    else:
        wanted = deciding.stance
        refs = " ".join(f"[{n_of[id(e)]}]" for e in evidence if e.stance == wanted)
        why = text[f"why_{deciding.signal}"].format(confidence=deciding.confidence or 0.0)
        decided = text["decided"].format(ref=f"[{n_of[id(deciding)]}]", why=why)
        lines.append(f"{text[decision.verdict].format(refs=refs)}. {decided}.")
    earlier = [e for e in decision.differing if e.earlier]
    same_period = [e for e in decision.differing if not e.earlier]
    if deciding is not None and same_period:
        lines.append(text["newest"].format(
            ref=f"[{n_of[id(deciding)]}]", when=dated(deciding.sentence),
            others=", ".join(f"[{n_of[id(e)]}] ({dated(e.sentence)})" for e in same_period),
        ))
    if earlier:
        dated_refs = ", ".join(f"[{n_of[id(e)]}] ({dated(e.sentence)})" for e in earlier)
        lines.append(text["earlier"].format(others=dated_refs))
    return " ".join([*lines, basis])
