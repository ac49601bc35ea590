"""The embedded llama.cpp's memory and prompt-cache settings, its metrics, and the bench's llm row."""

from __future__ import annotations

import importlib.util
import math
import threading
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from conftest import CACHE_DIR

from assistant.evaluation.bench import format_report, llm_line
from assistant.evaluation.llm_timing import rss_mb as process_rss_mb
from assistant.llm.embedded import DEFAULT_PROMPT_CACHE_MIB, EmbeddedLLMServer, _sever_connections, parse_metrics
from assistant.prompts import chat_prompt
from assistant.settings import Settings

PROMPTS = Path(__file__).resolve().parents[2] / "prompts"
METRICS = """# HELP llamacpp:prompt_tokens_total Number of prompt tokens processed, excluding cached tokens
# TYPE llamacpp:prompt_tokens_total counter
llamacpp:prompt_tokens_total 751
llamacpp:prompt_tokens_cached_total 366
llamacpp:prompt_seconds_total 22.04
llamacpp:requests_processing 0
llamacpp:broken notanumber
other:thing 3
"""


def xllamacpp_or_skip():
    if importlib.util.find_spec("xllamacpp") is None:
        pytest.skip("the llm extra is not installed (pip install -e '.[llm]')")
    import xllamacpp

    return xllamacpp


@pytest.mark.unit
def test_metrics_are_read_from_prometheus_text():
    assert parse_metrics(METRICS) == {
        "prompt_tokens_total": 751.0, "prompt_tokens_cached_total": 366.0, "prompt_seconds_total": 22.04,
        "requests_processing": 0.0,
    }
    assert parse_metrics("") == {}


@pytest.mark.unit
def test_a_stopped_server_has_no_metrics(tmp_path: Path):
    assert EmbeddedLLMServer(tmp_path / "none.gguf").metrics() == {}


@pytest.mark.unit
def test_the_model_is_read_into_memory_and_the_prompt_cache_is_bounded(tmp_path: Path):
    xllamacpp = xllamacpp_or_skip()
    modes = xllamacpp.llama_load_mode
    params = EmbeddedLLMServer(tmp_path / "m.gguf", context_tokens=2048, threads=1).server_params(xllamacpp)
    assert params.load_mode == modes.LLAMA_LOAD_MODE_NONE
    assert params.cache_ram_mib == DEFAULT_PROMPT_CACHE_MIB < xllamacpp.CommonParams().cache_ram_mib
    assert params.cache_prompt and params.n_parallel == 1 and params.n_ctx == 2048
    assert params.endpoint_metrics
    mapped = EmbeddedLLMServer(tmp_path / "m.gguf", mmap=True, prompt_cache_mib=0).server_params(xllamacpp)
    assert mapped.load_mode == modes.LLAMA_LOAD_MODE_MMAP and mapped.cache_ram_mib == 0


@pytest.mark.unit
def test_settings_name_the_same_defaults():
    settings = Settings(_env_file=None)
    assert settings.llm_mmap is False and settings.llm_prompt_cache_mib == DEFAULT_PROMPT_CACHE_MIB


