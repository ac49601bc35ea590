"""A misbehaving OpenAI-compatible endpoint on 127.0.0.1, standing in for a failing remote LLM.

Behaviours: ``garbage`` (a well-formed reply saying nonsense), ``not-json`` (an HTML error page
with status 200), ``error`` (HTTP 500), ``slow`` (never answers until the test ends), ``trickle``
(sends headers, then one byte every second: a read timeout alone never fires), ``drip`` (a
streamed answer that never ends, one token a second), ``unauthorized`` (HTTP 401 echoing the key). Every request's
headers are recorded, so a test can check which API key was sent.
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

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


class StubLLM:
    def __init__(self, behaviour: str) -> None:
        self.behaviour = behaviour
        self.released = threading.Event()
        self.requests: list[dict[str, str]] = []
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length", 0)))
                stub.requests.append({k.lower(): v for k, v in self.headers.items()})
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # the client gave up: the point
                    stub.respond(self)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.base_url = f"http://127.0.0.1:{self.port}/v1"

    def respond(self, handler: BaseHTTPRequestHandler) -> None:
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
            handler.send_response(401)
            handler.send_header("Content-Type", "application/json")
            handler.send_header("Content-Length", str(len(body)))
            handler.end_headers()
            handler.wfile.write(body)
            return
        status, kind, body = {
            "garbage": (200, "application/json", completion(GARBAGE)),
            "not-json": (200, "text/html", b"<html><body><h1>502 Bad Gateway</h1></body></html>"),
            "error": (500, "application/json", b'{"error": {"message": "model crashed", "type": "server_error"}}'),
        }[self.behaviour]
        handler.send_response(status)
        handler.send_header("Content-Type", kind)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    def start(self) -> StubLLM:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self.released.set()
        time.sleep(0.05)
        self.server.shutdown()
        self.server.server_close()


@contextmanager
def stub_llm(behaviour: str) -> Iterator[StubLLM]:
    stub = StubLLM(behaviour).start()
    try:
        yield stub
    finally:
        stub.stop()
