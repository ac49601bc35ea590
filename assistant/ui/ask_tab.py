"""The Ask tab: a chat whose answers stream their progress, then show checked citation cards and a Markdown export."""

from __future__ import annotations

import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import gradio as gr

from assistant.answering import Answer
from assistant.errors import IsnadError
from assistant.followup import Rewrite
from assistant.service import AskProgress, IsnadService
from assistant.ui.forms import search_filter
from assistant.ui.i18n import ENGLISH, label
from assistant.ui.progress import Job, Steps
from assistant.ui.render import (
    CARDS_JS,
    answer_chat_markdown,
    answer_html,
    answer_markdown,
    error_html,
    escape_markdown,
    progress_chat_markdown,
)
from assistant.ui.shared import (
    Filters,
    Shared,
    article_texts,
    can_translate,
    failure_text,
    filter_controls,
    numbered,
    progress_panel,
    translate_box,
)
from ingest.arabic import detect_language
from vectorstore.records import SearchFilter

EXAMPLES = [
    "How many US troops remain in Syria?",
    "كم عدد الجنود الأمريكيين الذين بقوا في سوريا؟",
    "When will the coalition mission in Iraq end?",
]
Shown = dict[str, Any]  # the answer on display: answer, texts, asked, turn, translations, note
Reply = tuple[Any, ...]  # chat, panel, export, download, previous, shown, question box


def _has_arabic(quotes: list[str]) -> bool:
    return any(detect_language(q) == "ar" for q in quotes)


class Asker:
    """The chat's handlers: answer a question (streaming its progress), translate Arabic quotes on demand."""

    def __init__(self, service: IsnadService) -> None:
        self.service = service
        self.export_dir = Path(tempfile.mkdtemp(prefix="isnad-export-"))

    def respond(
        self, question: str, history: list[dict[str, Any]], previous: list[str], sources: list[str], day_from: str,
        day_to: str, mode: str, translate: bool, language: str,
    ) -> Iterator[Reply]:
        """Answer ``question`` (a follow-up is first rewritten to stand alone), streaming the steps."""
        history = [*history, {"role": "user", "content": escape_markdown(question or "")}]
        turn = sum(1 for message in history if message.get("role") == "user")
        steps = Steps(language)

        def under_way(seconds: int) -> Reply:
            return self._under_way(history, previous, turn, steps, seconds)

        yield under_way(0)
        try:
            flt = search_filter(sources, day_from, day_to)
            job = Job(lambda report: self._ask(question, previous, flt, mode, report))
            for stage, detail in job.events():
                steps.update(stage, detail)
                yield under_way(job.elapsed_s)
            rewrite, answer = job.result()
            shown = {"answer": answer, "texts": article_texts(self.service, answer.citations),
                     "asked": rewrite.asked, "turn": turn, "translations": {}}
            if translate and can_translate(mode) and _has_arabic([c.quote for c in answer.citations]):
                steps.update("quotes", {})
                yield under_way(job.elapsed_s)
                shown = self.translated(shown)
        except IsnadError as exc:
            message = failure_text(exc, "answering a question")
            reply = {"role": "assistant", "content": f"⚠️ {escape_markdown(message)}"}
            yield [*history, reply], numbered(turn, error_html(message)), "", _no_download(), previous, {}, ""
            return
        yield self._answered(history, previous, shown, translate)

    def _ask(
        self, question: str, previous: list[str], flt: SearchFilter, mode: str, report: AskProgress
    ) -> tuple[Rewrite, Answer]:
        rewrite = Rewrite(question, question)
        if previous:
            report("rewriting", {})
            rewrite = self.service.standalone_question(question, previous, mode)
            report("rewritten", {"question": rewrite.question})
        return rewrite, self.service.ask(rewrite.question, mode=mode, flt=flt, progress=report)

    @staticmethod
    def _under_way(history: list[dict[str, Any]], previous: list[str], turn: int, steps: Steps, seconds: int) -> Reply:
        bubble = progress_chat_markdown(steps.timed(seconds)[-1], steps.draft, steps.draft_label)
        return ([*history, {"role": "assistant", "content": bubble}], progress_panel(turn, steps, seconds),
                "", _no_download(), previous, {}, "")

    def _answered(self, history: list[dict[str, Any]], previous: list[str], shown: Shown, translate: bool) -> Reply:
        answer: Answer = shown["answer"]
        return (
            [*history, {"role": "assistant", "content": answer_chat_markdown(answer, shown["asked"])}],
            cards(shown, translate),
            answer_markdown(answer),
            gr.DownloadButton(value=self._export_file(answer), interactive=True),
            [*previous, answer.question],
            shown,
            "",
        )

    def _export_file(self, answer: Answer) -> str:
        path = self.export_dir / f"isnad-answer-{uuid.uuid4().hex[:8]}.md"
        path.write_text(answer_markdown(answer) + "\n", encoding="utf-8")
        return str(path)

    def translated(self, shown: Shown) -> Shown:
        """``shown`` with English translations of its Arabic quotes not yet translated."""
        missing = [c.quote for c in shown["answer"].citations if c.quote not in shown["translations"]]
        if not missing or not _has_arabic(missing):
            return shown
        try:
            made, note = self.service.translate_quotes(missing)
        except IsnadError as exc:
            return {**shown, "note": failure_text(exc, "translating the quotes")}
        return {**shown, "translations": {**shown["translations"], **made}, "note": note}

    def toggle_translation(self, translate: bool, mode: str, shown: Shown) -> tuple[Any, ...]:
        """Show or hide the quotes' translations of the answer on display."""
        if not shown:
            return gr.update(), shown
        if translate and can_translate(mode):
            shown = self.translated(shown)
        return cards(shown, translate and can_translate(mode)), shown


