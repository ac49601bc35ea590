"""llm-mode latency and memory, one question at a time (issue 12 part 2):

    python benchmarks/llm_latency.py --data-dir /tmp/isnad-llm [-n 6] [--out result.json]

Opens the index (``--data-dir``, a copy of the full sample index: the service may write caches),
asks one extractive warm-up question, loads the embedded LLM, asks one llm warm-up question
(reported apart: the prompt cache is cold unless ``--prime`` had the system prompts computed
first, see ``ChatBackend.warm_up``), then asks ``-n`` questions in llm mode through
``IsnadService.ask`` (the troops question in Arabic and English, then questions of
sample_corpus/eval/answerable_dev.jsonl, alternating languages). For each it records the seconds
to the extractive answer, to the first drafted token (the progress callback's first "draft"
event), to the checked answer, whether the model's answer was used or fell back (and the notice),
the prompt tokens llama.cpp processed and took from its cache (``/metrics`` deltas, the English
question's translation call included) and the load average. Memory: the resident set (VmRSS) with
the index open, with the LLM loaded (idle) and after the questions, and the process peak
(``ru_maxrss``). Prints JSON (and writes it to ``--out``). Settings come from the environment
(``ISNAD_LLM_*``), so ``ISNAD_LLM_CONTEXT_TOKENS=2048 python benchmarks/llm_latency.py ...`` compares.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # before llama.cpp is loaded (assistant/llm/embedded.py)

from assistant.evaluation.answer_eval import load_questions  # noqa: E402
from assistant.evaluation.bench import machine, peak_rss_mb  # noqa: E402
from assistant.evaluation.llm_timing import ask_timed, rss_mb, summary  # noqa: E402
from assistant.service import IsnadService  # noqa: E402
from assistant.settings import Settings  # noqa: E402

REPORTED = ("context_budget_tokens", "translate_questions")
EVAL = ROOT / "sample_corpus" / "eval"
TROOPS = ["كم عدد الجنود الأمريكيين الذين بقوا في سوريا؟", "How many US troops remain in Syria?"]
WARMUP = "كم عدد القتلى في سوريا؟"


def questions(n: int) -> list[str]:
    """The troops question in both languages, then dev questions alternating Arabic and English."""
    records = load_questions(EVAL / "answerable_dev.jsonl")
    arabic = [r["question"] for r in records if r["lang"] == "ar"]
    english = [r["question"] for r in records if r["lang"] == "en"]
    mixed = [q for pair in zip(arabic, english, strict=False) for q in pair]
    return (TROOPS + mixed)[:n]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", type=Path, required=True, help="The index (a copy: caches may be written).")
    parser.add_argument("-n", type=int, default=6, help="Questions timed after the warm-ups.")
    parser.add_argument("--out", type=Path, help="Also write the JSON here.")
    parser.add_argument("--prime", action="store_true",
                        help="Have the system prompts computed before the first question (ChatBackend.warm_up).")
    args = parser.parse_args(argv)
    settings = Settings(data_dir=args.data_dir, mode="llm")
    service = IsnadService.from_settings(settings)
    service.ask(WARMUP, mode="extractive")
    memory = {"index_open_mb": rss_mb()}
    service.llm.chat_model()  # loads the embedded model
    time.sleep(1)
    memory["llm_loaded_idle_mb"] = rss_mb()
    primed = time.perf_counter()
    prime = {"prompts": service.llm.warm_up(), "s": round(time.perf_counter() - primed, 1)} if args.prime else None
    warmup = ask_timed(service, WARMUP)
    rows = [ask_timed(service, q) for q in questions(args.n)]
    memory["after_questions_mb"] = rss_mb()
    memory["peak_mb"] = peak_rss_mb()
    result = {
        "machine": machine(),
        "load_avg": os.getloadavg(),
        "settings": {k: v for k, v in settings.model_dump(mode="json").items() if k in REPORTED or
                     (k.startswith("llm_") and k != "llm_api_key")},
        "memory": memory,
        "summary": summary(rows),
        "prime": prime,
        "warmup": warmup,
        "questions": rows,
    }
    service.close()
    text = json.dumps(result, ensure_ascii=False, indent=1)
    if args.out:
        args.out.write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
