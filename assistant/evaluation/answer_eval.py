"""Answer-level evaluation: claim verdicts on the factcheck set, citation honesty, abstention.

- factcheck: ANS claims (../shared/data/factcheck) whose source article is in the sample corpus;
  agree → supported, disagree → contradicted; `other` claims are reported apart.
- verified citations: every citation shown as verified is re-read from the stored article and
  must equal its text at start:end.
- abstention: questions no indexed source answers (sample_corpus/eval/out_of_corpus.jsonl).
"""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant.evidence import Citation
from assistant.verification import quote_holds
from vectorstore.records import StoredArticle

GOLD = {"agree": "supported", "disagree": "contradicted"}


@dataclass(frozen=True)
class ClaimCase:
    claim: str
    label: str
    split: str
    urls: tuple[str, ...]  # the source article(s), as indexed (article key = URL)


def load_claims(path: Path, indexed_urls: set[str], split: str = "dev", limit: int | None = None) -> list[ClaimCase]:
    """Claims of ``split`` ("train", "dev" or "all") whose source article is in the sample corpus."""
    cases: list[ClaimCase] = []
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            row = json.loads(line)
            if split != "all" and row["ans_split"] != split:
                continue
            if not indexed_urls.intersection(row["urls"]):
                continue
            cases.append(ClaimCase(row["claim"], row["label"], row["ans_split"], tuple(row["urls"])))
    if limit is not None:
        # Keep the label mix when only part of the set is run: alternate agree / disagree / other.
        by_label: dict[str, list[ClaimCase]] = {}
        for case in cases:
            by_label.setdefault(case.label, []).append(case)
        interleaved = [c for group in zip(*by_label.values(), strict=False) for c in group]
        rest = [c for c in cases if c not in interleaved]
        cases = (interleaved + rest)[:limit]
    return cases


def load_questions(path: Path) -> list[dict[str, str]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def verdict_scores(gold: Sequence[str], predicted: Sequence[str]) -> dict[str, float]:
    """Accuracy and macro-F1 over the gold classes (a not_enough_info prediction is a miss)."""
    if not gold:
        return {"accuracy": 0.0, "macro_f1": 0.0}
    accuracy = sum(g == p for g, p in zip(gold, predicted, strict=True)) / len(gold)
    f1s = []
    for label in sorted(set(gold)):
        tp = sum(g == p == label for g, p in zip(gold, predicted, strict=True))
        predicted_n = sum(p == label for p in predicted)
        gold_n = sum(g == label for g in gold)
        precision = tp / predicted_n if predicted_n else 0.0
        recall = tp / gold_n if gold_n else 0.0
        f1s.append(2 * precision * recall / (precision + recall) if precision + recall else 0.0)
    return {"accuracy": accuracy, "macro_f1": sum(f1s) / len(f1s)}


def majority_baseline(gold: Sequence[str]) -> dict[str, Any]:
    label, _ = Counter(gold).most_common(1)[0]
    return {"label": label, **verdict_scores(gold, [label] * len(gold))}


def verbatim_share(
    citations: Iterable[Citation], articles: Callable[[list[str]], dict[str, StoredArticle]]
) -> dict[str, Any]:
    """Of the citations shown as verified, how many still hold when re-read from the stored articles:
    the article's text at start:end (a headline: its stored title), by ``quote_holds``."""
    shown = [c for c in citations if c.verified]
    stored = articles(sorted({c.doc_id for c in shown}))
    verbatim = sum(
        c.doc_id in stored and quote_holds(stored[c.doc_id], c.quote, c.start, c.end, bool(c.headline)) for c in shown
    )
    return {"verified": len(shown), "verbatim": verbatim, "share": verbatim / len(shown) if shown else 1.0}


def evaluate_answers(
    service: Any,
    cases: Sequence[ClaimCase],
    questions: Sequence[dict[str, str]],
    mode: str,
    progress: Callable[[int], None] | None = None,
) -> dict[str, Any]:
    """Run the claim checks and the abstention questions through ``service`` (an IsnadService)."""
    started = time.perf_counter()
    gold: list[str] = []
    predicted: list[str] = []
    other_verdicts: Counter[str] = Counter()
    cited: list[Citation] = []
    source_cited = 0
    for case in cases:
        result = service.check(case.claim, mode=mode)
        cited.extend(result.citations)
        if case.label in GOLD:
            gold.append(GOLD[case.label])
            predicted.append(result.verdict)
            source_cited += any(c.url in case.urls for c in result.citations)
        else:
            other_verdicts[result.verdict] += 1
        if progress:
            progress(1)
    abstained: dict[str, list[bool]] = {}
    for q in questions:
        answer = service.ask(q["question"], mode=mode)
        cited.extend(answer.citations)
        abstained.setdefault(q["lang"], []).append(answer.abstained)
        if progress:
            progress(1)
    return {
        "dataset": "factcheck",
        "mode": mode,
        "n": len(gold),
        **verdict_scores(gold, predicted),
        "majority_baseline": majority_baseline(gold) if gold else None,
        "predicted": dict(Counter(predicted)),
        "source_article_cited": source_cited / len(gold) if gold else 0.0,
        "other": {"n": sum(other_verdicts.values()), "verdicts": dict(other_verdicts)},
        "verified_citations": verbatim_share(cited, service.index.get_articles),
        "abstention_out_of_corpus": {
            lang: {"n": len(flags), "abstained": sum(flags) / len(flags)} for lang, flags in sorted(abstained.items())
        },
        "seconds": round(time.perf_counter() - started, 1),
    }
