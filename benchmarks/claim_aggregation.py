"""How a claim's verdict is aggregated from its sentences' stances: the variants measured on the ANS dev
claims of the fact-check set (docs/benchmarks.md, "Claim checks with the stance model").

    python benchmarks/claim_aggregation.py --index-dir INDEX [--split dev] [--model PATH] [--cache FILE]

INDEX is an index of the whole sample corpus (`isnad ingest --sample`). Each claim's evidence is
retrieved and ranked once (as `isnad check` does); the stance model reads the candidate sentences
once (the retrieved evidence can be kept in a --cache file, so another model is compared on the same
evidence); then each variant (how many sentences, how confident the model must be) is scored: accuracy
and macro-F1 over the agree/disagree claims (the `other` claims are reported apart, as in
`isnad eval answers`). Prints JSON, one line per variant.
"""

from __future__ import annotations

import argparse
import json
import pickle
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.claims import relevant_evidence, verdict_from_evidence  # noqa: E402
from assistant.evaluation.answer_eval import GOLD, load_claims, verdict_scores  # noqa: E402
from assistant.service import IsnadService  # noqa: E402
from assistant.settings import Settings  # noqa: E402
from assistant.stance_model import StanceModel  # noqa: E402
from assistant.verification import aggregate_verdict  # noqa: E402

DATA = ROOT.parent / "shared" / "data"
SIDES = {"supports": "supports", "contradicts": "contradicts", "unrelated": "neutral"}
LIMITS = (2, 3, 4, 6)
CONFIDENCES = (0.0, 0.4, 0.5, 0.6, 0.7, 0.8)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--index-dir", type=Path, required=True)
    parser.add_argument("--split", default="dev")
    parser.add_argument("--model", type=Path, default=None, help="a stance model (default: the shipped one)")
    parser.add_argument("--cache", type=Path, default=None, help="keep the retrieved evidence in this file")
    args = parser.parse_args(argv)
    service = IsnadService.from_settings(Settings(data_dir=args.index_dir, mode="extractive"))
    started = time.perf_counter()
    evidence = _evidence(service, args.split, args.cache)
    model = StanceModel.load(args.model)
    judged = []  # (case, query, ranked, covered, the model's stances of the widest evidence list)
    for case, query, ranked, covered in evidence:
        sentences = relevant_evidence(query.text, ranked, covered, max(LIMITS), margin=1.0)
        scores = model.predict(service.embedder, query.text, [s.text for s in sentences]) if sentences else []
        judged.append((case, query, ranked, covered, [(SIDES[x.label], x.confidence) for x in scores]))
    print(json.dumps({"claims": len(judged), "model": model.name, "seconds": round(time.perf_counter() - started, 1)}))
    for limit in LIMITS:
        for margin in (0.06, 1.0):
            for confidence in (None, *CONFIDENCES):
                print(json.dumps(score(judged, limit, margin, confidence)))
    for within in (1, 2, 3):  # the 4 sentences a check shows, the model deciding from the best few
        for confidence in CONFIDENCES:
            print(json.dumps(score(judged, 4, 0.06, confidence, within)))
    return 0


def _evidence(service: IsnadService, split: str, cache: Path | None) -> list:
    """Each claim's ranked evidence, retrieved as `isnad check` does (read from ``cache`` when it exists)."""
    if cache and cache.exists():
        return pickle.loads(cache.read_bytes())
    urls = {a.url for a in service.library() if a.url}
    evidence = []
    for case in load_claims(DATA / "factcheck" / "ans_x_ant_claims.jsonl", urls, split):
        query, ranked, _, covered = service._evidence(case.claim, "extractive", None, claim=True)
        evidence.append((case, query, ranked[:40], covered))
    if cache:
        cache.write_bytes(pickle.dumps(evidence))
    return evidence


def score(judged: list, limit: int, margin: float, confidence: float | None, within: int | None = None) -> dict:
    """One variant: ``confidence`` None = no stance model (figures and wording cues); the model
    decides within the best ``within`` sentences (all ``limit`` when None)."""
    within = within or limit
    gold: list[str] = []
    predicted: list[str] = []
    other: Counter[str] = Counter()
    for case, query, ranked, covered, stances in judged:
        sentences = relevant_evidence(query.text, ranked, covered, limit, margin)
        # relevant_evidence re-sorts; the model read the widest list in the same order, so a prefix matches.
        model_stances = None if confidence is None else stances[: len(sentences)]
        draft = verdict_from_evidence(query.text, query.language, sentences, model_stances, "m")
        verdict = draft.verdict
        if confidence is not None:
            verdict = aggregate_verdict(draft.evidence, confidence, within).verdict
        if case.label in GOLD:
            gold.append(GOLD[case.label])
            predicted.append(verdict)
        else:
            other[verdict] += 1
    scores = verdict_scores(gold, predicted)
    return {"limit": limit, "margin": margin, "min_confidence": confidence, "model_decides_within": within,
            "n": len(gold),
            "accuracy": round(scores["accuracy"], 3), "macro_f1": round(scores["macro_f1"], 3),
            "predicted": dict(Counter(predicted)), "other": dict(other)}


if __name__ == "__main__":
    raise SystemExit(main())
