"""Isnad in the browser: a Gradio chat whose answers carry verified, right-to-left citation cards,
a library of the indexed articles (search, upload, delete), and a Markdown export.

Run with `make run` (or `isnad serve`). Builds the service from settings, indexes the sample
corpus on the first run, then serves on ISNAD_HOST:ISNAD_PORT (127.0.0.1:7860).

Layout: `build_ui` makes one tab per task (`_ask_tab`, `_library_tab`); each returns what the
others need to refresh (the outlet list, the status line), so a new tab slots in beside them.
"""

from __future__ import annotations

import sys
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import gradio as gr
import pandas as pd
from tqdm import tqdm

from assistant.answering import Answer
from assistant.errors import IsnadError
from assistant.render import (
    CARD_CSS,
    answer_chat_markdown,
    answer_html,
    answer_markdown,
    error_html,
    escape_markdown,
    ingest_report_markdown,
    library_rows,
)
from assistant.service import IsnadService
from assistant.settings import Settings
from vectorstore.errors import VectorStoreError
from vectorstore.records import IngestReport, SearchFilter

EXAMPLES = [
    "How many US troops remain in Syria?",
    "كم عدد الجنود الأمريكيين الذين بقوا في سوريا؟",
    "When will the coalition mission in Iraq end?",
]
UPLOAD_TYPES = [".txt", ".md", ".html", ".htm", ".json", ".jsonl", ".ndjson", ".gz"]
LIBRARY_HEADERS = ["id", "title", "outlet", "date", "chunks"]
SERVICE_ERRORS = (IsnadError, VectorStoreError)

# Runs once when the citation panel mounts; handles clicks on every card it will ever show.
CARDS_JS = """
element.addEventListener('click', async (event) => {
  const button = event.target.closest('button.copy-quote');
  if (!button) return;
  const quote = button.closest('.isnad-card')?.querySelector('.quote');
  if (!quote) return;
  try {
    await navigator.clipboard.writeText(quote.textContent);
  } catch (err) {  // no clipboard API (plain http on another host): copy the selection instead
    const range = document.createRange();
    range.selectNodeContents(quote);
    const selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
    document.execCommand('copy');
  }
  button.textContent = 'copied ✓';
  setTimeout(() => { button.textContent = 'copy quote'; }, 1500);
});
element.addEventListener('toggle', (event) => {
  const box = event.target;
  if (box.matches && box.matches('details.article') && box.open) {
    box.querySelector('mark')?.scrollIntoView({block: 'nearest'});
  }
}, true);
"""


@dataclass
class Shared:
    """Components one tab updates on behalf of another."""

    status: gr.Markdown
    outlets: gr.Dropdown | None = None


def status_line(service: IsnadService) -> str:
    st = service.status()
    return (
        f"**{st['articles']:,} articles · {st['chunks']:,} chunks indexed** · embeddings: {st['embedding_model']}"
        f" · store: {st['vector_store']} · answers: {st['llm']}"
    )


def parse_day(value: str | None, what: str) -> date | None:
    value = (value or "").strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"The {what} date {value!r} is not a date: write it as YYYY-MM-DD, e.g. 2018-04-13.") from None


def _size(n: int) -> str:
    return f"{n / 1_000_000:.1f}".removesuffix(".0") + " MB" if n >= 1_000_000 else f"{n / 1_000:.0f} KB"


def _export_file(folder: Path, answer: Answer) -> str:
    path = folder / f"isnad-answer-{uuid.uuid4().hex[:8]}.md"
    path.write_text(answer_markdown(answer) + "\n", encoding="utf-8")
    return str(path)


