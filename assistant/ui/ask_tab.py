"""The Ask tab: a conversation whose answers stream their progress, each turn keeping its citation cards,
with the figure's history charted, and the whole conversation exported as Markdown."""

from __future__ import annotations

import shutil
import tempfile
import threading
import uuid
import weakref
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import gradio as gr

from assistant.answering import Answer
from assistant.errors import IsnadError
from assistant.followup import Rewrite
from assistant.service import AskProgress, IsnadService
from assistant.ui.cards import CARDS_JS
from assistant.ui.chat import Turn, conversation_html, conversation_markdown, has_arabic, transcript
from assistant.ui.figures_chart import DATE_AXIS, chart_frame, chart_limits, chart_unit, charted
from assistant.ui.forms import checked_filter, too_long
from assistant.ui.i18n import ARABIC, ENGLISH, label, text
from assistant.ui.progress import Job, Steps
from assistant.ui.render import progress_chat_markdown
from assistant.ui.shared import (
    Filters,
    Shared,
    article_texts,
    can_translate,
    failure_text,
    filter_controls,
    mode_choices,
    translate_box,
)
from assistant.ui.status import IndexSummary
from vectorstore.records import SearchFilter

EXAMPLES = [
    "How many US troops remain in Syria?",
    "كم عدد الجنود الأمريكيين الذين بقوا في سوريا؟",
    "When will the coalition mission in Iraq end?",
]
Reply = tuple[Any, ...]  # chat, panel, chart, export, download, previous, turns, question box
ECHO_CHARS = 200  # an over-long question is echoed this far into the chat, then cut
KEPT_EXPORTS = 50  # conversation exports kept on disk (the newest); Gradio serves its own copies
# Shows how many characters the question has once it nears the limit (in the browser, as it is typed).
COUNTER_JS = """(question, language) => {{
  const n = (question || '').length;
  if (n < {near}) return '';
  const words = language === '{arabic}' ? '{ar}' : '{en}';
  const over = n > {limit} ? ' isnad-over' : '';
  return `<span class="isnad-counter${{over}}">${{words.replace('{{count}}', n.toLocaleString('en'))}}</span>`;
}}"""


