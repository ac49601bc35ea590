"""False abstention: answerable questions and claims that Isnad declines (docs/benchmarks.md,
"Abstention, issue 11 part 4"). Every abstention counted here is a false one.

    python benchmarks/false_abstention.py --index-dir INDEX [--every 1] [--sets ans,xquad] [--xquad-lang en]

- XQuAD: the Arabic (or, with ``--xquad-lang en``, English) questions over the 240 XQuAD Arabic
  paragraphs (indexed in a temporary folder), every ``--every``-th question, asked as
  `isnad ask --mode extractive` decides to abstain.
- ANS dev claims (agree / disagree) whose source article is in INDEX (an `isnad ingest --sample`
  index), checked as `isnad check` decides whether the sources cover the claim.
Prints JSON: n and abstained for each set, the texts declined, and the seconds each took.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.evaluation.answer_eval import GOLD, load_claims  # noqa: E402
from assistant.evaluation.retrieval_eval import load_xquad  # noqa: E402
from assistant.service import IsnadService  # noqa: E402
from assistant.settings import Settings  # noqa: E402

DATA = ROOT.parent / "shared" / "data"


def abstentions(
    service: IsnadService, texts: list[str], as_claims: bool = False, mode: str = "extractive"
) -> dict[str, Any]:
    started = time.perf_counter()
    declined = []
    for text in texts:
        if not service._evidence(text, mode, None, claim=as_claims).covered:
            declined.append(text)
    seconds = round(time.perf_counter() - started, 1)
    return {"n": len(texts), "abstained": len(declined), "seconds": seconds, "declined": declined}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--index-dir", type=Path, required=True)
    parser.add_argument("--every", type=int, default=1)
    parser.add_argument("--sets", default="ans,xquad", help="comma-separated: ans, xquad")
    parser.add_argument("--xquad-lang", choices=("ar", "en"), default="ar", help="the XQuAD questions' language")
    args = parser.parse_args(argv)
    sets = set(args.sets.split(","))
    full = IsnadService.from_settings(Settings(_env_file=None, data_dir=args.index_dir, mode="extractive"))
    urls = {a.url for a in full.library() if a.url}
    cases = load_claims(DATA / "factcheck" / "ans_x_ant_claims.jsonl", urls, "dev")
    claims = [c.claim for c in cases if c.label in GOLD]
    if "ans" in sets:
        result = {"set": "ans_dev_claims", **abstentions(full, claims, as_claims=True)}
        print(json.dumps(result, ensure_ascii=False), flush=True)
    if "xquad" not in sets:
        return 0
    xquad = load_xquad(DATA, args.xquad_lang)
    with tempfile.TemporaryDirectory(prefix="isnad-abstain-") as tmp:
        settings = Settings(_env_file=None, data_dir=Path(tmp), mode="extractive")
        service = IsnadService.from_settings(settings, embedder=full.embedder)
        service.index.ingest(xquad.articles)
        questions = [q.text for q in xquad.questions][:: args.every]
        result = {"set": f"xquad_{args.xquad_lang}", "every": args.every, **abstentions(service, questions)}
        print(json.dumps(result, ensure_ascii=False), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
