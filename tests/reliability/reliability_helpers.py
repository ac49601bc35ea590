"""Helpers for the reliability tests: `isnad` subprocesses (with their peak memory), a `chroma run`
server that can be stopped and started again on the same port, and small real corpora."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from conftest import CACHE_DIR, PROJECT_ROOT, SAMPLE, bbc_records

BIN = Path(sys.executable).parent
SYRIA_QUESTION_AR = "كم عدد الجنود الأمريكيين الذين بقوا في سوريا؟"
SYRIA_QUESTION_EN = "How many US troops remain in Syria?"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def listening(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def wait_until(condition: Callable[[], object], what: str, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"gave up waiting for {what} after {timeout:.0f} s")
        time.sleep(0.3)


def isnad_env(data_dir: Path, **settings: str | int | float) -> dict[str, str]:
    """The environment of an `isnad` subprocess: only the ISNAD_* settings a test chooses."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ISNAD_")}
    env.update(
        ISNAD_DATA_DIR=str(data_dir), ISNAD_CACHE_DIR=str(CACHE_DIR), ISNAD_MODE="extractive",
        HF_HUB_OFFLINE="1", TOKENIZERS_PARALLELISM="false", ANONYMIZED_TELEMETRY="False",
        GRADIO_ANALYTICS_ENABLED="False",
    )
    env.update({f"ISNAD_{k.upper()}": str(v) for k, v in settings.items()})
    return env


@dataclass
class Finished:
    returncode: int
    stdout: str
    stderr: str
    peak_rss: int  # bytes, of this process alone


def run_isnad(args: list[str], env: dict[str, str], cwd: Path, timeout: float = 600.0) -> Finished:
    """Run `isnad ARGS` to the end; its own peak resident memory comes from wait4's rusage.

    ``cwd`` is a test folder, so a developer's ``.env`` in the repository is never read."""
    out, err = cwd / f"isnad-{time.monotonic_ns()}.out", cwd / f"isnad-{time.monotonic_ns()}.err"
    with out.open("wb") as stdout, err.open("wb") as stderr:
        process = subprocess.Popen([str(BIN / "isnad"), *args], env=env, cwd=cwd, stdout=stdout, stderr=stderr)
        deadline = time.monotonic() + timeout
        while True:
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() > deadline:
                process.kill()
                raise TimeoutError(f"isnad {' '.join(args)} ran over {timeout:.0f} s")
            time.sleep(0.2)
    process.returncode = os.waitstatus_to_exitcode(status)  # Popen must not wait for it again
    return Finished(process.returncode, out.read_text(), err.read_text(), usage.ru_maxrss * 1024)


def write_bbc_corpus(folder: Path, bbc: int, *, seed: bool = True, name: str = "bbc.jsonl") -> Path:
    """The seed article (optional) and ``bbc`` BBC Arabic sample articles, as shipped."""
    folder.mkdir(parents=True, exist_ok=True)
    if seed:
        (folder / "seed_article_ar.json").write_bytes((SAMPLE / "seed_article_ar.json").read_bytes())
    with (folder / name).open("w", encoding="utf-8") as out:
        for record in bbc_records(limit=bbc, about_syria=0):
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    return folder


class ChromaServer:
    """A real `chroma run` on a free port; ``stop()`` and ``start()`` again keep port and data."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> ChromaServer:
        log = (self.folder / "chroma.log").open("ab")
        self.process = subprocess.Popen(
            [str(BIN / "chroma"), "run", "--path", str(self.folder / "db"), "--host", "127.0.0.1",
             "--port", str(self.port)],
            stdout=log, stderr=subprocess.STDOUT, env={**os.environ, "ANONYMIZED_TELEMETRY": "False"},
        )
        log.close()
        wait_until(lambda: listening(self.port), f"chroma run on port {self.port}")
        return self

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(timeout=60)
        self.process = None
        wait_until(lambda: not listening(self.port), f"port {self.port} to close")


def project_python() -> str:
    return str(BIN / "python")


APP = PROJECT_ROOT / "app.py"
