"""Claim checks: is a claim supported, contradicted, or not decidable from the indexed sources?

The verdict rests on evidence sentences, each with a stance. Figures decide first (compared as
numbers); when sources give different figures, the newest source decides and the others are
listed with their dates. Otherwise the wording decides (negation, opposite events). In llm mode
the model picks the verdict and the evidence from numbered sentences through a JSON schema; its
choice is kept only when it is consistent and agrees with the figures.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from assistant.answering import dated
from assistant.evidence import Citation, EvidenceSentence
from assistant.prompts import chat_prompt
from assistant.stance import figure_stance, sentence_stance
from assistant.verification import VERDICTS, Stance, StancedEvidence, Verdict, aggregate_verdict

TEXT = {
    "en": {
        "supported": "Supported by {refs}.",
        "contradicted": "Contradicted by {refs}.",
        "not_enough_info": "Not enough information: the indexed sources do not say enough to check this claim.",
        "newest": "Sources give different figures; the newest, {ref} ({when}), decides. Other figures: {others}.",
        "cues": "Judged from the figures and wording of the quoted sentences, not by a language model: "
        "read the evidence.",
        "model": "The language model chose the verdict and evidence; each cited sentence was checked against "
        "its figures and wording.",
    },
    "ar": {
        "supported": "صحيح: تؤيده الأدلة {refs}.",
        "contradicted": "غير صحيح: تناقضه الأدلة {refs}.",
        "not_enough_info": "لا تكفي المعلومات: لا تقول المصادر المفهرسة ما يكفي للتحقق من هذا الادعاء.",
        "newest": "تختلف الأرقام بين المصادر؛ والحكم للأحدث {ref} ({when}). أرقام أخرى: {others}.",
        "cues": "حُكم بناء على الأرقام وصياغة الجمل المقتبسة، لا بواسطة نموذج لغوي: اقرأ الأدلة.",
        "model": "اختار النموذج اللغوي الحكم والأدلة، وتُحقق من أرقام كل جملة مقتبسة وصياغتها.",
    },
}


@dataclass
class ClaimDraft:
    verdict: Verdict
    explanation: str
    evidence: list[StancedEvidence]
    mode: str
    notice: str | None = None
    figure_note: str | None = None  # sources differ on the figures: who decided, who differs


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
    ``covered`` by the sources at all. A sentence stating the claim's own figure (same kind of unit) ranks
    higher: the figure is the strongest anchor a claim has, across languages too."""
    if not covered or not ranked:
        return []
    rescored = [
        replace(s, score=s.score + FIGURE_BONUS) if figure_stance(claim, s.text) == "supports" else s for s in ranked
    ]
    rescored.sort(key=lambda s: s.score, reverse=True)
    best = rescored[0].score
    return [s for s in rescored[:limit] if s.score >= best - margin]


def _refs(numbers: list[int]) -> str:
    return " ".join(f"[{n}]" for n in numbers)


def _explain(language: str, verdict: Verdict, evidence: list[StancedEvidence], extra: list[str]) -> str:
    text = TEXT[language]
    wanted = {"supported": "supports", "contradicted": "contradicts"}.get(verdict)
    refs = [n for n, e in enumerate(evidence, start=1) if e.stance == wanted]
    lines = [text[verdict].format(refs=_refs(refs))]
    return " ".join(lines + extra)


def verdict_from_cues(claim: str, language: str, sentences: list[EvidenceSentence]) -> ClaimDraft:
    """The verdict from deterministic cues (figures, then wording), aggregated by
    ``assistant.verification.aggregate_verdict``, with its explanation in the claim's language."""
    text = TEXT[language]
    evidence = [StancedEvidence(s, *sentence_stance(claim, s.text)) for s in sentences]
    decision = aggregate_verdict(evidence)
    if decision.deciding is None:
        return ClaimDraft("not_enough_info", text["not_enough_info"], [], "extractive")
    figure_note = None
    if decision.differing:
        n_of = {id(e): n for n, e in enumerate(evidence, start=1)}
        figure_note = text["newest"].format(
            ref=f"[{n_of[id(decision.deciding)]}]",
            when=dated(decision.deciding.sentence),
            others=", ".join(f"[{n_of[id(e)]}] ({dated(e.sentence)})" for e in decision.differing),
        )
    notes = [x for x in (figure_note, text["cues"]) if x]
    explanation = _explain(language, decision.verdict, evidence, notes)
    return ClaimDraft(decision.verdict, explanation, evidence, "extractive", None, figure_note)


