"""Isnad in the browser: a Gradio chat whose answers carry verified, right-to-left citation cards.

Run with `make run` (or `isnad serve`). Builds the service from settings, indexes the sample
corpus on the first run, then serves on ISNAD_HOST:ISNAD_PORT (127.0.0.1:7860).
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from datetime import date
from typing import Any

import gradio as gr
from tqdm import tqdm

from assistant.errors import IsnadError
from assistant.render import CARD_CSS, answer_html, answer_markdown
from assistant.service import IsnadService
from assistant.settings import Settings
from vectorstore.records import SearchFilter

EXAMPLES = [
    "How many US troops remain in Syria?",
    "كم عدد الجنود الأمريكيين الذين بقوا في سوريا؟",
    "When will the coalition mission in Iraq end?",
]


def status_line(service: IsnadService) -> str:
    st = service.status()
    return (
        f"**{st['articles']:,} articles · {st['chunks']:,} chunks indexed** · embeddings: {st['embedding_model']}"
        f" · store: {st['vector_store']} · answers: {st['llm']}"
    )


def _parse_day(value: str) -> date | None:
    value = (value or "").strip()
    return date.fromisoformat(value) if value else None


def build_ui(service: IsnadService) -> gr.Blocks:
    outlets = service.index.sources()

    def respond(
        question: str, history: list[dict[str, Any]], sources: list[str], day_from: str, day_to: str, mode: str
    ) -> Iterator[tuple[list[dict[str, Any]], str, str, str]]:
        history = [*history, {"role": "user", "content": question}]
        yield history + [{"role": "assistant", "content": "…searching the indexed sources"}], "", "", ""
        try:
            flt = SearchFilter(tuple(sources or ()), _parse_day(day_from), _parse_day(day_to))
            answer = service.ask(question, mode=mode, flt=flt)
        except (IsnadError, ValueError) as exc:
            yield history + [{"role": "assistant", "content": f"⚠️ {exc}"}], "", "", ""
            return
        text = answer.answer + f"\n\n_searched: {answer.searched}_"
        yield (
            history + [{"role": "assistant", "content": text}],
            answer_html(answer),
            answer_markdown(answer),
            status_line(service),
        )

    with gr.Blocks(title="Isnad — إسناد") as ui:
        gr.Markdown("# Isnad · إسناد\nAsk in English or Arabic; every answer shows the exact quoted source.")
        status = gr.Markdown(status_line(service), elem_id="status")
        with gr.Row():
            with gr.Column(scale=3):
                chat = gr.Chatbot(label="Answer", height=360, elem_id="chat", rtl=False)
                box = gr.Textbox(label="Question", placeholder="How many US troops remain in Syria?",
                                 elem_id="question", rtl=False, text_align="left")
                gr.Examples(EXAMPLES, inputs=box)
            with gr.Column(scale=1):
                sources = gr.Dropdown(outlets, multiselect=True, label="Outlets", elem_id="outlets")
                day_from = gr.Textbox(label="From (YYYY-MM-DD)", elem_id="date-from")
                day_to = gr.Textbox(label="To (YYYY-MM-DD)", elem_id="date-to")
                mode = gr.Radio(["llm", "extractive"], value=service.settings.mode, label="Answer mode",
                                elem_id="mode")
        cards = gr.HTML(elem_id="citations")
        with gr.Accordion("Export as Markdown", open=False):
            export = gr.Code(language="markdown", elem_id="export", interactive=False)
        box.submit(respond, [box, chat, sources, day_from, day_to, mode], [chat, cards, export, status])
        box.submit(lambda: "", None, box)
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
    settings = Settings()
    service = IsnadService.from_settings(settings)
    ensure_sample(service)
    auth = None
    if settings.auth_user and settings.auth_password:
        auth = (settings.auth_user, settings.auth_password.get_secret_value())
    build_ui(service).queue().launch(
        server_name=settings.host, server_port=settings.port, auth=auth, css=CARD_CSS, show_error=True
    )


if __name__ == "__main__":
    main()
