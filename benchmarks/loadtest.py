"""Load test: simulated users ask questions while an ingest of ANT articles runs into the same index.

One IsnadService (as one `isnad serve` process holds it) serves N extractive users and M llm users,
each a thread asking a question, reading the answer, and asking again, while another thread
ingests ANT articles (../shared/data/ant) through the same service. Afterwards the index is audited:
every ingested article is there once and whole, Chroma and the BM25 cache hold the same chunks.

    python benchmarks/loadtest.py --users 8 --llm-users 2 --articles 1000      # `make loadtest`
    python benchmarks/loadtest.py --users 4 --articles 30 --json              # a quick run

Loopback only, bounded: users keep asking until the ingest is done (after at least --min-questions
each) or stop at --max-questions. Prints a JSON report (``--json``) or a Markdown table row set.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import random
import resource
import statistics
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
# Threads of llama.cpp and torch share the cores here: spinning OpenMP threads would starve each
# other (assistant/local_llm.py measured decoding collapse without this).
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

from assistant.evaluation.audit import audit_index  # noqa: E402
from assistant.process_memory import limit_malloc_arenas  # noqa: E402
from assistant.service import IsnadService  # noqa: E402
from assistant.settings import Settings  # noqa: E402
from ingest.loaders import load_paths  # noqa: E402

ANT = ROOT.parent / "shared" / "data" / "ant" / "ant_middleeast_international.jsonl.gz"
SEED = ROOT / "sample_corpus" / "seed_article_ar.json"
QUESTIONS = [
    "كم عدد الجنود الأمريكيين الذين بقوا في سوريا؟",
    "How many US troops remain in Syria?",
    "When will the coalition mission in Iraq end?",
    "متى تنتهي مهمة التحالف الدولي في العراق؟",
    "What happened in Gaza?",
    "ما آخر تطورات الأزمة في اليمن؟",
    "Who met the Iranian foreign minister?",
    "ماذا قال وزير الخارجية السعودي؟",
]


def ant_records(count: int) -> list[dict[str, Any]]:
    """``count`` ANT articles spread over the whole file (all five outlets), each URL and text once."""
    with gzip.open(ANT, "rt", encoding="utf-8") as lines:
        records = [json.loads(line) for line in lines]
    stride = max(1, len(records) // max(count, 1))
    chosen: list[dict[str, Any]] = []
    urls: set[str] = set()
    texts: set[str] = set()
    for offset in range(stride):
        for record in records[offset::stride]:
            if len(chosen) == count:
                return chosen
            if record["text"].strip() and record["url"] not in urls and record["text"] not in texts:
                urls.add(record["url"])
                texts.add(record["text"])
                chosen.append(record)
    return chosen


def write_jsonl(records: list[dict[str, Any]], path: Path) -> Path:
    with path.open("w", encoding="utf-8") as out:
        for record in records:
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    return path


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


@dataclass
class Asked:
    user: str
    mode: str
    question: str
    seconds: float
    answer_mode: str = ""
    citations: int = 0
    unverified: int = 0
    notice: str | None = None
    error: str | None = None


@dataclass
class LoadReport:
    users: int
    llm_users: int
    articles: int
    asked: list[Asked] = field(default_factory=list)
    ingest: dict[str, Any] = field(default_factory=dict)
    audit: dict[str, Any] = field(default_factory=dict)
    missing_articles: int = 0
    unexpected_articles: int = 0
    wall_s: float = 0.0
    peak_rss_mb: float = 0.0
    index_mb: float = 0.0

    @property
    def errors(self) -> list[str]:
        found = [f"{a.user}: {a.question[:40]!r}: {a.error}" for a in self.asked if a.error]
        found += [f"{a.user}: {a.question[:40]!r}: {a.unverified} unverified citations" for a in self.asked
                  if a.unverified]
        if self.ingest.get("error"):
            found.append(f"ingest: {self.ingest['error']}")
        return found

    def latency(self, mode: str) -> dict[str, float]:
        seconds = [a.seconds for a in self.asked if a.mode == mode and not a.error]
        return {
            "n": len(seconds),
            "p50": round(percentile(seconds, 0.50), 2),
            "p95": round(percentile(seconds, 0.95), 2),
            "max": round(max(seconds), 2) if seconds else float("nan"),
            "mean": round(statistics.fmean(seconds), 2) if seconds else float("nan"),
        }

    def summary(self) -> dict[str, Any]:
        return {
            "users": self.users,
            "llm_users": self.llm_users,
            "articles": self.articles,
            "questions": len(self.asked),
            "questions_per_s": round(len(self.asked) / self.wall_s, 3) if self.wall_s else 0.0,
            "extractive": self.latency("extractive"),
            "llm": self.latency("llm"),
            "llm_fallbacks": sum(1 for a in self.asked if a.mode == "llm" and a.answer_mode == "extractive"),
            "errors": self.errors,
            "ingest": self.ingest,
            "audit": self.audit,
            "missing_articles": self.missing_articles,
            "unexpected_articles": self.unexpected_articles,
            "wall_s": round(self.wall_s, 1),
            "peak_rss_mb": round(self.peak_rss_mb),
            "index_mb": round(self.index_mb, 1),
        }


def _user(
    service: IsnadService, name: str, mode: str, pool: list[str], done: threading.Event, out: list[Asked],
    *, min_questions: int, max_questions: int, think_s: float, seed: int,
) -> None:
    rng = random.Random(seed)
    asked = 0
    while asked < max_questions and not (done.is_set() and asked >= min_questions):
        question = rng.choice(pool)
        record = Asked(name, mode, question, 0.0)
        started = time.perf_counter()
        try:
            answer = service.ask(question, mode=mode)
            record.answer_mode = answer.mode
            record.citations = len(answer.citations)
            record.unverified = sum(1 for c in answer.citations if not c.verified)
            record.notice = answer.notice
        except Exception as exc:  # every failure is a finding of the load test
            record.error = f"{type(exc).__name__}: {exc}"
        record.seconds = time.perf_counter() - started
        out.append(record)
        asked += 1
        done.wait(think_s * rng.uniform(0.5, 1.5))


def run_load(
    service: IsnadService,
    corpus: Path,
    *,
    users: int,
    llm_users: int = 0,
    min_questions: int = 2,
    max_questions: int = 200,
    llm_max_questions: int = 3,
    think_s: float = 1.0,
    questions: list[str] | None = None,
    log_every_s: float = 60.0,
) -> LoadReport:
    """Ingest ``corpus`` (a JSON Lines file) while the users ask; then audit the index."""
    expected = {a.doc_id for a in load_paths([corpus]).articles}
    before = {a.doc_id for a in service.library()}
    report = LoadReport(users, llm_users, len(expected))
    done = threading.Event()
    asked: list[Asked] = []
    embedded = [0]
    threads = [threading.Thread(target=_ingest, name="ingest", args=(service, corpus, report, done, embedded))]
    threads += _user_threads(
        service, questions or QUESTIONS, done, asked, users=users, llm_users=llm_users,
        min_questions=min_questions, max_questions=max_questions, llm_max_questions=llm_max_questions,
        think_s=think_s,
    )
    report.wall_s = _run_threads(threads, done, asked, embedded, log_every_s)
    report.asked = asked
    _record_outcome(service, report, expected, before)
    return report


def _ingest(
    service: IsnadService, corpus: Path, report: LoadReport, done: threading.Event, embedded: list[int]
) -> None:
    """Ingest ``corpus`` into ``report.ingest`` (counts, or the error) and its seconds; then set ``done``.
    ``embedded[0]`` counts the chunks embedded so far."""
    started = time.perf_counter()
    try:
        result = service.ingest_paths([corpus], progress=lambda n: embedded.__setitem__(0, embedded[0] + n))
        report.ingest = {
            "added": result.added, "unchanged": result.unchanged, "replaced": result.replaced,
            "rejected": len(result.rejected), "chunks": result.chunks,
        }
    except Exception as exc:
        report.ingest = {"error": f"{type(exc).__name__}: {exc}"}
    report.ingest["seconds"] = round(time.perf_counter() - started, 1)
    done.set()


def _user_threads(
    service: IsnadService, pool: list[str], done: threading.Event, asked: list[Asked], *, users: int,
    llm_users: int, min_questions: int, max_questions: int, llm_max_questions: int, think_s: float,
) -> list[threading.Thread]:
    """One thread per user, extractive users first, each appending to ``asked`` (seeded by its number)."""
    threads = []
    for n in range(users + llm_users):
        mode = "extractive" if n < users else "llm"
        limit = max_questions if mode == "extractive" else llm_max_questions
        threads.append(threading.Thread(
            target=_user, name=f"user{n}",
            args=(service, f"user{n}-{mode}", mode, pool, done, asked),
            kwargs={"min_questions": min(min_questions, limit), "max_questions": limit, "think_s": think_s,
                    "seed": n},
        ))
    return threads


def _run_threads(
    threads: list[threading.Thread], done: threading.Event, asked: list[Asked], embedded: list[int],
    log_every_s: float,
) -> float:
    """Start every thread, log progress every ``log_every_s`` until the ingest is done, wait for them all;
    the seconds that took."""
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    while not done.wait(log_every_s):
        print(f"[loadtest] {time.perf_counter() - started:.0f} s: {embedded[0]} chunks embedded, "
              f"{len(asked)} questions answered", file=sys.stderr, flush=True)
    for thread in threads:
        thread.join()
    return time.perf_counter() - started


def _record_outcome(service: IsnadService, report: LoadReport, expected: set[str], before: set[str]) -> None:
    """Into ``report``: ingest speed, articles lost or unexpected, the index audit, peak memory and index size."""
    if report.ingest.get("chunks"):
        report.ingest["chunks_per_s"] = round(report.ingest["chunks"] / report.ingest["seconds"], 2)
    after = {a.doc_id for a in service.library()}
    report.missing_articles = len(expected - after)
    report.unexpected_articles = len(after - expected - before)
    report.audit = audit_index(service.index).summary()
    report.peak_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    report.index_mb = sum(f.stat().st_size for f in service.settings.data_dir.rglob("*") if f.is_file()) / 1e6


def markdown(summary: dict[str, Any]) -> str:
    ex, llm, ing = summary["extractive"], summary["llm"], summary["ingest"]
    rows = [
        "| what | value |",
        "|---|---|",
        f"| users | {summary['users']} extractive + {summary['llm_users']} llm |",
        f"| ingest under load | {ing.get('added')} articles added, {ing.get('chunks')} chunks, {ing.get('seconds')} s "
        f"({ing.get('chunks_per_s')} chunks/s) |",
        f"| questions answered | {summary['questions']} in {summary['wall_s']} s "
        f"({summary['questions_per_s']} questions/s) |",
        f"| extractive latency p50 / p95 / max | {ex['p50']} / {ex['p95']} / {ex['max']} s (n={ex['n']}) |",
        f"| llm latency p50 / p95 / max | {llm['p50']} / {llm['p95']} / {llm['max']} s (n={llm['n']}, "
        f"{summary['llm_fallbacks']} fell back to quotes) |",
        f"| errors | {len(summary['errors'])} |",
        f"| lost / unexpected articles | {summary['missing_articles']} / {summary['unexpected_articles']} |",
        f"| audit (Chroma vs BM25 vs records) | {summary['audit']} |",
        f"| peak RSS | {summary['peak_rss_mb']} MB |",
        f"| index on disk | {summary['index_mb']} MB |",
    ]
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=8, help="extractive users (threads)")
    parser.add_argument("--llm-users", type=int, default=2, help="llm-mode users (threads)")
    parser.add_argument("--articles", type=int, default=1000, help="ANT articles ingested during the run")
    parser.add_argument("--min-questions", type=int, default=2)
    parser.add_argument("--max-questions", type=int, default=2000,
                        help="per extractive user: a bound; users ask until the ingest is done")
    parser.add_argument("--llm-max-questions", type=int, default=3)
    parser.add_argument("--think-s", type=float, default=1.0, help="mean pause between a user's questions")
    parser.add_argument("--data-dir", type=Path, help="index folder (default: a new temporary one)")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    args = parser.parse_args(argv)

    data_dir = args.data_dir or Path(tempfile.mkdtemp(prefix="isnad-loadtest-"))
    settings = Settings(data_dir=data_dir, mode="extractive")  # ISNAD_* variables apply
    limit_malloc_arenas(settings.malloc_arenas)  # as `isnad serve` does
    service = IsnadService.from_settings(settings)
    service.ingest_paths([SEED])  # questions about the seed article have an answer from the start
    records = ant_records(args.articles)
    corpus = write_jsonl(records, data_dir / "loadtest-ant.jsonl")
    titles = [r["title"] for r in records[:: max(1, len(records) // 20)] if r.get("title")]
    if args.llm_users:
        service.llm.chat_model()  # start the embedded model before the clock runs
    report = run_load(
        service, corpus, users=args.users, llm_users=args.llm_users, min_questions=args.min_questions,
        max_questions=args.max_questions, llm_max_questions=args.llm_max_questions, think_s=args.think_s,
        questions=QUESTIONS + titles,
    )
    service.close()
    summary = report.summary()
    summary["data_dir"] = str(data_dir)
    print(json.dumps(summary, ensure_ascii=False, indent=1) if args.json else markdown(summary))
    for error in report.errors[:20]:
        print("error:", error, file=sys.stderr)
    ok = not report.errors and report.audit.get("consistent") and not report.missing_articles
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())

