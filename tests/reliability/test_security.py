"""Security: the LLM API key comes from the environment only and is never printed or logged;
uploads cannot name files on the server (no traversal into the data folder or anywhere else)."""

from __future__ import annotations

import json
import logging
import os
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from conftest import SAMPLE, make_settings
from llm_stub import stub_llm
from reliability_helpers import SYRIA_QUESTION_AR, free_port, isnad_env, run_isnad

from assistant.service import IsnadService

pytestmark = pytest.mark.reliability
FALLBACK = "Showing quoted evidence instead of a generated answer"


def test_api_key_is_used_from_the_environment_and_never_printed(tmp_path: Path) -> None:
    key = "sk-isnad-" + secrets.token_hex(16)
    with stub_llm("unauthorized") as stub:
        env = isnad_env(tmp_path / "index", mode="llm", llm_provider="openai", llm_base_url=stub.base_url,
                        llm_model="stub", llm_api_key=key, llm_timeout_s=20)
        runs = [
            run_isnad(["-v", "ingest", str(SAMPLE / "seed_article_ar.json")], env, cwd=tmp_path),
            asked := run_isnad(["-v", "ask", "--json", SYRIA_QUESTION_AR], env, cwd=tmp_path),
            run_isnad(["-v", "ask", SYRIA_QUESTION_AR], env, cwd=tmp_path),
            run_isnad(["-v", "status"], env, cwd=tmp_path),
        ]
    assert [r.returncode for r in runs] == [0, 0, 0, 0], [r.stderr[-2000:] for r in runs]
    assert stub.requests and all(r.get("authorization") == f"Bearer {key}" for r in stub.requests)
    answer = json.loads(asked.stdout)
    assert answer["mode"] == "extractive" and answer["notice"].startswith(FALLBACK), answer
    assert "401" in answer["notice"]  # the endpoint echoed the key in its error: the notice shows it masked
    for run in runs:
        assert key not in run.stdout and key not in run.stderr
        assert key[-8:] not in run.stdout + run.stderr


def test_api_key_is_not_in_logs_status_or_settings_dump(tmp_path: Path, embedder,
                                                        caplog: pytest.LogCaptureFixture) -> None:
    key = "sk-isnad-" + secrets.token_hex(16)
    caplog.set_level(logging.DEBUG)
    with stub_llm("unauthorized") as stub:
        settings = make_settings(tmp_path, mode="llm", llm_provider="openai", llm_base_url=stub.base_url,
                                 llm_model="stub", llm_api_key=key, llm_timeout_s=20)
        service = IsnadService.from_settings(settings, embedder=embedder)
        service.ingest_paths([SAMPLE / "seed_article_ar.json"])
        answer = service.ask(SYRIA_QUESTION_AR)
    shown = [caplog.text, json.dumps(answer.to_dict(), ensure_ascii=False), json.dumps(service.status()),
             repr(settings), settings.model_dump_json(), str(settings.model_dump())]
    assert answer.notice and "401" in answer.notice
    assert not [text for text in shown if key in text]


# ------------------------------------------------------------------------------------ uploads
@pytest.fixture(scope="module")
def ui(tmp_path_factory: pytest.TempPathFactory, embedder) -> Iterator[dict[str, Any]]:
    """The real Gradio app, served in this process over a small index."""
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    from assistant.ui.page import build_ui

    data = tmp_path_factory.mktemp("ui-index")
    service = IsnadService.from_settings(make_settings(data), embedder=embedder)
    service.ingest_paths([SAMPLE / "seed_article_ar.json"])
    port = free_port()
    blocks = build_ui(service)
    blocks.queue().launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True)
    try:
        yield {"url": f"http://127.0.0.1:{port}/gradio_api", "service": service, "data": data}
    finally:
        blocks.close()


def call(url: str, api_name: str, data: list[Any]) -> tuple[str, str]:
    """Run an event through Gradio's HTTP API: (last SSE event name, its data)."""
    event_id = httpx.post(f"{url}/call/{api_name}", json={"data": data}, timeout=30).json()["event_id"]
    event, payload = "", ""
    with httpx.stream("GET", f"{url}/call/{api_name}/{event_id}", timeout=300) as stream:
        for line in stream.iter_lines():
            if line.startswith("event:"):
                event = line.removeprefix("event:").strip()
            elif line.startswith("data:"):
                payload = line.removeprefix("data:").strip()
                if event in ("complete", "error"):
                    break
    return event, payload


# The upload form's title, outlet, date and link (empty: as the file says), and the interface language.
NO_METADATA = ["", "", "", "", "English"]


def file_data(path: str) -> dict[str, Any]:
    return {"path": path, "meta": {"_type": "gradio.FileData"}, "orig_name": Path(path).name}


def test_an_upload_named_with_dot_dot_stays_in_the_upload_folder(ui: dict[str, Any], tmp_path: Path) -> None:
    from gradio.utils import get_upload_folder

    name = f"../../../../../tmp/isnad-escape-{secrets.token_hex(4)}.txt"
    content = "وصلت قافلة مساعدات إلى مدينة حلب صباح اليوم وعلى متنها أدوية ومواد غذائية لآلاف العائلات.\n"
    uploaded = httpx.post(f"{ui['url']}/upload", files={"files": (name, content.encode())}, timeout=30).json()
    assert len(uploaded) == 1
    stored = Path(uploaded[0]).resolve()
    assert stored.is_relative_to(Path(get_upload_folder()).resolve()) and stored.name == Path(name).name
    assert not Path("/tmp", Path(name).name).exists()

    before = ui["service"].index.stats()["articles"]
    event, _ = call(ui["url"], "add_files", [[file_data(str(stored))], "", *NO_METADATA])
    assert event == "complete"
    assert ui["service"].index.stats()["articles"] == before + 1


@pytest.mark.parametrize("target", ["/etc/passwd", "index-db", "outside"])
def test_an_upload_event_cannot_name_a_file_on_the_server(ui: dict[str, Any], target: str, tmp_path: Path) -> None:
    if target == "index-db":
        target = str(next(ui["data"].rglob("chroma.sqlite3")))
    elif target == "outside":
        secret = tmp_path / "secret-notes.txt"
        secret.write_text("مسودة سرية لم تنشر بعد: لا يجوز فهرستها.\n", encoding="utf-8")
        target = str(secret)
    before = ui["service"].index.stats()["articles"]
    event, payload = call(ui["url"], "add_files", [[file_data(target)], "", *NO_METADATA])
    assert event == "error", payload
    assert ui["service"].index.stats()["articles"] == before
    event, payload = call(ui["url"], "detect", [[file_data(target)], "English"])  # nor be read to show its title
    assert event == "error", payload
