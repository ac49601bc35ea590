"""Best same-language similarity of answerable and out-of-corpus Arabic questions, for choosing
ISNAD_MIN_RELEVANCE_SAME_LANGUAGE (docs/benchmarks.md, "Abstention"). Not a test: it prints, per
set, how many questions each candidate bar would leave uncovered (the answer would abstain).

    python benchmarks/abstention_calibration.py --index-dir DIR   # DIR: `isnad ingest --sample` index

Sets: the Arabic questions of out_of_corpus_dev.jsonl (choose on these) and out_of_corpus.jsonl
(held out), 60 answerable ANS train claims and the troops questions over the seed article alone;
then XQuAD Arabic questions (every 8th) and all 30 out-of-corpus questions over the 240 XQuAD
paragraphs, each in a temporary index.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.evaluation.answer_eval import load_claims, load_questions  # noqa: E402
from assistant.evaluation.retrieval_eval import load_xquad  # noqa: E402
from assistant.evidence import best_similarity  # noqa: E402
from assistant.service import IsnadService  # noqa: E402
from assistant.settings import Settings  # noqa: E402

DATA = ROOT.parent / "shared" / "data"
EVAL = ROOT / "sample_corpus" / "eval"
TROOPS = ["كم عدد الجنود الأمريكيين الذين بقوا في سوريا؟", "كم عدد الجنود الأمريكيين في سوريا؟"]
BARS = (0.80, 0.81, 0.82, 0.83, 0.85)


def arabic_questions(name: str) -> list[str]:
    return [q["question"] for q in load_questions(EVAL / name) if q["lang"] == "ar"]


def best_same_language(service: IsnadService, question: str) -> float:
    """The similarity the coverage bar is compared with: the best sentence in the question's language."""
    query, ranked, _, _ = service._evidence(question, "extractive", None)
    same = [s for s in ranked if s.chunk.language == query.language]
    return best_similarity(same or ranked)


def temporary_service(embedder_from: IsnadService) -> IsnadService:
    folder = Path(tempfile.mkdtemp(prefix="isnad-calibration-"))
    return IsnadService.from_settings(Settings(data_dir=folder, mode="extractive"), embedder=embedder_from.embedder)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--index-dir", type=Path, required=True, help="an index of the whole sample corpus")
    args = parser.parse_args(argv)

    sample = IsnadService.from_settings(Settings(data_dir=args.index_dir, mode="extractive"))
    urls = {a.url for a in sample.library() if a.url}
    claims = [c.claim for c in load_claims(DATA / "factcheck" / "ans_x_ant_claims.jsonl", urls, "train", 90)
              if c.label != "other"]
    seed = temporary_service(sample)
    seed.ingest_paths([ROOT / "sample_corpus" / "seed_article_ar.json"])
    xquad = temporary_service(sample)
    questions = load_xquad(DATA, "ar")
    xquad.index.ingest(questions.articles)
    out_of_corpus = arabic_questions("out_of_corpus_dev.jsonl") + arabic_questions("out_of_corpus.jsonl")
    sets = {
        "out-of-corpus dev (sample)": (sample, arabic_questions("out_of_corpus_dev.jsonl")),
        "out-of-corpus held out (sample)": (sample, arabic_questions("out_of_corpus.jsonl")),
        "answerable ANS train claims (sample)": (sample, claims),
        "troops questions (seed alone)": (seed, TROOPS),
        "XQuAD every 8th (XQuAD)": (xquad, [q.text for q in questions.questions[::8]]),
        "all out-of-corpus (XQuAD)": (xquad, out_of_corpus),
    }
    report = {}
    for name, (service, asked) in sets.items():
        scores = sorted(best_same_language(service, q) for q in asked)
        report[name] = {
            "n": len(scores),
            "min": round(scores[0], 4),
            "median": round(scores[len(scores) // 2], 4),
            "uncovered": {str(bar): sum(s < bar for s in scores) for bar in BARS},
        }
        print(json.dumps({name: report[name]}, ensure_ascii=False), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