class Asker:
    """The conversation's handlers: answer a question (streaming its progress, the quoted evidence
    first in llm mode), translate Arabic quotes on demand, start a new conversation."""

    def __init__(self, service: IsnadService, summary: IndexSummary | None = None) -> None:
        self.service = service
        self.summary = summary or IndexSummary(service)
        self.limit = service.settings.max_question_chars
        self.export_dir = Path(tempfile.mkdtemp(prefix="isnad-export-"))
        weakref.finalize(self, shutil.rmtree, self.export_dir, ignore_errors=True)  # also run at exit
        self._exports: deque[Path] = deque()  # written, oldest first
        self._exporting = threading.Lock()  # users answered at once prune the same folder

    def respond(
        self, question: str, turns: list[Turn], previous: list[str], sources: list[str], day_from: str,
        day_to: str, mode: str, translate: bool, language: str,
    ) -> Iterator[Reply]:
        """Answer ``question`` (a follow-up is first rewritten to stand alone) as the conversation's
        next turn, streaming the steps; earlier turns keep their answers and cards."""
        question = question or ""
        if too_long(question, self.limit):  # refused before anything is searched, and not echoed in full
            turn = Turn(len(turns) + 1, question[:ECHO_CHARS].rstrip() + "…", error=label(
                "too_long", language, count=f"{len(question):,}", limit=f"{self.limit:,}"))
            yield self._answered([*turns, turn], previous, translate, language, question)
            return
        turn = Turn(len(turns) + 1, question)
        turns = [*turns, turn]
        steps = Steps(language)
        yield self._under_way(turns, previous, steps, 0, translate, language)
        try:
            turn.flt = flt = checked_filter(sources, day_from, day_to, self.summary.catalog, language)
            job = Job(lambda report: self._ask(question, previous, flt, mode, report))
            for stage, detail in job.events():
                steps.update(stage, detail)
                if stage == "extractive":  # llm mode: the quoted evidence, shown while the model drafts
                    self._show(turn, detail["answer"])
                yield self._under_way(turns, previous, steps, job.elapsed_s, translate, language)
            _, answer = job.result()
            self._show(turn, answer)
            if translate and can_translate(mode) and has_arabic([c.quote for c in turn.quotes]):
                steps.update("quotes", {})
                yield self._under_way(turns, previous, steps, job.elapsed_s, translate, language)
                self.translate(turn)
        except IsnadError as exc:
            turn.error = failure_text(exc, "answering a question")
            yield self._answered(turns, previous, translate, language)
            return
        turn.done = True
        yield self._answered(turns, [*previous, answer.question], translate, language)

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
    def _under_way(
        turns: list[Turn], previous: list[str], steps: Steps, seconds: int, translate: bool, language: str
    ) -> Reply:
        lines = steps.timed(seconds)
        bubble = progress_chat_markdown(lines[-1], steps.draft, steps.draft_label)
        return (transcript(turns, bubble, language), conversation_html(turns, translate, lines, language),
                chart_update(turns[-1], language), "", _no_download(), previous, turns, "")

    def _answered(
        self, turns: list[Turn], previous: list[str], translate: bool, language: str, box: str = ""
    ) -> Reply:
        """The finished conversation; ``box`` is left in the question box (a refused question, to shorten)."""
        export, download = self._exported(turns, language)
        return (transcript(turns, language=language), conversation_html(turns, translate, language=language),
                chart_update(turns[-1], language), export, download, previous, turns, box)

    def _exported(self, turns: list[Turn], language: str) -> tuple[str, Any]:
        """The conversation as Markdown worded in ``language``, and the download button for its file."""
        export = conversation_markdown(turns, language)
        if not export:
            return export, _no_download()
        return export, gr.DownloadButton(value=self._export_file(export), interactive=True)

    def _export_file(self, markdown: str) -> str:
        """Write the export for the download button. Gradio copies it into its own cache when the
        answer is sent, so only the newest ``KEPT_EXPORTS`` stay here: a server answering all day
        does not fill the disk."""
        path = self.export_dir / f"isnad-conversation-{uuid.uuid4().hex[:8]}.md"
        path.write_text(markdown + "\n", encoding="utf-8")
        with self._exporting:
            self._exports.append(path)
            while len(self._exports) > KEPT_EXPORTS:
                self._exports.popleft().unlink(missing_ok=True)
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

    def toggle_translation(self, translate: bool, mode: str, turns: list[Turn], language: str) -> tuple[Any, ...]:
        """Show or hide the quotes' translations (the newest answer's are made when missing)."""
        if not turns:
            return gr.update(), turns
        if translate and can_translate(mode) and turns[-1].done:
            self.translate(turns[-1])
        return conversation_html(turns, translate and can_translate(mode), language=language), turns

    def reworded(self, turns: list[Turn], translate: bool, mode: str, language: str) -> tuple[Any, ...]:
        """The conversation so far (chat, sources, chart and export), worded in the newly chosen interface language."""
        if not turns or not all(t.done or t.error for t in turns):
            return gr.update(), gr.update(), gr.update(), gr.update(), gr.update()
        shown = translate and can_translate(mode)
        return (transcript(turns, language=language), conversation_html(turns, shown, language=language),
                chart_update(turns[-1], language), *self._exported(turns, language))

    @staticmethod
    def new_conversation() -> tuple[Any, ...]:
        """Everything the conversation showed, cleared: chat, panel, chart, export, download, previous, turns."""
        return [], "", chart_update(None), "", _no_download(), [], []


def _no_download() -> Any:
    return gr.DownloadButton(value=None, interactive=False)


def chart_update(turn: Turn | None, language: str = ENGLISH) -> Any:
    """The figure chart for ``turn``'s answer: its points when they make a history, else hidden."""
    points = charted(turn.answer if turn else None)
    if not points:
        return gr.update(visible=False, value=None)
    x_lim, y_lim = chart_limits(points)
    return gr.update(visible=True, value=chart_frame(points, language), y_title=chart_unit(points, language),
                     x_lim=x_lim, y_lim=y_lim, x_title=text("published", language),
                     color_title=text("figure_source", language))


@dataclass
class AskControls:
    """The Ask tab's components, as laid out."""

    chat: gr.Chatbot
    box: gr.Textbox
    counter: gr.HTML
    ask_button: gr.Button
    new_chat: gr.Button
    filters: Filters
    mode: gr.Radio
    translate: gr.Checkbox
    chart: gr.ScatterPlot
    panel: gr.HTML
    export: gr.Code
    download: gr.DownloadButton


