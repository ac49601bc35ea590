"""One contract, two LLM backends: the embedded llama.cpp server and an OpenAI-compatible endpoint
(the scripted stub) are both reached through ChatBackend and the service: they reply, stream, and
close() releases what the backend started."""

from __future__ import annotations

import socket
from typing import Any
from urllib.parse import urlsplit

import pytest
from conftest import make_settings
from llm_stub import evidence_lines, reply_citing_a_figure

from assistant.llm.client import ChatBackend
from assistant.service import IsnadService

TROOPS_AR = "كم عدد الجنود الأمريكيين الذين بقوا في سوريا؟"
HELLO = [("system", "Answer in one short English sentence."), ("human", "Say that you are ready.")]
READY = "Ready: this endpoint answers."
BACKENDS = [
    pytest.param("openai", marks=pytest.mark.integration),
    pytest.param("embedded", marks=pytest.mark.llm),
]


def stub_reply(body: dict[str, Any]) -> str:
    """What the scripted endpoint says: a checked-out answer to an evidence prompt, else READY."""
    return reply_citing_a_figure("ar")(body) if evidence_lines(body) else READY


@pytest.fixture
def llm_overrides(request: pytest.FixtureRequest) -> dict[str, Any]:
    """The settings that choose the backend named by the parameter."""
    if request.param == "embedded":
        return {"mode": "llm", "llm_timeout_s": 300}
    stub = request.getfixturevalue("scripted_llm")
    stub.script = stub_reply
    return {"mode": "llm", "llm_provider": "openai", "llm_base_url": stub.base_url, "llm_model": "stub"}


def listens(url: str) -> bool:
    address = urlsplit(url)
    with socket.socket() as s:
        return s.connect_ex((address.hostname or "127.0.0.1", address.port or 80)) == 0


@pytest.mark.parametrize("llm_overrides", BACKENDS, indirect=True)
def test_a_backend_replies_streams_and_releases(llm_overrides: dict[str, Any], tmp_path):
    backend = ChatBackend(make_settings(tmp_path, **llm_overrides))
    chat = backend.chat_model()
    assert backend.chat_model() is chat, "built once, then reused"
    short = chat.bind(max_tokens=24)
    assert str(short.invoke(HELLO).content).strip()
    pieces = [str(piece.content) for piece in short.stream(HELLO)]
    assert len([p for p in pieces if p]) > 1 and "".join(pieces).strip(), pieces

    endpoint = str(chat.openai_api_base)
    assert listens(endpoint)
    backend.close()
    started_by_the_backend = llm_overrides.get("llm_provider", "embedded") == "embedded"
    assert listens(endpoint) != started_by_the_backend, "close() stops what the backend started, only that"
    rebuilt = backend.chat_model()
    try:
        assert rebuilt is not chat and str(rebuilt.bind(max_tokens=8).invoke(HELLO).content).strip()
    finally:
        backend.close()


@pytest.mark.parametrize("llm_overrides", BACKENDS, indirect=True)
def test_the_service_answers_through_a_backend(llm_overrides: dict[str, Any], indexed_service: IsnadService):
    settings = make_settings(indexed_service.index.data_dir, **llm_overrides)
    service = IsnadService(settings, indexed_service.embedder, indexed_service.index)
    drafts: list[str] = []
    try:
        answer = service.ask(TROOPS_AR, progress=lambda stage, detail: drafts.append(stage))
    finally:
        service.close()
    assert "generate" in answer.timings and "draft" in drafts, (answer.timings, drafts)
    assert answer.citations and all(c.verified for c in answer.citations)
    assert answer.mode == "llm" or "unavailable" not in str(answer.notice), answer.notice
    if "llm_base_url" in llm_overrides:  # the scripted reply checks out by construction: it is kept
        assert answer.mode == "llm" and answer.notice is None, answer.to_dict()
