"""The embedded LLM: Qwen2.5-Coder-1.5B-Instruct (Q4_K_M GGUF) served in-process by llama.cpp.

:class:`EmbeddedLLMServer` runs llama.cpp's own HTTP server inside this Python process (via
``xllamacpp``) on 127.0.0.1, speaking the OpenAI API, so the rest of Isnad talks to it with
``langchain_openai.ChatOpenAI(base_url=server.base_url, api_key="unused", model=server.model_name)``
exactly as it would to a remote provider. The model file comes from :func:`assistant.llm.gguf.assemble_gguf`.

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
* Memory and the prompt cache (measured in docs/benchmarks.md, issue 12): the model file is read
  into memory (``mmap=False``: mapped pages stayed resident beside llama.cpp's repacked weights);
  with one slot and ``cache_prompt`` the fixed system prompt is computed once, and other prompts'
  prefixes are kept in a RAM prompt cache bounded by ``prompt_cache_mib``.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import logging
import os
import socket
import threading
import time
import urllib.error
import urllib.request
import weakref
from pathlib import Path
from types import TracebackType
from typing import Any

from assistant.errors import ConfigurationError, LLMUnavailableError
from assistant.llm.gguf import INSTALL_HINT

logger = logging.getLogger(__name__)

DEFAULT_MODEL_ALIAS = "qwen2.5-coder-1.5b-instruct"

_DEFAULT_START_TIMEOUT_S = 120.0
# RAM for llama.cpp's prompt cache beyond the slot itself: saved prefixes (the answer prompts of
# both languages, the translation prompt) come back from it instead of being recomputed. Its
# default, 8 GiB, let a busy server grow by gigabytes; a saved ~800-token prompt takes ~22 MB.
DEFAULT_PROMPT_CACHE_MIB = 256


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
            duplicate = os.dup(int(name))
        except OSError:
            continue  # closed meanwhile
        try:
            sock = socket.socket(fileno=duplicate)
        except OSError:  # not a socket: the duplicate must not outlive this loop (it leaked, doubling the fds)
            os.close(duplicate)
            continue
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


def parse_metrics(text: str) -> dict[str, float]:
    """Prometheus text (``llamacpp:name value`` lines) as ``{name: value}``; comments and odd lines skipped."""
    values: dict[str, float] = {}
    for line in text.splitlines():
        name, _, value = line.strip().partition(" ")
        if not name.startswith("llamacpp:"):
            continue
        try:
            values[name.removeprefix("llamacpp:")] = float(value)
        except ValueError:
            continue
    return values


_RUNNING: weakref.WeakSet[EmbeddedLLMServer] = weakref.WeakSet()


@atexit.register
def _stop_all_at_exit() -> None:
    """Stop servers still running at interpreter exit (so the destructor cannot hang on a client)."""
    for server in list(_RUNNING):
        with contextlib.suppress(OSError):  # closing sockets is all stop() does that can fail
            server.stop()


class EmbeddedLLMServer:
    """llama.cpp served in-process on 127.0.0.1 (a free port unless given) speaking the OpenAI API.

    ``start()`` loads the model (a few seconds; ~1.3 GB RSS, ~1.9 GB with ``mmap``) and returns the base URL
    (``http://127.0.0.1:PORT/v1``); it is idempotent. ``stop()`` shuts the server down and frees
    the model; it is safe to call more than once, and ``start()`` may be called again afterwards.
    Usable as a context manager. ``threads`` is used for both prompt processing and decoding;
    requests are served one at a time (a single slot of ``context_tokens`` tokens). The model is
    announced as ``model_alias`` (what ``/v1/models`` lists and responses echo); the server
    accepts any ``model`` value in requests. ``prompt_cache_mib`` bounds llama.cpp's RAM prompt cache.
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
        mmap: bool = False,
        prompt_cache_mib: int = DEFAULT_PROMPT_CACHE_MIB,
    ) -> None:
        self.gguf_path = Path(gguf_path)
        self.context_tokens = context_tokens
        self.threads = threads
        self.mmap = mmap
        self.prompt_cache_mib = prompt_cache_mib
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
            self._server = self._load()  # self._server must hold the only reference (see _stop_locked)
            address = str(self._server.listening_address).rstrip("/")
            if "://" not in address:
                address = f"http://{address}"
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

    def _load(self) -> Any:
        """A new ``xllamacpp.Server``: the model loaded and the HTTP listener started."""
        if not self.gguf_path.is_file():
            raise ConfigurationError(
                f"The embedded LLM's model file {self.gguf_path} does not exist; build it with "
                "`isnad models` (or `python -m assistant.llm.gguf CACHE_DIR`), or set ISNAD_LLM_GGUF_PATH"
            )
        try:
            import xllamacpp
        except ImportError as exc:
            raise ConfigurationError(
                f"xllamacpp is not installed, so the embedded LLM cannot run ({exc}); {INSTALL_HINT}"
            ) from exc
        params = self.server_params(xllamacpp)
        try:
            return xllamacpp.Server(params)
        except (RuntimeError, OSError) as exc:  # xllamacpp reports a failed load or bind as RuntimeError
            where = f"port {self.port}" if self.port is not None else "a free port"
            raise LLMUnavailableError(
                f"The embedded LLM failed to start on {self.HOST} ({where}) with {self.gguf_path}; "
                f"is the port taken or the file not a GGUF? llama.cpp's log above says why. ({exc})"
            ) from exc

    def server_params(self, xllamacpp: Any) -> Any:
        """The ``xllamacpp.CommonParams`` this server starts with (see the module docstring on memory)."""
        params = xllamacpp.CommonParams()
        params.model.path = str(self.gguf_path)
        params.model_alias = {self.model_alias}
        params.n_ctx = self.context_tokens
        params.n_parallel = 1  # one slot: one KV cache of n_ctx, and its prefix is reused by the next request
        params.cache_prompt = True  # llama.cpp's default, relied on: the fixed system prompt is computed once
        params.cache_ram_mib = self.prompt_cache_mib
        modes = xllamacpp.llama_load_mode
        params.load_mode = modes.LLAMA_LOAD_MODE_MMAP if self.mmap else modes.LLAMA_LOAD_MODE_NONE
        params.cpuparams.n_threads = self.threads
        params.cpuparams_batch.n_threads = self.threads
        params.hostnames = [self.HOST]
        params.port = 0 if self.port is None else self.port  # 0: the OS picks a free port
        params.verbosity = 1  # llama.cpp logs every request at the default (3); keep warnings and errors
        params.endpoint_metrics = True  # /metrics: prompt tokens processed and cached (benchmarks, tests)
        return params

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

    def metrics(self) -> dict[str, float]:
        """llama.cpp's counters from ``/metrics`` without the ``llamacpp:`` prefix (``prompt_tokens_total``:
        prompt tokens processed, ``prompt_tokens_cached_total``: reused from the cache, ``prompt_seconds_total``,
        ``tokens_predicted_total``...); empty when the server is not running or does not answer."""
        base = self._base_url
        if base is None:
            return {}
        try:
            with _DIRECT.open(base.removesuffix("/v1") + "/metrics", timeout=5) as resp:
                text = resp.read().decode("utf-8", "replace")
        except OSError:
            return {}
        return parse_metrics(text)

    def __repr__(self) -> str:
        state = self._base_url or "stopped"
        return f"EmbeddedLLMServer({str(self.gguf_path)!r}, {state})"