def _no_download() -> Any:
    return gr.DownloadButton(value=None, interactive=False)


def cards(shown: Shown, translate: bool) -> str:
    """The citation panel of the answer on display, with quote translations when asked for and made."""
    on = translate and bool(shown.get("translations") or shown.get("note"))
    html = answer_html(
        shown["answer"], shown["texts"], shown["asked"],
        shown.get("translations") if on else None, shown.get("note") if on else None,
    )
    return numbered(shown["turn"], html)


@dataclass
class AskControls:
    """The Ask tab's components, as laid out."""

    chat: gr.Chatbot
    box: gr.Textbox
    ask_button: gr.Button
    filters: Filters
    mode: gr.Radio
    translate: gr.Checkbox
    panel: gr.HTML
    export: gr.Code
    download: gr.DownloadButton


def _question_column(shared: Shared) -> tuple[gr.Chatbot, gr.Textbox, gr.Button]:
    chat = shared.labelled(gr.Chatbot(
        label="Answer", height=380, elem_id="chat", latex_delimiters=[], allow_tags=False, sanitize_html=True,
    ), "chat")
    with gr.Row():
        box = shared.labelled(gr.Textbox(
            label="Question", placeholder="How many US troops remain in Syria? · كم عدد الجنود…؟",
            elem_id="question", scale=5, text_align="left",
        ), "question")
        ask_button = shared.labelled(gr.Button("Ask", variant="primary", elem_id="ask", scale=1), "ask", "value")
    gr.Examples(EXAMPLES, inputs=box)
    return chat, box, ask_button


def _answer_options(service: IsnadService, shared: Shared) -> tuple[gr.Radio, gr.Checkbox]:
    mode = gr.Radio(["llm", "extractive"], value=service.settings.mode, label="Answer mode", elem_id="mode",
                    info=label("mode_info", ENGLISH))
    shared.relabel.append(
        (mode, lambda language, _m: gr.update(label=label("mode", language), info=label("mode_info", language)))
    )
    usable = can_translate(service.settings.mode)
    translate = gr.Checkbox(
        value=False, label=label("translate", ENGLISH), interactive=usable, elem_id="translate-quotes",
        info=label("translate_info" if usable else "translate_off", ENGLISH),
    )
    shared.relabel.append((translate, translate_box))
    return mode, translate


def _ask_controls(service: IsnadService, shared: Shared) -> AskControls:
    with gr.Row():
        with gr.Column(scale=3):
            chat, box, ask_button = _question_column(shared)
        with gr.Column(scale=1):
            filters = filter_controls(service, shared, ("outlets", "date-from", "date-to"), "outlets")
            mode, translate = _answer_options(service, shared)
    shared.labelled(gr.Markdown("### Sources"), "sources", "value")
    panel = gr.HTML(elem_id="citations", js_on_load=CARDS_JS)
    with shared.labelled(gr.Accordion("Export as Markdown", open=False, elem_id="export-box"), "export"):
        export = gr.Code(language="markdown", elem_id="export", interactive=False, buttons=["copy"])
        download = shared.labelled(
            gr.DownloadButton("Download .md", interactive=False, elem_id="download-md", size="sm"), "download", "value"
        )
    return AskControls(chat, box, ask_button, filters, mode, translate, panel, export, download)


def ask_tab(service: IsnadService, shared: Shared) -> gr.Radio:
    """Lay out the chat and wire it; returns its answer-mode control (the language switch needs it)."""
    asker = Asker(service)
    ui = _ask_controls(service, shared)
    previous = gr.State([])  # the standalone questions asked so far in this conversation
    shown = gr.State({})  # the answer on display, its article texts and quote translations
    language = shared.language
    f = ui.filters
    inputs = [ui.box, ui.chat, previous, f.outlets, f.day_from, f.day_to, ui.mode, ui.translate, language]
    outputs = [ui.chat, ui.panel, ui.export, ui.download, previous, shown, ui.box]
    gr.on([ui.box.submit, ui.ask_button.click], asker.respond, inputs, outputs, show_progress_on=[ui.panel])
    ui.chat.clear(lambda: ([], {}, ""), None, [previous, shown, ui.panel])  # a new conversation
    ui.translate.change(asker.toggle_translation, [ui.translate, ui.mode, shown], [ui.panel, shown])
    ui.mode.change(lambda m, lang: translate_box(lang, m), [ui.mode, language], ui.translate, show_progress="hidden")
    return ui.mode