@pytest.mark.unit
def test_the_report_has_an_llm_line_when_the_llm_row_was_measured():
    row = {"n": 3, "first_draft_p50_s": 4.2, "first_draft_max_s": 6.1, "checked_p50_s": 9.5, "checked_max_s": 14.0,
           "used_model": 2, "rss_mb": 2900.0}
    line = llm_line(row)
    for expected in ("n=3", "first drafted token p50 4.2 s", "checked answer p50 9.5 s", "2 of 3", "2900.0 MB"):
        assert expected in line
    side = {"ingest_s": 1.0, "articles_per_s": 1.0, "chunks_per_s": 1.0, "tokens_per_s": 1, "chunks": 1,
            "index_mb": 1.0, "peak_rss_mb": 1.0, "retrieve": {"p50_ms": 1.0, "p95_ms": 1.0},
            "quality": {"recall@1": 1.0, "recall@5": 1.0, "mrr@10": 1.0}, "reingest_s": 0.1,
            "reingest_unchanged": 1, "reingest_ratio": 0.1, "answer_extractive": {"p50_ms": 1.0, "p95_ms": 1.0},
            "retrieve_with_sentence_stage": {"p50_ms": 1.0, "p95_ms": 1.0}}
    machine = {"date": "d", "cpu": "c", "cores": 2, "avx512": True, "amx": False, "memory_gb": 1, "torch": "t",
               "torch_threads": 2}
    result: dict[str, Any] = {
        "machine": machine, "corpus": {"articles": 1, "load_s": 1.0},
        "scales": [{"scale": 1, "articles": 1, "questions": 1, "isnad": side | {"answer_llm": row}}],
    }
    assert line in format_report(result)
    result["scales"][0]["isnad"] = side
    assert "llm answer" not in format_report(result)


# --------------------------------------------------------------------------------------------
# The real model
# --------------------------------------------------------------------------------------------


def rss_mb() -> float:
    """This process's resident set (``llm_timing.rss_mb``); the test is skipped where /proc is missing."""
    resident = process_rss_mb()
    if math.isnan(resident):
        pytest.skip("no /proc/self/status")
    return resident


def answer_messages(language: str, evidence: str, question: str) -> list[dict[str, str]]:
    """The answer prompt as the service builds it (system prompt first), as OpenAI messages."""
    messages = chat_prompt(PROMPTS, "answer_system", language, "answer_user").invoke(
        {"evidence": evidence, "question": question}
    ).to_messages()
    roles = {"system": "system", "human": "user"}
    return [{"role": roles[m.type], "content": str(m.content)} for m in messages]


def post(server: EmbeddedLLMServer, messages: list[dict[str, str]]) -> dict[str, float]:
    """Send one chat request (one token); return the metrics' change it caused."""
    import httpx

    before = server.metrics()
    httpx.post(f"{server.base_url}/chat/completions", json={"messages": messages, "max_tokens": 1}, timeout=300)
    after = server.metrics()
    return {k: after[k] - before.get(k, 0.0) for k in ("prompt_tokens_total", "prompt_tokens_cached_total")}


@pytest.mark.llm
def test_the_system_prompt_is_computed_once_and_comes_back_after_another_prompt():
    """One slot and the prompt cache: a second answer prompt reuses the system prompt; after the
    translation prompt took the slot, the answer prompt's prefix comes back from the RAM cache.
    And the model read into memory costs well under the ~1.85 GB it took memory-mapped."""
    xllamacpp_or_skip()
    from assistant.llm.gguf import assemble_gguf

    before = rss_mb()
    with EmbeddedLLMServer(assemble_gguf(CACHE_DIR), context_tokens=4096, threads=2) as server:
        assert rss_mb() - before < 1500, "the model read into memory, not mapped beside its repacked copy"
        evidence = "[1] (BBC Arabic, 2018-10-11) قال مسؤول إن نحو 2000 جندي أمريكي ما زالوا في سوريا."
        first = post(server, answer_messages("ar", evidence, "كم عدد الجنود؟"))
        second = post(server, answer_messages("ar", evidence.replace("2000", "900"), "كم عدد الجنود الأمريكيين؟"))
        assert first["prompt_tokens_total"] > 300, "the first request computes the whole system prompt"
        assert second["prompt_tokens_cached_total"] >= 300
        assert second["prompt_tokens_total"] < first["prompt_tokens_total"] - 250
        translate = [{"role": "system", "content": (PROMPTS / "translate_query_en.txt").read_text()},
                     {"role": "user", "content": "How many US troops remain in Syria?"}]
        post(server, translate)
        again = post(server, answer_messages("ar", evidence, "كم عدد الجنود في سوريا؟"))
        assert again["prompt_tokens_cached_total"] >= 300, "restored from the RAM prompt cache"


