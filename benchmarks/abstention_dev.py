"""Abstention on the questions chosen on (docs/benchmarks.md, "Abstention, issue 11 part 4"):

    python benchmarks/abstention_dev.py --index-dir INDEX [--mode llm]

- sample_corpus/eval/out_of_corpus_dev.jsonl: questions the sample corpus does not answer
  (every one should be abstained from), per language;
- sample_corpus/eval/answerable_dev.jsonl: near-domain questions it does answer (none should be).
- with ``--xquad-every N``, every Nth XQuAD question (Arabic and English: Wikipedia's Super Bowl 50,
  Warsaw, the Normans, chloroplasts…) asked of the news index: a larger set of questions the sample
  corpus mostly does not answer. Mostly, not all (a few XQuAD articles touch Islamism, Kenya or the
  1973 oil crisis): its abstention rate is a reading, not a goal.
INDEX is an `isnad ingest --sample` index. Prints JSON per set and language, with the questions
decided wrongly (the first 20 answered, for XQuAD). The held-out out_of_corpus.jsonl is measured by
`isnad eval answers`, not here.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from false_abstention import abstentions  # noqa: E402

from assistant.evaluation.answer_eval import load_questions  # noqa: E402
from assistant.evaluation.retrieval_eval import load_xquad  # noqa: E402
from assistant.service import IsnadService  # noqa: E402
from assistant.settings import Settings  # noqa: E402

EVAL = ROOT / "sample_corpus" / "eval"
DATA = ROOT.parent / "shared" / "data"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--index-dir", type=Path, required=True)
    parser.add_argument("--mode", choices=("extractive", "llm"), default="extractive",
                        help="llm: English questions not covered as asked are judged again with their translation")
    parser.add_argument("--xquad-every", type=int, default=0, help="also ask every Nth XQuAD question of the news")
    args = parser.parse_args(argv)
    service = IsnadService.from_settings(Settings(_env_file=None, data_dir=args.index_dir, mode=args.mode))
    for name, should_abstain in (("out_of_corpus_dev", True), ("answerable_dev", False)):
        rows = load_questions(EVAL / f"{name}.jsonl")
        for lang in ("ar", "en"):
            questions = [r["question"] for r in rows if r["lang"] == lang]
            result = abstentions(service, questions, mode=args.mode)
            wrong = set(questions) - set(result["declined"]) if should_abstain else result["declined"]
            del result["declined"]
            print(json.dumps({"set": name, "lang": lang, **result, "wrong": sorted(wrong)}, ensure_ascii=False),
                  flush=True)
    for lang in ("ar", "en") if args.xquad_every else ():
        questions = [q.text for q in load_xquad(DATA, lang).questions][:: args.xquad_every]
        result = abstentions(service, questions, mode=args.mode)
        declined = set(result.pop("declined"))
        answered = [q for q in questions if q not in declined]
        print(json.dumps({"set": "xquad_over_news", "lang": lang, "every": args.xquad_every, **result,
                          "wrong": answered[:20]}, ensure_ascii=False), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