def _question_column(shared: Shared) -> tuple[gr.Chatbot, gr.Textbox, gr.HTML, gr.Button, gr.Button]:
    chat = shared.labelled(gr.Chatbot(
        label="Answer", height=420, elem_id="chat", latex_delimiters=[], allow_tags=False, sanitize_html=True,
    ), "chat")
    with gr.Row():
        with gr.Column(scale=5):
            box = gr.Textbox(label=label("question", ENGLISH), placeholder=label("placeholder", ENGLISH),
                             elem_id="question")
            shared.relabel.append((box, lambda language, _mode: gr.update(
                label=label("question", language), placeholder=label("placeholder", language))))
            counter = gr.HTML("", elem_id="question-counter", padding=False)
        with gr.Column(scale=1, min_width=160):
            ask_button = shared.labelled(gr.Button("Ask", variant="primary", elem_id="ask"), "ask", "value")
            new_chat = shared.labelled(
                gr.Button("New conversation", elem_id="new-chat", size="sm"), "new_chat", "value"
            )
    examples = gr.Examples(EXAMPLES, inputs=box, label=label("examples", ENGLISH), elem_id="examples")
    shared.labelled(examples.dataset, "examples")
    return chat, box, counter, ask_button, new_chat


def _answer_options(service: IsnadService, shared: Shared) -> tuple[gr.Radio, gr.Checkbox]:
    mode = gr.Radio(mode_choices(ENGLISH), value=service.settings.mode, label=label("mode", ENGLISH), elem_id="mode",
                    info=label("mode_info", ENGLISH))
    shared.relabel.append((mode, lambda language, _m: gr.update(
        label=label("mode", language), info=label("mode_info", language), choices=mode_choices(language))))
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
        value=None, x="date", y="value", color="source", tooltip=["figure"], x_title=text("published", ENGLISH),
        color_title=text("figure_source", ENGLISH), x_axis_format=DATE_AXIS,
        label=label("figure_chart", ENGLISH), elem_id="figure-chart", visible=False,
    ), "figure_chart")


def _ask_controls(service: IsnadService, shared: Shared) -> AskControls:
    with gr.Row():
        with gr.Column(scale=3):
            chat, box, counter, ask_button, new_chat = _question_column(shared)
        with gr.Column(scale=1):
            filters = filter_controls(service, shared, ("outlets", "date-from", "date-to"), "outlets")
            mode, translate = _answer_options(service, shared)
    shared.labelled(gr.Markdown("### Sources"), "sources", "value")
    chart = _figure_chart(shared)
    panel = gr.HTML(elem_id="citations", js_on_load=CARDS_JS)
    with shared.labelled(gr.Accordion("Export as Markdown", open=False, elem_id="export-box"), "export"):
        export = gr.Code(language="markdown", elem_id="export", interactive=False, buttons=["copy"])
        download = shared.labelled(
            gr.DownloadButton("Download .md", interactive=False, elem_id="download-md", size="sm"), "download"
        )
    return AskControls(chat, box, counter, ask_button, new_chat, filters, mode, translate, chart, panel, export,
                       download)


def ask_tab(service: IsnadService, shared: Shared) -> gr.Radio:
    """Lay out the conversation and wire it; returns its answer-mode control (the language switch needs it)."""
    asker = Asker(service, shared.summary)
    ui = _ask_controls(service, shared)
    previous = gr.State([])  # the standalone questions asked so far in this conversation
    turns = gr.State([])  # the conversation: each turn's question, answer, article texts and translations
    language = shared.language
    f = ui.filters
    inputs = [ui.box, turns, previous, f.outlets, f.day_from, f.day_to, ui.mode, ui.translate, language]
    outputs = [ui.chat, ui.panel, ui.chart, ui.export, ui.download, previous, turns, ui.box]
    gr.on([ui.box.submit, ui.ask_button.click], asker.respond, inputs, outputs, show_progress="hidden")
    cleared = [ui.chat, ui.panel, ui.chart, ui.export, ui.download, previous, turns]
    gr.on([ui.new_chat.click, ui.chat.clear], asker.new_conversation, None, cleared, show_progress="hidden")
    ui.translate.change(asker.toggle_translation, [ui.translate, ui.mode, turns, language], [ui.panel, turns])
    ui.mode.change(lambda m, lang: translate_box(lang, m), [ui.mode, language], ui.translate, show_progress="hidden")
    counter_js = COUNTER_JS.format(near=int(asker.limit * 0.9), limit=asker.limit, arabic=ARABIC,
                                   en=label("question_count", ENGLISH, count="{count}", limit=f"{asker.limit:,}"),
                                   ar=label("question_count", ARABIC, count="{count}", limit=f"{asker.limit:,}"))
    gr.on([ui.box.input, ui.box.change], None, [ui.box, language], ui.counter, js=counter_js, show_progress="hidden")
    language.change(asker.reworded, [turns, ui.translate, ui.mode, language],
                    [ui.chat, ui.panel, ui.chart, ui.export, ui.download], show_progress="hidden")
    return ui.mode