@pytest.mark.llm
def test_the_bench_llm_row_times_the_real_model(llm_service):
    from assistant.evaluation.bench import llm_row

    row = llm_row(llm_service, ["كم عدد الجنود الأمريكيين الذين بقوا في سوريا؟"])
    assert row["n"] == row["drafted"] == 1, "the model drafted an answer (the draft progress event came)"
    assert 0 < row["first_draft_p50_s"] <= row["checked_p50_s"]
    assert row["prompt_tokens_cached_p50"] >= 300, "after the warm-up the system prompt comes from the cache"
    assert row["rss_mb"] > 1000


@pytest.mark.llm
def test_warm_up_computes_the_system_prompts_before_the_first_question(tmp_path: Path):
    from assistant.llm.client import WARM_PROMPTS, ChatBackend

    xllamacpp_or_skip()
    backend = ChatBackend(Settings(_env_file=None, cache_dir=CACHE_DIR, data_dir=tmp_path, prompts_dir=PROMPTS))
    try:
        assert backend.warm_up() == len(WARM_PROMPTS)
        # the two answer system prompts (~330 tokens each) and the shorter translation one (~100)
        assert backend.server_metrics()["prompt_tokens_total"] > 700
        server = backend._server
        for language in ("en", "ar"):  # en comes back from the RAM cache, ar is still in the slot
            first = post(server, answer_messages(language, "[1] (BBC Arabic, 2018-10-11) 2000 جندي.", "كم؟"))
            assert first["prompt_tokens_cached_total"] >= 250, f"the {language} system prompt was computed ahead"
    finally:
        backend.close()
    remote = Settings(_env_file=None, llm_provider="openai", llm_base_url="http://127.0.0.1:9/v1")
    assert ChatBackend(remote).warm_up() == 0, "a remote endpoint is not sent warm-up requests"


@pytest.mark.parametrize("mode", ["llm", "extractive"])
def test_serve_warms_the_llm_up_in_the_background_in_llm_mode_only(mode: str):
    """`isnad serve` starts the warm-up beside the UI (never blocking it); extractive mode loads no model."""
    from assistant.ui.page import begin_llm_warm_up

    started = threading.Event()

    def warm_up() -> int:
        started.set()
        return 3

    service = SimpleNamespace(settings=Settings(_env_file=None, mode=mode), llm=SimpleNamespace(warm_up=warm_up))
    thread = begin_llm_warm_up(service)  # type: ignore[arg-type]
    if mode == "extractive":
        assert thread is None and not started.is_set()
        return
    assert thread is not None and thread.daemon
    thread.join(5)
    assert started.is_set()


def test_severing_connections_leaves_no_file_descriptor_behind(tmp_path: Path):
    """Stopping the server looks at every open fd; each one that is not a socket was duplicated and
    never closed, so the process's fds doubled at every stop (the suite then ran out of them)."""
    import os
    import socket

    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    client = socket.create_connection(("127.0.0.1", port))
    accepted, _ = listener.accept()
    files = [(tmp_path / f"f{n}").open("w") for n in range(5)]
    try:
        before = len(os.listdir("/proc/self/fd"))
        assert _sever_connections(port) == 1  # the accepted connection, not the listener
        assert _sever_connections(port + 1 if port < 65535 else port - 1) == 0
        assert len(os.listdir("/proc/self/fd")) == before
        assert client.recv(1) == b""  # the client sees the connection closed
    finally:
        for f in files:
            f.close()
        for s in (client, accepted, listener):
            s.close()


def test_a_failing_warm_up_is_logged_not_raised(monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture):
    """The warm-up runs in a background thread: any failure (here the client's own connection error,
    not an IsnadError) only costs the first question its time."""
    from assistant.llm.client import ChatBackend

    backend = ChatBackend(Settings(_env_file=None))

    def refused() -> Any:
        raise ConnectionError("connection refused")

    monkeypatch.setattr(backend, "chat_model", refused)
    assert backend.warm_up() == 0
    assert "warm-up stopped after 0 prompt(s): connection refused" in caplog.text