# --------------------------------------------------------------------------------------- ask tab
def _ask_tab(service: IsnadService, shared: Shared) -> None:
    export_dir = Path(tempfile.mkdtemp(prefix="isnad-export-"))

    def respond(
        question: str, history: list[dict[str, Any]], previous: list[str], sources: list[str], day_from: str,
        day_to: str, mode: str,
    ) -> Iterator[tuple[Any, ...]]:
        history = [*history, {"role": "user", "content": escape_markdown(question or "")}]
        turn = sum(1 for message in history if message.get("role") == "user")

        def panel(html: str) -> str:  # numbered, so a reader (or a test) can tell this answer from the last
            return f'<div class="isnad-answer" data-turn="{turn}">{html}</div>'

        no_download = gr.DownloadButton(value=None, interactive=False)
        waiting = {"role": "assistant", "content": "…searching the indexed sources"}
        yield [*history, waiting], "", "", no_download, previous
        try:
            flt = SearchFilter(tuple(sources or ()), parse_day(day_from, "from"), parse_day(day_to, "to"))
            rewrite = service.standalone_question(question, previous, mode)
            answer = service.ask(rewrite.question, mode=mode, flt=flt)
            ids = list(dict.fromkeys(c.doc_id for c in answer.citations))
            texts = {doc_id: a.text for doc_id, a in service.index.get_articles(ids).items()}
        except (*SERVICE_ERRORS, ValueError) as exc:
            reply = {"role": "assistant", "content": f"⚠️ {escape_markdown(str(exc))}"}
            yield [*history, reply], panel(error_html(str(exc))), "", no_download, previous
            return
        yield (
            [*history, {"role": "assistant", "content": answer_chat_markdown(answer, rewrite.asked)}],
            panel(answer_html(answer, texts, rewrite.asked)),
            answer_markdown(answer),
            gr.DownloadButton(value=_export_file(export_dir, answer), interactive=True),
            [*previous, answer.question],
        )

    with gr.Row():
        with gr.Column(scale=3):
            chat = gr.Chatbot(
                label="Answer", height=380, elem_id="chat", latex_delimiters=[], allow_tags=False,
                sanitize_html=True,
            )
            with gr.Row():
                box = gr.Textbox(
                    label="Question", placeholder="How many US troops remain in Syria? · كم عدد الجنود…؟",
                    elem_id="question", scale=5, text_align="left",
                )
                ask = gr.Button("Ask", variant="primary", elem_id="ask", scale=1)
            gr.Examples(EXAMPLES, inputs=box)
        with gr.Column(scale=1):
            shared.outlets = gr.Dropdown(
                service.index.sources(), value=[], multiselect=True, label="Outlets (empty = all)",
                elem_id="outlets",
            )
            day_from = gr.Textbox(label="From (YYYY-MM-DD)", elem_id="date-from")
            day_to = gr.Textbox(label="To (YYYY-MM-DD)", elem_id="date-to")
            mode = gr.Radio(["llm", "extractive"], value=service.settings.mode, label="Answer mode", elem_id="mode",
                            info="llm: a written answer, checked against its sources; extractive: quotes only")
    gr.Markdown("### Sources")
    cards = gr.HTML(elem_id="citations", js_on_load=CARDS_JS)
    with gr.Accordion("Export as Markdown", open=False, elem_id="export-box"):
        export = gr.Code(language="markdown", elem_id="export", interactive=False, buttons=["copy"])
        download = gr.DownloadButton("Download .md", interactive=False, elem_id="download-md", size="sm")

    previous = gr.State([])  # the standalone questions asked so far in this conversation
    inputs = [box, chat, previous, shared.outlets, day_from, day_to, mode]
    gr.on([box.submit, ask.click], respond, inputs, [chat, cards, export, download, previous])
    chat.clear(lambda: ([], ""), None, [previous, cards])  # a new conversation
    gr.on([box.submit, ask.click], lambda: "", None, box, show_progress="hidden")


