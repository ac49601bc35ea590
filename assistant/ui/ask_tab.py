"""The Ask tab: a conversation whose answers stream their progress, each turn keeping its citation cards,
with the figure's history charted, and the whole conversation exported as Markdown."""

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
from assistant.ui.chat import Turn, conversation_html, conversation_markdown, has_arabic, transcript
from assistant.ui.figures_chart import chart_frame, chart_limits, chart_unit, charted
from assistant.ui.forms import search_filter
from assistant.ui.i18n import ENGLISH, label
from assistant.ui.progress import Job, Steps
from assistant.ui.render import CARDS_JS, progress_chat_markdown
from assistant.ui.shared import (
    Filters,
    Shared,
    article_texts,
    can_translate,
    failure_text,
    filter_controls,
    translate_box,
)
from vectorstore.records import SearchFilter

EXAMPLES = [
    "How many US troops remain in Syria?",
    "كم عدد الجنود الأمريكيين الذين بقوا في سوريا؟",
    "When will the coalition mission in Iraq end?",
]
Reply = tuple[Any, ...]  # chat, panel, chart, export, download, previous, turns, question box


class Asker:
    """The conversation's handlers: answer a question (streaming its progress, the quoted evidence
    first in llm mode), translate Arabic quotes on demand, start a new conversation."""

    def __init__(self, service: IsnadService) -> None:
        self.service = service
        self.export_dir = Path(tempfile.mkdtemp(prefix="isnad-export-"))

    def respond(
        self, question: str, turns: list[Turn], previous: list[str], sources: list[str], day_from: str,
        day_to: str, mode: str, translate: bool, language: str,
    ) -> Iterator[Reply]:
        """Answer ``question`` (a follow-up is first rewritten to stand alone) as the conversation's
        next turn, streaming the steps; earlier turns keep their answers and cards."""
        turn = Turn(len(turns) + 1, question or "")
        turns = [*turns, turn]
        steps = Steps(language)
        yield self._under_way(turns, previous, steps, 0, translate)
        try:
            flt = search_filter(sources, day_from, day_to)
            job = Job(lambda report: self._ask(question, previous, flt, mode, report))
            for stage, detail in job.events():
                steps.update(stage, detail)
                if stage == "extractive":  # llm mode: the quoted evidence, shown while the model drafts
                    self._show(turn, detail["answer"])
                yield self._under_way(turns, previous, steps, job.elapsed_s, translate)
            _, answer = job.result()
            self._show(turn, answer)
            if translate and can_translate(mode) and has_arabic([c.quote for c in turn.quotes]):
                steps.update("quotes", {})
                yield self._under_way(turns, previous, steps, job.elapsed_s, translate)
                self.translate(turn)
        except IsnadError as exc:
            turn.error = failure_text(exc, "answering a question")
            yield self._answered(turns, previous, translate)
            return
        turn.done = True
        yield self._answered(turns, [*previous, answer.question], translate)

    def _ask(
        self, question: str, previous: list[str], flt: SearchFilter, mode: str, report: AskProgress
    ) -> tuple[Rewrite, Answer]:
        rewrite = Rewrite(question, question)
        if previous:
            report("rewriting", {})
            rewrite = self.service.standalone_question(question, previous, mode)
            report("rewritten", {"question": rewrite.question})
        return rewrite, self.service.ask(rewrite.question, mode=mode, flt=flt, progress=report)

    def _show(self, turn: Turn, answer: Answer) -> None:
        turn.answer = answer
        missing = [c for c in turn.quotes if c.doc_id not in turn.texts]
        turn.texts = {**turn.texts, **article_texts(self.service, missing)}

    @staticmethod
    def _under_way(turns: list[Turn], previous: list[str], steps: Steps, seconds: int, translate: bool) -> Reply:
        lines = steps.timed(seconds)
        bubble = progress_chat_markdown(lines[-1], steps.draft, steps.draft_label)
        return (transcript(turns, bubble), conversation_html(turns, translate, lines), chart_update(turns[-1]),
                "", _no_download(), previous, turns, "")

    def _answered(self, turns: list[Turn], previous: list[str], translate: bool) -> Reply:
        export = conversation_markdown(turns)
        download = gr.DownloadButton(value=self._export_file(export), interactive=True) if export else _no_download()
        return (transcript(turns), conversation_html(turns, translate), chart_update(turns[-1]), export, download,
                previous, turns, "")

    def _export_file(self, markdown: str) -> str:
        path = self.export_dir / f"isnad-conversation-{uuid.uuid4().hex[:8]}.md"
        path.write_text(markdown + "\n", encoding="utf-8")
        return str(path)

    def translate(self, turn: Turn) -> None:
        """Add English translations of ``turn``'s Arabic quotes not yet translated (or a note why not)."""
        missing = [c.quote for c in turn.quotes if c.quote not in turn.translations]
        if not missing or not has_arabic(missing):
            return
        try:
            made, turn.note = self.service.translate_quotes(missing)
        except IsnadError as exc:
            turn.note = failure_text(exc, "translating the quotes")
            return
        turn.translations = {**turn.translations, **made}

    def toggle_translation(self, translate: bool, mode: str, turns: list[Turn]) -> tuple[Any, ...]:
        """Show or hide the quotes' translations (the newest answer's are made when missing)."""
        if not turns:
            return gr.update(), turns
        if translate and can_translate(mode) and turns[-1].done:
            self.translate(turns[-1])
        return conversation_html(turns, translate and can_translate(mode)), turns

    @staticmethod
    def new_conversation() -> tuple[Any, ...]:
        """Everything the conversation showed, cleared: chat, panel, chart, export, download, previous, turns."""
        return [], "", chart_update(None), "", _no_download(), [], []


