"""Scale-out on a real `chroma run` server: two `python app.py` replicas (separate processes, their
own BM25 caches, login required) share one Chroma; an article uploaded through one is found through
the other; the server going down gives an error naming the settings, and its return is picked up
without restarting anything."""

from __future__ import annotations

import secrets
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from conftest import SAMPLE, make_settings, stop_process
from reliability_helpers import (
    APP,
    SYRIA_QUESTION_AR,
    ChromaServer,
    free_port,
    isnad_env,
    listening,
    project_python,
    wait_until,
    write_bbc_corpus,
)

from assistant.evaluation.audit import audit_index
from assistant.service import IsnadService
from vectorstore.errors import StoreUnavailableError

pytestmark = pytest.mark.server
LIBRARY_NEWS = "أعلنت بلدية مدينة صور اللبنانية افتتاح أكبر مكتبة عامة في الجنوب تضم خمسين ألف كتاب ومئة حاسوب."
LIBRARY_QUESTION = "كم كتابا تضم المكتبة العامة الجديدة في مدينة صور؟"
DOWN = "ISNAD_CHROMA_HOST / ISNAD_CHROMA_PORT"


@pytest.fixture(scope="module")
def chroma(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ChromaServer]:
    server = ChromaServer(tmp_path_factory.mktemp("chroma")).start()
    yield server
    server.stop()


def test_a_service_recovers_when_the_chroma_server_comes_back(chroma: ChromaServer, embedder, tmp_path: Path) -> None:
    settings = make_settings(tmp_path, chroma_host="127.0.0.1", chroma_port=chroma.port, collection="recovery")
    service = IsnadService.from_settings(settings, embedder=embedder)
    assert service.ingest_paths([SAMPLE / "seed_article_ar.json"]).added == 1
    assert any("900" in c.quote and c.verified for c in service.ask(SYRIA_QUESTION_AR).citations)

    chroma.stop()
    down = f"127.0.0.1:{chroma.port}.*{DOWN}"
    with pytest.raises(StoreUnavailableError, match=down):
        service.ask(SYRIA_QUESTION_AR)
    with pytest.raises(StoreUnavailableError, match=down):
        service.library()
    with pytest.raises(StoreUnavailableError, match=down):
        service.status()
    with pytest.raises(StoreUnavailableError, match=down):
        service.ingest_paths([write_bbc_corpus(tmp_path / "more", bbc=2, seed=False)])

    chroma.start()  # same port, same data; the service object is the one from before
    assert any("900" in c.quote and c.verified for c in service.ask(SYRIA_QUESTION_AR).citations)
    assert service.ingest_paths([tmp_path / "more"]).added == 2
    audit = audit_index(service.index)
    assert audit.consistent and audit.articles == 3 and not audit.orphan_chunks, audit.summary()


class Replica:
    """`python app.py` as `isnad serve` runs it, on its own port and data folder."""

    def __init__(self, folder: Path, chroma: ChromaServer, password: str) -> None:
        folder.mkdir(parents=True)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        self.auth = ("editor", password)
        env = isnad_env(
            folder / "data", chroma_host="127.0.0.1", chroma_port=chroma.port, collection="newsroom",
            host="127.0.0.1", port=self.port, auth_user="editor", auth_password=password,
        )
        self.log = folder / "app.log"
        with self.log.open("wb") as log:
            self.process = subprocess.Popen([project_python(), str(APP)], env=env, cwd=folder, stdout=log,
                                            stderr=subprocess.STDOUT)

    def wait(self) -> None:
        def up() -> bool:
            if self.process.poll() is not None:
                raise RuntimeError(f"the app exited: {self.log.read_text()[-3000:]}")
            return listening(self.port)

        wait_until(up, f"the app on port {self.port}", timeout=300)

    def client(self) -> Any:
        from gradio_client import Client

        return Client(self.url, auth=self.auth, verbose=False)

    def ask(self, question: str) -> str:
        """The whole reply of the Ask tab (chat, citation cards, export), as one string. Inputs other
        than the question and the mode get their defaults, or an empty value of their type."""
        client = self.client()
        parameters = client.view_api(return_format="dict", print_info=False)["named_endpoints"]["/respond"]
        chosen = {"question": question, "mode": "extractive"}
        values: dict[str, Any] = {}
        for parameter in parameters["parameters"]:
            name = parameter["parameter_name"]
            if name in chosen:
                values[name] = chosen[name]
            elif not parameter.get("parameter_has_default"):
                kind = str(parameter.get("python_type", {}).get("type", ""))
                values[name] = [] if "list" in kind else False if kind == "bool" else ""
        return str(client.predict(**values, api_name="/respond"))

    def stop(self) -> None:
        stop_process(self.process)


@pytest.fixture
def replicas(chroma: ChromaServer, embedder, tmp_path: Path) -> Iterator[tuple[Replica, Replica]]:
    settings = make_settings(tmp_path / "writer", chroma_host="127.0.0.1", chroma_port=chroma.port,
                             collection="newsroom")
    writer = IsnadService.from_settings(settings, embedder=embedder)
    assert writer.ingest_paths([write_bbc_corpus(tmp_path / "corpus", bbc=3)]).added == 4
    password = secrets.token_urlsafe(12)
    pair = (Replica(tmp_path / "a", chroma, password), Replica(tmp_path / "b", chroma, password))
    try:
        for replica in pair:
            replica.wait()
        yield pair
    finally:
        for replica in pair:
            replica.stop()


def test_two_app_replicas_share_one_chroma_server(replicas: tuple[Replica, Replica], chroma: ChromaServer,
                                                  tmp_path: Path) -> None:
    a, b = replicas
    for replica in (a, b):  # login is required on every route that reads or changes anything
        assert httpx.get(replica.url + "config").status_code == 401
        assert httpx.post(replica.url + "gradio_api/call/respond", json={"data": []}).status_code == 401
        assert httpx.post(replica.url + "gradio_api/upload", files={"files": ("x.txt", b"x")}).status_code == 401
    # A login is held in the memory of the replica that made it (as are Gradio's queue and session
    # state): behind a load balancer, a browser must stay on one replica (sticky sessions).
    with httpx.Client(base_url=a.url) as browser:
        assert browser.post("login", data={"username": a.auth[0], "password": a.auth[1]}).status_code == 200
        assert browser.get("config").status_code == 200
        assert browser.get(b.url + "config").status_code == 401
    for replica in (a, b):
        reply = replica.ask(SYRIA_QUESTION_AR)
        assert "900" in reply, reply[:5000]

    from gradio_client import handle_file

    news = tmp_path / "library.txt"
    news.write_text(LIBRARY_NEWS + "\n", encoding="utf-8")
    a.client().predict(files=[handle_file(str(news))], search="", api_name="/add_files")
    assert "خمسين ألف" in b.ask(LIBRARY_QUESTION), "an upload through one replica is found through the other"

    chroma.stop()
    try:
        assert DOWN in b.ask(SYRIA_QUESTION_AR)
    finally:
        chroma.start()
    assert "900" in b.ask(SYRIA_QUESTION_AR), "the replica recovered without a restart"