# ----------------------------------------------------------------------------------- library tab
def _library_tab(service: IsnadService, shared: Shared) -> dict[str, Any]:
    """The library; returns the listener (fn, inputs, outputs) that refreshes it, for the page load."""
    limit = service.settings.max_file_bytes

    def refreshed(search: str) -> tuple[Any, ...]:
        rows = pd.DataFrame(library_rows(service.library(search or "")), columns=LIBRARY_HEADERS)
        return rows, gr.Dropdown(choices=service.index.sources()), status_line(service)

    def add_files(files: list[str] | None, search: str, progress: gr.Progress = gr.Progress()) -> tuple[Any, ...]:  # noqa: B008
        paths, refused = [], []
        for name in files or []:
            path = Path(name)
            size = path.stat().st_size
            if size > limit:
                refused.append((path.name, f"file is {_size(size)}, over the {_size(limit)} upload limit "
                                           "(ISNAD_MAX_FILE_BYTES); index bigger files with `isnad ingest`"))
            else:
                paths.append(path)
        report = IngestReport()
        done = 0

        def step(n: int) -> None:
            nonlocal done
            done += n
            progress((done, None), desc="embedding", unit="chunks")

        try:
            if paths:
                report = service.ingest_paths(paths, progress=step)
        except SERVICE_ERRORS as exc:
            return (f"⚠️ {escape_markdown(str(exc))}", None, *refreshed(search))
        return (ingest_report_markdown(report, refused), None, *refreshed(search))

    def delete(doc_id: str, search: str) -> tuple[Any, ...]:
        doc_id = (doc_id or "").strip()
        article = service.article(doc_id) if doc_id else None
        try:
            removed = article is not None and service.delete_article(doc_id)
        except SERVICE_ERRORS as exc:
            return (f"⚠️ {escape_markdown(str(exc))}", *refreshed(search))
        if not removed or article is None:
            message = f"No article with id **{escape_markdown(doc_id)}** is indexed." if doc_id else "Enter an id."
        else:
            message = f"Deleted **{escape_markdown(article.title)}** ({escape_markdown(doc_id)}) from both indexes."
        return (message, *refreshed(search))

    def pick(evt: gr.SelectData) -> str:
        row = evt.row_value or []
        return str(row[0]) if row else ""

    with gr.Row():
        search = gr.Textbox(label="Search title / outlet / URL", elem_id="library-search", scale=4)
        refresh = gr.Button("Refresh", scale=1)
    articles = gr.Dataframe(  # filled on page load
        headers=LIBRARY_HEADERS, datatype=["str", "str", "str", "str", "number"], interactive=False,
        wrap=True, max_height=420, column_widths=["14%", "50%", "14%", "12%", "10%"], elem_id="library-table",
    )
    with gr.Row():
        with gr.Column():
            upload = gr.File(
                label=f"Add articles: {' '.join(UPLOAD_TYPES)} (.jsonl.gz), up to {_size(limit)} each",
                file_count="multiple", file_types=UPLOAD_TYPES, elem_id="upload",
            )
            report = gr.Markdown(elem_id="upload-report")
        with gr.Column():
            doc_id = gr.Textbox(label="Article id to delete (click a row to fill it in)", elem_id="delete-id")
            remove = gr.Button("Delete article", variant="stop", elem_id="delete")
            removed = gr.Markdown(elem_id="delete-report")

    assert shared.outlets is not None
    after = [articles, shared.outlets, shared.status]
    gr.on([search.submit, refresh.click], refreshed, search, after)
    upload.upload(add_files, [upload, search], [report, upload, *after])
    remove.click(delete, [doc_id, search], [removed, *after])
    articles.select(pick, None, doc_id)
    return {"fn": refreshed, "inputs": search, "outputs": after}


def build_ui(service: IsnadService) -> gr.Blocks:
    with gr.Blocks(title="Isnad — إسناد") as ui:
        gr.Markdown("# Isnad · إسناد\nAsk in English or Arabic; every answer shows the exact quoted source.")
        shared = Shared(status=gr.Markdown(status_line(service), elem_id="status"))
        with gr.Tabs():
            with gr.Tab("Ask", id="ask"):
                _ask_tab(service, shared)
            with gr.Tab("Library", id="library"):
                refresh_library = _library_tab(service, shared)
            # A "Check a claim" tab goes here.
        ui.load(**refresh_library)  # the index may have changed since the page was built
    return ui


def ensure_sample(service: IsnadService) -> None:
    """Index the sample corpus the first time the app starts on an empty index."""
    if service.index.stats()["articles"] > 0:
        return
    print("Indexing the sample corpus (first run only)…", file=sys.stderr)
    with tqdm(desc="embedding", unit=" chunks", file=sys.stderr) as bar:
        report = service.ingest_paths(service.sample_paths(), progress=bar.update)
    print(f"added {report.added} articles ({report.chunks} chunks) in {report.seconds:.0f} s", file=sys.stderr)


def main() -> None:
    settings = Settings()  # type: ignore[call-arg]  # every field has a default or an ISNAD_ variable
    service = IsnadService.from_settings(settings)
    ensure_sample(service)
    auth = None
    if settings.auth_user and settings.auth_password:
        auth = (settings.auth_user, settings.auth_password.get_secret_value())
    build_ui(service).queue().launch(
        server_name=settings.host, server_port=settings.port, auth=auth, css=CARD_CSS, show_error=True,
        # The Library tab refuses files over max_file_bytes with a clear message; far bigger ones are
        # stopped by Gradio while uploading, before they fill the disk.
        max_file_size=2 * settings.max_file_bytes,
    )


if __name__ == "__main__":
    main()