def _no_download() -> Any:
    return gr.DownloadButton(value=None, interactive=False)


def chart_update(turn: Turn | None) -> Any:
    """The figure chart for ``turn``'s answer: its points when they make a history, else hidden."""
    points = charted(turn.answer if turn else None)
    if not points:
        return gr.update(visible=False, value=None)
    x_lim, y_lim = chart_limits(points)
    return gr.update(visible=True, value=chart_frame(points), y_title=chart_unit(points), x_lim=x_lim, y_lim=y_lim)


@dataclass
class AskControls:
    """The Ask tab's components, as laid out."""

    chat: gr.Chatbot
    box: gr.Textbox
    ask_button: gr.Button
    new_chat: gr.Button
    filters: Filters
    mode: gr.Radio
    translate: gr.Checkbox
    chart: gr.ScatterPlot
    panel: gr.HTML
    export: gr.Code
    download: gr.DownloadButton


def _question_column(shared: Shared) -> tuple[gr.Chatbot, gr.Textbox, gr.Button, gr.Button]:
    chat = shared.labelled(gr.Chatbot(
        label="Answer", height=420, elem_id="chat", latex_delimiters=[], allow_tags=False, sanitize_html=True,
    ), "chat")
    with gr.Row():
        box = shared.labelled(gr.Textbox(
            label="Question", placeholder="How many US troops remain in Syria? · كم عدد الجنود…؟",
            elem_id="question", scale=5, text_align="left",
        ), "question")
        with gr.Column(scale=1, min_width=160):
            ask_button = shared.labelled(gr.Button("Ask", variant="primary", elem_id="ask"), "ask", "value")
            new_chat = shared.labelled(
                gr.Button("New conversation", elem_id="new-chat", size="sm"), "new_chat", "value"
            )
    gr.Examples(EXAMPLES, inputs=box)
    return chat, box, ask_button, new_chat


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


def _figure_chart(shared: Shared) -> gr.ScatterPlot:
    """The newest answer's figure over time: one point per source, its legend the outlet and date."""
    return shared.labelled(gr.ScatterPlot(
        value=None, x="date", y="value", color="source", tooltip=["figure"], x_title="published",
        label=label("figure_chart", ENGLISH), elem_id="figure-chart", visible=False,
    ), "figure_chart")


def _ask_controls(service: IsnadService, shared: Shared) -> AskControls:
    with gr.Row():
        with gr.Column(scale=3):
            chat, box, ask_button, new_chat = _question_column(shared)
        with gr.Column(scale=1):
            filters = filter_controls(service, shared, ("outlets", "date-from", "date-to"), "outlets")
            mode, translate = _answer_options(service, shared)
    shared.labelled(gr.Markdown("### Sources"), "sources", "value")
    chart = _figure_chart(shared)
    panel = gr.HTML(elem_id="citations", js_on_load=CARDS_JS)
    with shared.labelled(gr.Accordion("Export as Markdown", open=False, elem_id="export-box"), "export"):
        export = gr.Code(language="markdown", elem_id="export", interactive=False, buttons=["copy"])
        download = shared.labelled(
            gr.DownloadButton("Download .md", interactive=False, elem_id="download-md", size="sm"), "download", "value"
        )
    return AskControls(chat, box, ask_button, new_chat, filters, mode, translate, chart, panel, export, download)


def ask_tab(service: IsnadService, shared: Shared) -> gr.Radio:
    """Lay out the conversation and wire it; returns its answer-mode control (the language switch needs it)."""
    asker = Asker(service)
    ui = _ask_controls(service, shared)
    previous = gr.State([])  # the standalone questions asked so far in this conversation
    turns = gr.State([])  # the conversation: each turn's question, answer, article texts and translations
    language = shared.language
    f = ui.filters
    inputs = [ui.box, turns, previous, f.outlets, f.day_from, f.day_to, ui.mode, ui.translate, language]
    outputs = [ui.chat, ui.panel, ui.chart, ui.export, ui.download, previous, turns, ui.box]
    gr.on([ui.box.submit, ui.ask_button.click], asker.respond, inputs, outputs, show_progress_on=[ui.panel])
    cleared = [ui.chat, ui.panel, ui.chart, ui.export, ui.download, previous, turns]
    gr.on([ui.new_chat.click, ui.chat.clear], asker.new_conversation, None, cleared, show_progress="hidden")
    ui.translate.change(asker.toggle_translation, [ui.translate, ui.mode, turns], [ui.panel, turns])
    ui.mode.change(lambda m, lang: translate_box(lang, m), [ui.mode, language], ui.translate, show_progress="hidden")
    return ui.mode
