"""Claim checks: is a claim supported, contradicted, or not decidable from the indexed sources?

The verdict rests on evidence sentences (for a claim, the retrieved articles' headlines are
candidates too), each with a stance. Figures decide first (compared as numbers, only between counts
of the same thing); when sources give different figures, the newest source decides and older
figures are listed as its history. Otherwise Isnad's stance model reads each sentence (supports /
contradicts / unrelated, with its probability), and the newest confident reading decides; without
the model, the wording cues (negation, opposite events) decide. The rules
are ``assistant.verification.aggregate_verdict``; the llm-mode reading is ``assistant.claim_llm``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

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
        "newest_reading": "Isnad's stance model reads the sources both ways; the newest, {ref} ({when}), decides. "
        "Read the other way: {others}.",
        "earlier": "Earlier figures, the figure's history rather than a contradiction: {others}.",
        "unsided": "None of the quoted sentences clearly supports or contradicts the claim.",
        "cues": "Judged from the figures and wording of the quoted sentences, not by a language model: "
        "read the evidence.",
        "by_model": "Judged by Isnad's stance model ({model}) and the figures of the quoted sentences, not by a "
        "language model: read the evidence.",
        "llm": "The language model chose the verdict and evidence; each cited sentence was checked against "
        "its figures and stance.",
        "by_stance_model": "Judged by Isnad's stance model and the figures of the quoted sentences, not by a "
        "language model: read the evidence.",
        "undated": "undated",
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
        "newest_reading": "يقرأ نموذج الموقف المصادر في الاتجاهين؛ والحكم للأحدث {ref} ({when}). قُرئت في الاتجاه "
        "الآخر: {others}.",
        "earlier": "أرقام أقدم، تروي تطور الرقم ولا تناقض الادعاء: {others}.",
        "unsided": "لا تؤيد أي من الجمل المقتبسة الادعاء أو تناقضه بوضوح.",
        "cues": "حُكم بناء على الأرقام وصياغة الجمل المقتبسة، لا بواسطة نموذج لغوي: اقرأ الأدلة.",
        "by_model": "حُكم بواسطة نموذج الموقف في إسناد ({model}) وأرقام الجمل المقتبسة، لا بواسطة نموذج لغوي: "
        "اقرأ الأدلة.",
        "llm": "اختار النموذج اللغوي الحكم والأدلة، وتُحقق من أرقام كل جملة مقتبسة وموقفها.",
        "by_stance_model": "حُكم بواسطة نموذج الموقف في إسناد وأرقام الجمل المقتبسة، لا بواسطة نموذج لغوي: اقرأ الأدلة.",
        "undated": "غير مؤرخ",
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
    basis = "by_model" if model_stances is not None else "cues"
    explanation = explain(language, decision, evidence, basis, model_name)
    return ClaimDraft(decision.verdict, explanation, evidence, "extractive", None, decision.deciding)


def verdict_from_cues(claim: str, language: str, sentences: list[EvidenceSentence]) -> ClaimDraft:
    """The verdict from deterministic cues alone (figures, then wording): no stance model."""
    return verdict_from_evidence(claim, language, sentences)


Part = tuple[str, dict[str, Any]]  # a sentence of an explanation: its kind and what it says


class Explanation(str):
    """A verdict's explanation worded in ``language`` (the claim's), a ``str`` wherever one was; it keeps
    its ``parts`` so an interface can word it in the other language (``worded``)."""

    language: str
    parts: tuple[Part, ...]

    def __new__(cls, language: str, parts: Sequence[Part]) -> Explanation:
        explanation = super().__new__(cls, worded(parts, language))
        explanation.language, explanation.parts = language, tuple(parts)
        return explanation

    def __getnewargs__(self) -> tuple[str, tuple[Part, ...]]:  # type: ignore[override]  # copies (Gradio's state)
        return self.language, self.parts

    def worded(self, language: str, name_model: bool = True) -> str:
        """The explanation in ``language`` ("en"/"ar"); without the stance model's name unless ``name_model``."""
        return worded(self.parts, language, name_model)


def _when(source_and_date: tuple[str, str], words: dict[str, str], comma: str) -> str:
    source, published = source_and_date
    return comma.join(x for x in (source, published[:10] or words["undated"]) if x)


def _worded_part(kind: str, values: dict[str, Any], language: str, name_model: bool) -> str:
    words = TEXT[language]
    comma = "، " if language == "ar" else ", "
    others = comma.join(f"[{n}] ({_when(when, words, comma)})" for n, when in values.get("others", ()))
    if kind == "verdict":
        why = words[f"why_{values['signal']}"].format(confidence=values["confidence"])
        decided = words["decided"].format(ref=values["ref"], why=why)
        return f"{words[values['verdict']].format(refs=values['refs'])}. {decided}."
    if kind in ("newest", "newest_reading"):
        return words[kind].format(ref=values["ref"], when=_when(values["when"], words, comma), others=others)
    if kind == "earlier":
        return words["earlier"].format(others=others)
    if kind == "by_model" and not name_model:
        return words["by_stance_model"]
    return words[kind].format(**values)


def worded(parts: Sequence[Part], language: str, name_model: bool = True) -> str:
    """An explanation's ``parts`` in ``language``, one sentence after another."""
    return " ".join(_worded_part(kind, values, language, name_model) for kind, values in parts)


def explain(
    language: str, decision: VerdictDecision, evidence: list[StancedEvidence], basis: str, model: str = ""
) -> Explanation:
    """Which sentences decided and why, the figures' history, and what the verdict rests on (``basis``:
    "cues", "by_model" — Isnad's stance model, named ``model`` — or "llm")."""
    if not evidence:
        return Explanation(language, [("not_enough_info", {})])
    n_of = {id(e): n for n, e in enumerate(evidence, start=1)}
    when = lambda e: (e.sentence.chunk.source, e.sentence.chunk.published)  # noqa: E731
    parts: list[Part] = []
    deciding = decision.deciding
    if deciding is None:
        parts += [("not_enough_info", {}), ("unsided", {})]
    elif decision.verdict == "not_enough_info":
        parts.append(("not_enough_info", {}))
    else:
        refs = " ".join(f"[{n_of[id(e)]}]" for e in evidence if e.stance == deciding.stance)
        parts.append(("verdict", {"verdict": decision.verdict, "refs": refs, "ref": f"[{n_of[id(deciding)]}]",
                                  "signal": deciding.signal, "confidence": deciding.confidence or 0.0}))
    earlier = [(n_of[id(e)], when(e)) for e in decision.differing if e.earlier]
    same_period = [(n_of[id(e)], when(e)) for e in decision.differing if not e.earlier]
    if deciding is not None and same_period:
        kind = "newest_reading" if deciding.signal == "stance_model" else "newest"
        parts.append((kind, {"ref": f"[{n_of[id(deciding)]}]", "when": when(deciding), "others": same_period}))
    if earlier:
        parts.append(("earlier", {"others": earlier}))
    parts.append((basis, {"model": model} if basis == "by_model" else {}))
    return Explanation(language, parts)
