"""Extractive answer latency for questions asked once each (issue 12 part 2):

    python benchmarks/answer_latency.py --index-dir INDEX

Asks every question of sample_corpus/eval/answerable_dev.jsonl and out_of_corpus_dev.jsonl once
(the out-of-corpus ones end in an abstention, which runs the same retrieval and ranking), after one
warm-up question, through `IsnadService.ask(mode="extractive")`. Prints JSON: p50/p95 in ms over
all and over the answered ones (`percentiles_ms`, as `isnad bench` reports them), and the embedding
runtime (set ISNAD_EMBEDDING_DTYPE to compare).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.evaluation.answer_eval import load_questions  # noqa: E402
from assistant.evaluation.bench import percentiles_ms  # noqa: E402
from assistant.service import IsnadService  # noqa: E402
from assistant.settings import Settings  # noqa: E402

EVAL = ROOT / "sample_corpus" / "eval"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--index-dir", type=Path, required=True)
    args = parser.parse_args(argv)
    service = IsnadService.from_settings(Settings(_env_file=None, data_dir=args.index_dir, mode="extractive"))
    questions = [r["question"] for name in ("answerable_dev.jsonl", "out_of_corpus_dev.jsonl")
                 for r in load_questions(EVAL / name)]
    service.ask("كم عدد القتلى؟", mode="extractive")  # warm-up: model and index loaded
    every, answered = [], []
    for question in questions:
        started = time.perf_counter()
        answer = service.ask(question, mode="extractive")
        seconds = time.perf_counter() - started
        every.append(seconds)
        if not answer.abstained:
            answered.append(seconds)
    result = {
        "all": {"n": len(every), **percentiles_ms(every)},
        "answered": {"n": len(answered), **percentiles_ms(answered)},
        "runtime": service.embedder.runtime,
    }
    print(json.dumps(result, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
