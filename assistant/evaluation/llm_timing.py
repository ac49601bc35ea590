"""llm-mode timings of one question: to the extractive answer, the first drafted token, the checked answer."""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from assistant.service import IsnadService

# llama.cpp's /metrics counters reported per question (their difference before and after it).
COUNTERS = ("prompt_tokens_total", "prompt_tokens_cached_total", "prompt_seconds_total", "tokens_predicted_total",
            "tokens_predicted_seconds_total")


def rss_mb() -> float:
    """This process's resident set now (VmRSS), in MB; NaN where /proc is missing."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return float("nan")


def ask_timed(service: IsnadService, question: str) -> dict[str, Any]:
    """Ask ``question`` in llm mode: the seconds to each progress event, the outcome, the prompt tokens
    the embedded llama.cpp processed and took from its cache (translation call included)."""
    seen: dict[str, float] = {}
    before = service.llm.server_metrics()
    load = os.getloadavg()[0]
    started = time.perf_counter()

    def progress(stage: str, detail: dict[str, Any]) -> None:
        seen.setdefault(stage, time.perf_counter() - started)

    answer = service.ask(question, mode="llm", progress=progress)
    checked = time.perf_counter() - started
    after = service.llm.server_metrics()
    drafting, first = seen.get("drafting"), seen.get("draft")
    return {
        "question": question,
        "language": answer.language,
        "load_1min": round(load, 2),
        "extractive_s": _rounded(seen.get("extractive")),
        "first_draft_s": _rounded(first),
        "first_draft_after_drafting_s": _rounded(first - drafting if first is not None and drafting else None),
        "checked_s": round(checked, 2),
        "used_model": answer.mode == "llm",
        "abstained": answer.abstained,
        "notice": answer.notice,
        "answer": answer.answer,
        "tokens": {name: round(after.get(name, 0.0) - before.get(name, 0.0), 2) for name in COUNTERS},
        "timings": {k: round(v, 2) for k, v in answer.timings.items()},
    }


def summary(rows: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Medians and maxima over ``ask_timed`` rows (first-token figures over those the model drafted)."""
    drafted = [r for r in rows if r["first_draft_s"] is not None]
    return {
        "n": len(rows),
        "drafted": len(drafted),
        "used_model": sum(r["used_model"] for r in rows),
        "first_draft_p50_s": median([r["first_draft_s"] for r in drafted]),
        "first_draft_max_s": max((r["first_draft_s"] for r in drafted), default=None),
        "checked_p50_s": median([r["checked_s"] for r in rows]),
        "checked_max_s": max((r["checked_s"] for r in rows), default=None),
        "prompt_tokens_processed_p50": median([r["tokens"]["prompt_tokens_total"] for r in drafted]),
        "prompt_tokens_cached_p50": median([r["tokens"]["prompt_tokens_cached_total"] for r in drafted]),
    }


def median(values: Sequence[float]) -> float | None:
    return round(statistics.median(values), 2) if values else None


def _rounded(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds, 2)
