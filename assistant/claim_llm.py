"""The llm-mode claim verdict: the chat model picks a verdict and its evidence through a JSON schema,
and its choice is kept only when it agrees with what the figures and the stance model read."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from assistant.answering import dated
from assistant.claims import ClaimDraft, explain
from assistant.notices import Notice
from assistant.prompts import chat_prompt
from assistant.verification import VERDICTS, Stance, StancedEvidence, VerdictDecision

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


def verdict_from_llm(chat: Any, prompts_dir: Path, claim: str, language: str, base: ClaimDraft) -> tuple[
    ClaimDraft | None, str
]:
    """Ask the chat model for a verdict and evidence numbers (structured output, JSON schema) over the
    sentences of ``base`` (the verdict of the figures and the stance model); return (draft, "") or
    (None, why not). Claims decided by figures keep that verdict: numbers are compared exactly,
    the model reads them worse, so it is not asked."""
    if not base.evidence or any(e.signal == "figures" for e in base.evidence):
        return base, ""
    lines = [
        f"[{n}] ({dated(e.sentence)}{', headline' if e.sentence.headline else ''}) {e.sentence.text}"
        for n, e in enumerate(base.evidence, start=1)
    ]
    prompt = chat_prompt(prompts_dir, "claim_system", "en", "claim_user")
    structured = chat.with_structured_output(CLAIM_SCHEMA, method="json_schema", strict=True, include_raw=True)
    reply = structured.invoke(prompt.invoke({"evidence": "\n".join(lines), "claim": claim}))
    raw = reply.get("raw")
    if getattr(raw, "response_metadata", {}).get("finish_reason") == "length":
        return None, Notice("verdict_cut_off")
    # The schema steers the model; its reply is then read strictly (a lenient parser would
    # complete a cut-off reply as if the model had finished it).
    return check_llm_verdict(str(getattr(raw, "content", "")), language, base)


def check_llm_verdict(raw: str | dict[str, Any], language: str, base: ClaimDraft) -> tuple[ClaimDraft | None, str]:
    """Keep the model's verdict only when it is well formed, cites existing evidence for its side,
    does not overturn ``base`` (the verdict of the figures and the stance model or wording: it may
    only narrow it to not_enough_info), and each sentence it cites reads the same way in ``base``:
    a small model's fluent verdict is not evidence."""
    try:
        data = json.loads(raw) if isinstance(raw, str) else raw
        verdict = data["verdict"]
        supporting = [int(n) for n in data.get("supporting", [])]
        contradicting = [int(n) for n in data.get("contradicting", [])]
    except (ValueError, KeyError, TypeError):
        return None, Notice("verdict_not_json")
    if verdict not in VERDICTS:
        return None, Notice("verdict_unknown", verdict=verdict)
    if any(not 1 <= n <= len(base.evidence) for n in supporting + contradicting):
        return None, Notice("cited_missing")
    side = {"supported": supporting, "contradicted": contradicting}.get(verdict)
    if side is not None and not side:
        return None, Notice("verdict_without_evidence")
    if verdict not in (base.verdict, "not_enough_info"):
        return None, Notice("verdict_disagrees", verdict=verdict, base=base.verdict)
    for n in supporting + contradicting:
        if base.evidence[n - 1].stance != ("supports" if n in supporting else "contradicts"):
            return None, Notice("reading_disagrees", n=n)
    evidence = []
    for n, e in enumerate(base.evidence, start=1):
        stance: Stance = "supports" if n in supporting else "contradicts" if n in contradicting else "neutral"
        evidence.append(StancedEvidence(e.sentence, stance, "llm"))
    deciding = next((e for e in evidence if e.stance != "neutral"), None) if side else None
    decision = VerdictDecision(verdict, deciding, [])
    return ClaimDraft(verdict, explain(language, decision, evidence, "llm"), evidence, "llm",
                      deciding=deciding), ""
