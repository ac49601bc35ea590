"""Time adding one page (one article) to an existing index, and deleting it again: embedding, BM25, the rest.

    ISNAD_DATA_DIR=/tmp/isnad-full isnad ingest --sample      # once: the full sample index
    cp -a /tmp/isnad-full /tmp/isnad-copy
    python benchmarks/ingest_one_page.py --data-dir /tmp/isnad-copy --embedding-dtype bfloat16 --repeat 3

The page is the shipped seed article with a dated update line (so it is new to the index), written
to a file and ingested with ``IsnadService.ingest_paths``. Each round adds it and deletes it, so the
index ends as it began. Embedding time is what ``encode_passages`` took; BM25 time is what the BM25
cache took to follow the change (whichever of the cache's methods this checkout has). Prints JSON.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.service import IsnadService  # noqa: E402
from assistant.settings import Settings  # noqa: E402
from ingest.loaders import load_paths  # noqa: E402

SPENT: dict[str, float] = defaultdict(float)
# The BM25 cache's work on a write: a full rebuild from Chroma before (NewsIndex.refresh_lexical),
# bringing the cache up to date and applying the change after (Bm25Cache.start_change / finish).
BM25_METHODS = (("vectorstore.store", "NewsIndex", "refresh_lexical"),
                ("vectorstore.bm25_cache", "Bm25Cache", "start_change"),
                ("vectorstore.bm25_cache", "Bm25Cache", "finish"))


def timed(label: str, function: Callable[..., Any]) -> Callable[..., Any]:
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            SPENT[label] += time.perf_counter() - started

    return wrapper


def instrument(service: IsnadService) -> None:
    service.embedder.encode_passages = timed("embedding", service.embedder.encode_passages)  # type: ignore[method-assign]
    for module_name, class_name, method in BM25_METHODS:
        try:
            module = __import__(module_name, fromlist=[class_name])
        except ImportError:
            continue
        owner = getattr(module, class_name)
        setattr(owner, method, timed("bm25", getattr(owner, method)))


def write_page(folder: Path) -> Path:
    seed = json.loads((ROOT / "sample_corpus" / "seed_article_ar.json").read_text(encoding="utf-8"))
    seed["text"] += "\n\nتحديث: أكدت وزارة الدفاع الأمريكية صحة هذه الأرقام في بيان صدر اليوم."
    page = folder / "one_page.json"
    page.write_text(json.dumps(seed, ensure_ascii=False), encoding="utf-8")
    return page


def one_round(service: IsnadService, page: Path) -> dict[str, float]:
    SPENT.clear()
    started = time.perf_counter()
    report = service.ingest_paths([page])
    added = time.perf_counter() - started
    assert report.added == 1, report
    doc_id = load_paths([page]).articles[0].doc_id
    add = {"add_s": added, "add_embedding_s": SPENT["embedding"], "add_bm25_s": SPENT["bm25"],
           "chunks": report.chunks}
    SPENT.clear()
    started = time.perf_counter()
    assert service.delete_article(doc_id)
    return add | {"delete_s": time.perf_counter() - started, "delete_bm25_s": SPENT["bm25"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data-dir", type=Path, required=True, help="an index built by `isnad ingest --sample`")
    parser.add_argument("--embedding-dtype", default="float32", choices=["float32", "bfloat16"])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    service = IsnadService.from_settings(Settings(data_dir=args.data_dir, embedding_dtype=args.embedding_dtype))
    instrument(service)
    stats = service.index.stats()
    service.embedder.encode_passages(["تهيئة النموذج"])  # the first call warms the model up
    service.index.lexical_index()  # as a server that has answered a question holds it
    with tempfile.TemporaryDirectory() as folder:
        page = write_page(Path(folder))
        rounds = [one_round(service, page) for _ in range(args.repeat)]
    medians = {key: statistics.median(r[key] for r in rounds) for key in rounds[0]}
    print(json.dumps({"index": stats, "median": medians, "rounds": rounds}, indent=1))


if __name__ == "__main__":
    main()