CLAIM_SCHEMA = {
    "name": "claim_check",
    "strict": True,
    "schema": {
        "type": "object",
        "properties": {
            "verdict": {"type": "string", "enum": list(VERDICTS)},
            "supporting": {"type": "array", "items": {"type": "integer"}},
            "contradicting": {"type": "array", "items": {"type": "integer"}},
        },
        "required": ["verdict", "supporting", "contradicting"],
        "additionalProperties": False,
    },
}


def verdict_from_model(
    chat: Any, prompts_dir: Path, claim: str, language: str, sentences: list[EvidenceSentence]
) -> tuple[ClaimDraft | None, str]:
    """Ask the model for a verdict and evidence numbers (structured output, JSON schema); return
    (draft, "") or (None, why not). Claims that state figures are decided by the figures alone
    (numbers are compared exactly; the model reads them worse), so the model is not asked."""
    cues = verdict_from_cues(claim, language, sentences)
    if not sentences or any(e.signal == "figures" for e in cues.evidence):
        return cues, ""
    lines = [f"[{n}] ({dated(s)}) {s.text}" for n, s in enumerate(sentences, start=1)]
    prompt = chat_prompt(prompts_dir, "claim_system", "en", "claim_user")
    structured = chat.with_structured_output(CLAIM_SCHEMA, method="json_schema", strict=True, include_raw=True)
    reply = structured.invoke(prompt.invoke({"evidence": "\n".join(lines), "claim": claim}))
    raw = reply.get("raw")
    if getattr(raw, "response_metadata", {}).get("finish_reason") == "length":
        return None, "the model's verdict was cut off at the token limit"
    # The schema steers the model; its reply is then read strictly (a lenient parser would
    # complete a cut-off reply as if the model had finished it).
    return check_llm_verdict(str(getattr(raw, "content", "")), claim, language, sentences)


def check_llm_verdict(
    raw: str | dict[str, Any], claim: str, language: str, sentences: list[EvidenceSentence]
) -> tuple[ClaimDraft | None, str]:
    """Keep the model's verdict only when it is well formed, cites existing evidence for its side,
    does not overturn the verdict of the figures and wording (it may only narrow it to
    not_enough_info), and each sentence it cites reads the same way by its figures and wording:
    a small model's fluent verdict is not evidence."""
    try:
        data = json.loads(raw) if isinstance(raw, str) else raw
        verdict = data["verdict"]
        supporting = [int(n) for n in data.get("supporting", [])]
        contradicting = [int(n) for n in data.get("contradicting", [])]
    except (ValueError, KeyError, TypeError):
        return None, "the model's verdict was not valid JSON"
    if verdict not in VERDICTS:
        return None, f"the model gave an unknown verdict ({verdict!r})"
    if any(not 1 <= n <= len(sentences) for n in supporting + contradicting):
        return None, "the model cited evidence that does not exist"
    side = {"supported": supporting, "contradicted": contradicting}.get(verdict)
    if side is not None and not side:
        return None, "the model's verdict cited no evidence for it"
    by_cues = verdict_from_cues(claim, language, sentences)
    if verdict not in (by_cues.verdict, "not_enough_info"):
        return None, (
            f"the model's verdict ({verdict}) disagrees with the figures and wording of the best evidence "
            f"({by_cues.verdict})"
        )
    cues = {id(s): sentence_stance(claim, s.text)[0] for s in sentences}
    for n in supporting + contradicting:
        cue = cues[id(sentences[n - 1])]
        if cue != ("supports" if n in supporting else "contradicts"):
            return None, f"the model's reading of [{n}] disagrees with its figures or wording"
    evidence = []
    for n, s in enumerate(sentences, start=1):
        stance: Stance = "supports" if n in supporting else "contradicts" if n in contradicting else "neutral"
        evidence.append(StancedEvidence(s, stance, "model"))
    explanation = _explain(language, verdict, evidence, [TEXT[language]["model"]])
    return ClaimDraft(verdict, explanation, evidence, "llm"), ""
