"""A misbehaving OpenAI-compatible endpoint on 127.0.0.1, standing in for a failing remote LLM.

Behaviours: ``garbage`` (a well-formed reply saying nonsense), ``not-json`` (an HTML error page
with status 200), ``error`` (HTTP 500), ``slow`` (never answers until the test ends), ``trickle``
(sends headers, then one byte every second: a read timeout alone never fires), ``drip`` (a
streamed answer that never ends, one token a second), ``unauthorized`` (HTTP 401 echoing the key),
``scripted`` (a well-behaved endpoint replying with what ``script`` returns for the request body, streamed in
pieces when the request asks for a stream). Every request's headers are recorded (``requests``), so a test can
check which API key was sent, and its JSON body (``bodies``: messages, response_format, stream...).
"""

from __future__ import annotations

import contextlib
import json
import re
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, TypeVar

Script = Callable[[dict[str, Any]], str]
T = TypeVar("T")

GARBAGE = "Lorem ipsum 4242 dolor [7] [0] ☃ SELECT * FROM answers; مرحبا 99999"


def completion(content: str) -> bytes:
    return json.dumps({
        "id": "chatcmpl-stub", "object": "chat.completion", "created": 0, "model": "stub",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
    }).encode()


def delta(content: str) -> dict[str, object]:
    return {"id": "chatcmpl-stub", "object": "chat.completion.chunk", "created": 0, "model": "stub",
            "choices": [{"index": 0, "delta": {"role": "assistant", "content": content}, "finish_reason": None}]}


def user_message(body: dict[str, Any]) -> str:
    """The text of the last user message of a chat request body."""
    return next(str(m["content"]) for m in reversed(body["messages"]) if m["role"] == "user")


# An evidence line of Isnad's prompts: "[2] (BBC Arabic, 2018-10-11) the sentence as published".
_EVIDENCE_LINE = re.compile(r"^\[(\d+)\] \([^()\n]*\) (.+)$", re.MULTILINE)
_FIGURE = re.compile(r"\d(?:[\d,]*\d)?")  # 900, 2000, 2,000


def evidence_lines(body: dict[str, Any]) -> dict[int, str]:
    """The numbered evidence sentences a request showed the model: {number: sentence}."""
    return {int(n): text for n, text in _EVIDENCE_LINE.findall(user_message(body))}


def first_figure(body: dict[str, Any]) -> tuple[int, str]:
    """The first evidence line stating a figure that is not a year, and that figure as written."""
    for n, text in evidence_lines(body).items():
        for figure in _FIGURE.findall(text):
            if not 1900 <= int(figure.replace(",", "")) <= 2100:
                return n, figure
    raise AssertionError(f"no evidence line states a figure: {user_message(body)}")


SAYS_FIGURE = {"ar": "ذكرت المصادر أن العدد {figure} [{n}].", "en": "The sources give the figure {figure} [{n}]."}


def reply_citing_a_figure(language: str, figure: str | None = None, extra_ref: str = "") -> Script:
    """A script: one sentence in ``language`` citing the first evidence line that states a figure,
    with that figure (or ``figure`` instead), then ``extra_ref``."""

    def script(body: dict[str, Any]) -> str:
        n, shown = first_figure(body)
        return SAYS_FIGURE[language].format(figure=figure or shown, n=n) + extra_ref

    return script


def send(handler: BaseHTTPRequestHandler, status: int, kind: str, body: bytes) -> None:
    handler.send_response(status)
    handler.send_header("Content-Type", kind)
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    handler.wfile.write(body)


class StubLLM:
    def __init__(self, behaviour: str, script: Script | None = None) -> None:
        self.behaviour = behaviour
        self.script: Script = script or (lambda body: "")
        self.released = threading.Event()
        self.requests: list[dict[str, str]] = []
        self.bodies: list[dict[str, Any]] = []
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                stub.requests.append({k.lower(): v for k, v in self.headers.items()})
                with contextlib.suppress(ValueError):
                    stub.bodies.append(json.loads(raw))
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # the client gave up: the point
                    stub.respond(self)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.base_url = f"http://127.0.0.1:{self.port}/v1"

    def respond(self, handler: BaseHTTPRequestHandler) -> None:
        if self.behaviour == "scripted":
            self.reply_scripted(handler, self.bodies[-1])
            return
        if self.behaviour == "slow":
            self.released.wait()
            return
        if self.behaviour == "trickle":
            handler.send_response(200)
            handler.send_header("Content-Type", "application/json")
            handler.end_headers()
            while not self.released.wait(1.0):
                handler.wfile.write(b" ")
                handler.wfile.flush()
            return
        if self.behaviour == "drip":  # a stream that never ends: one token a second
            handler.send_response(200)
            handler.send_header("Content-Type", "text/event-stream")
            handler.end_headers()
            while not self.released.wait(1.0):
                handler.wfile.write(b"data: " + json.dumps(delta("[1] ")).encode() + b"\n\n")
                handler.wfile.flush()
            return
        if self.behaviour == "unauthorized":  # echoes the key it was sent, as some servers do
            key = str(handler.headers.get("authorization", "")).removeprefix("Bearer ")
            body = json.dumps({"error": {"message": f"Incorrect API key provided: {key}", "type": "auth"}}).encode()
            send(handler, 401, "application/json", body)
            return
        status, kind, body = {
            "garbage": (200, "application/json", completion(GARBAGE)),
            "not-json": (200, "text/html", b"<html><body><h1>502 Bad Gateway</h1></body></html>"),
            "error": (500, "application/json", b'{"error": {"message": "model crashed", "type": "server_error"}}'),
        }[self.behaviour]
        send(handler, status, kind, body)

    def answering(self, script: Script, call: Callable[[], T]) -> T:
        """``call()`` while this (scripted) endpoint replies with ``script(request body)``; the
        requests it got during the call are then in ``bodies`` (and their headers in ``requests``)."""
        self.script = script
        self.bodies.clear()
        self.requests.clear()
        return call()

    def reply_scripted(self, handler: BaseHTTPRequestHandler, body: dict[str, Any]) -> None:
        text = self.script(body)
        if not body.get("stream"):
            send(handler, 200, "application/json", completion(text))
            return
        handler.send_response(200)
        handler.send_header("Content-Type", "text/event-stream")
        handler.end_headers()
        for begin in range(0, len(text), 8):  # a few characters a piece, as a server streams tokens
            handler.wfile.write(b"data: " + json.dumps(delta(text[begin : begin + 8])).encode() + b"\n\n")
        handler.wfile.write(b"data: [DONE]\n\n")
        handler.wfile.flush()

    def start(self) -> StubLLM:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self.released.set()
        time.sleep(0.05)
        self.server.shutdown()
        self.server.server_close()


@contextmanager
def stub_llm(behaviour: str, script: Script | None = None) -> Iterator[StubLLM]:
    stub = StubLLM(behaviour, script).start()
    try:
        yield stub
    finally:
        stub.stop()
