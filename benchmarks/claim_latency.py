"""Claim-check latency: `isnad check` (extractive) on ANS dev claims over an index of the whole
sample corpus, one claim at a time, after one warm-up claim (docs/benchmarks.md, issue 14).

    python benchmarks/claim_latency.py --index-dir INDEX [--claims 60]

Prints JSON: n, p50_s, p95_s, max_s, the share of the time spent retrieving, ranking and judging,
and the embedding runtime.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.service import IsnadService  # noqa: E402
from assistant.settings import Settings  # noqa: E402

CLAIMS = ROOT.parent / "shared" / "data" / "factcheck" / "ans_x_ant_claims.jsonl"


def dev_claims(limit: int) -> list[str]:
    with CLAIMS.open(encoding="utf-8") as lines:
        rows = [json.loads(line) for line in lines if line.strip()]
    return [row["claim"] for row in rows if row["ans_split"] == "dev"][:limit]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--index-dir", type=Path, required=True)
    parser.add_argument("--claims", type=int, default=60)
    args = parser.parse_args(argv)
    service = IsnadService.from_settings(Settings(data_dir=args.index_dir, mode="extractive"))
    claims = dev_claims(args.claims + 1)
    service.check(claims[0])  # warm-up: models loaded, caches filled
    totals: list[float] = []
    parts: dict[str, float] = {}
    for claim in claims[1:]:
        started = time.perf_counter()
        result = service.check(claim)
        totals.append(time.perf_counter() - started)
        for key, value in result.timings.items():
            parts[key] = parts.get(key, 0.0) + value
    totals.sort()
    print(json.dumps({
        "n": len(totals),
        "p50_s": round(statistics.median(totals), 3),
        "p95_s": round(totals[min(len(totals) - 1, int(0.95 * len(totals)))], 3),
        "max_s": round(totals[-1], 3),
        "mean_parts_s": {k: round(v / len(totals), 3) for k, v in parts.items()},
        "embedding_runtime": service.embedder.runtime,
    }))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
