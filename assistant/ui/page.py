"""Isnad in the browser: a Gradio chat whose answers carry verified, right-to-left citation cards,
a library of the indexed articles (search, upload, add a web page, follow feeds, delete), a claim
check, and a Markdown export. The interface speaks English or Arabic.

Run with `make run` (or `isnad serve`). Builds the service from settings, indexes the sample
corpus on the first run, then serves on ISNAD_HOST:ISNAD_PORT (127.0.0.1:7860).

Layout: `build_ui` makes one tab per task (`_ask_tab`, `_library_tab`, `_claim_tab`); they share
a `Shared` record (the outlet lists and status line to refresh, the controls to relabel when the
interface language changes). Rendering lives in assistant/render.py, wording in assistant/i18n.py,
progress reporting in assistant/progress.py: this is the only Gradio module.
"""

from __future__ import annotations

import sys
import tempfile
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import gradio as gr
import pandas as pd
from tqdm import tqdm

from assistant.answering import Answer
from assistant.errors import IsnadError
from assistant.followup import Rewrite
from assistant.service import IsnadService
from assistant.settings import Settings
from assistant.ui.forms import search_filter, size_text, split_by_size
from assistant.ui.i18n import ENGLISH, LANGUAGES, label
from assistant.ui.progress import Job, Steps
from assistant.ui.render import (
    CARD_CSS,
    CARDS_JS,
    LANGUAGE_JS,
    answer_chat_markdown,
    answer_html,
    answer_markdown,
    claim_html,
    error_html,
    escape_markdown,
    feed_reports_markdown,
    followed_feeds_markdown,
    ingest_report_markdown,
    library_rows,
    progress_chat_markdown,
    progress_html,
    status_markdown,
)
from assistant.web_library import WebLibrary
from ingest.arabic import detect_language
from vectorstore.records import IngestReport

EXAMPLES = [
    "How many US troops remain in Syria?",
    "كم عدد الجنود الأمريكيين الذين بقوا في سوريا؟",
    "When will the coalition mission in Iraq end?",
]
CLAIM_EXAMPLES = [
    "About 900 US troops remain in Syria.",
    "انسحبت جميع القوات الأمريكية من سوريا.",
]
UPLOAD_TYPES = [".txt", ".md", ".html", ".htm", ".json", ".jsonl", ".ndjson", ".gz"]
LIBRARY_HEADERS = ["id", "title", "outlet", "date", "chunks"]
SERVICE_ERRORS = (IsnadError,)

Update = Callable[[str, str], Any]  # (interface language, answer mode) -> a component update


@dataclass
class Shared:
    """What one tab updates on behalf of the others: the outlet lists and the status line to
    refresh after the library changes, and every control to relabel when the language changes."""

    status: gr.Markdown
    language: gr.Radio
    outlets: list[gr.Dropdown] = field(default_factory=list)
    relabel: list[tuple[Any, Update]] = field(default_factory=list)

    def labelled(self, component: Any, key: str, attribute: str = "label", **values: Any) -> Any:
        """Relabel ``component``'s ``attribute`` with the wording of ``key``; returns the component."""
        def update(language: str, _mode: str) -> Any:
            return gr.update(**{attribute: label(key, language, **values)})  # type: ignore[arg-type]

        self.relabel.append((component, update))
        return component


def _export_file(folder: Path, answer: Answer) -> str:
    path = folder / f"isnad-answer-{uuid.uuid4().hex[:8]}.md"
    path.write_text(answer_markdown(answer) + "\n", encoding="utf-8")
    return str(path)


def _numbered(turn: int, html: str) -> str:
    """A result panel numbered by turn, so a reader (or a test) can tell this result from the last."""
    return f'<div class="isnad-answer" data-turn="{turn}">{html}</div>'


def _progress_panel(turn: int, steps: Steps, seconds: int) -> str:
    return _numbered(turn, progress_html(steps.timed(seconds)))


def _chunk_progress(progress: gr.Progress) -> Callable[[int], None]:
    done = 0

    def step(n: int) -> None:
        nonlocal done
        done += n
        progress((done, None), desc="embedding", unit="chunks")

    return step


def _can_translate(mode: str) -> bool:
    return mode == "llm"


def _translate_box(language: str, mode: str) -> Any:
    usable = _can_translate(mode)
    info = label("translate_info" if usable else "translate_off", language)
    if not usable:  # unticked too, so switching back to llm does not translate unasked
        return gr.update(label=label("translate", language), info=info, interactive=False, value=False)
    return gr.update(label=label("translate", language), info=info, interactive=True)


# --------------------------------------------------------------------------------------- ask tab
def _ask_tab(service: IsnadService, shared: Shared) -> gr.Radio:
    """The chat; returns its answer-mode control (the language switch needs it)."""
    export_dir = Path(tempfile.mkdtemp(prefix="isnad-export-"))

    def cards(shown: dict[str, Any], translate: bool) -> str:
        on = translate and bool(shown.get("translations") or shown.get("note"))
        html = answer_html(
            shown["answer"], shown["texts"], shown["asked"],
            shown.get("translations") if on else None, shown.get("note") if on else None,
        )
        return _numbered(shown["turn"], html)

    def translated(shown: dict[str, Any]) -> dict[str, Any]:
        missing = [c.quote for c in shown["answer"].citations if c.quote not in shown["translations"]]
        if not missing or not any(detect_language(q) == "ar" for q in missing):
            return shown
        made, note = service.translate_quotes(missing)
        return {**shown, "translations": {**shown["translations"], **made}, "note": note}

    def respond(
        question: str, history: list[dict[str, Any]], previous: list[str], sources: list[str], day_from: str,
        day_to: str, mode: str, translate: bool, language: str,
    ) -> Iterator[tuple[Any, ...]]:
        history = [*history, {"role": "user", "content": escape_markdown(question or "")}]
        turn = sum(1 for message in history if message.get("role") == "user")
        steps = Steps(language)
        no_download = gr.DownloadButton(value=None, interactive=False)

        def under_way(seconds: int) -> tuple[Any, ...]:
            bubble = progress_chat_markdown(steps.timed(seconds)[-1], steps.draft, steps.draft_label)
            return ([*history, {"role": "assistant", "content": bubble}], _progress_panel(turn, steps, seconds),
                    "", no_download, previous, {}, "")

        def ask(report: Callable[[str, dict[str, Any]], None]) -> tuple[Rewrite, Answer]:
            flt = search_filter(sources, day_from, day_to)
            rewrite = Rewrite(question, question)
            if previous:
                report("rewriting", {})
                rewrite = service.standalone_question(question, previous, mode)
                report("rewritten", {"question": rewrite.question})
            return rewrite, service.ask(rewrite.question, mode=mode, flt=flt, progress=report)

        yield under_way(0)
        try:
            job = Job(ask)
            for stage, detail in job.events():
                steps.update(stage, detail)
                yield under_way(job.elapsed_s)
            rewrite, answer = job.result()
            ids = list(dict.fromkeys(c.doc_id for c in answer.citations))
            texts = {doc_id: a.text for doc_id, a in service.index.get_articles(ids).items()}
            shown = {"answer": answer, "texts": texts, "asked": rewrite.asked, "turn": turn, "translations": {}}
            if translate and _can_translate(mode) and any(detect_language(c.quote) == "ar" for c in answer.citations):
                steps.update("quotes", {})
                yield under_way(job.elapsed_s)
                shown = translated(shown)
        except (*SERVICE_ERRORS, ValueError) as exc:
            reply = {"role": "assistant", "content": f"⚠️ {escape_markdown(str(exc))}"}
            yield [*history, reply], _numbered(turn, error_html(str(exc))), "", no_download, previous, {}, ""
            return
        yield (
            [*history, {"role": "assistant", "content": answer_chat_markdown(answer, rewrite.asked)}],
            cards(shown, translate),
            answer_markdown(answer),
            gr.DownloadButton(value=_export_file(export_dir, answer), interactive=True),
            [*previous, answer.question],
            shown,
            "",
        )

    def toggle_translation(translate: bool, mode: str, shown: dict[str, Any]) -> tuple[Any, ...]:
        if not shown:
            return gr.update(), shown
        if translate and _can_translate(mode):
            shown = translated(shown)
        return cards(shown, translate and _can_translate(mode)), shown

    with gr.Row():
        with gr.Column(scale=3):
            chat = shared.labelled(gr.Chatbot(
                label="Answer", height=380, elem_id="chat", latex_delimiters=[], allow_tags=False,
                sanitize_html=True,
            ), "chat")
            with gr.Row():
                box = shared.labelled(gr.Textbox(
                    label="Question", placeholder="How many US troops remain in Syria? · كم عدد الجنود…؟",
                    elem_id="question", scale=5, text_align="left",
                ), "question")
                ask_button = shared.labelled(
                    gr.Button("Ask", variant="primary", elem_id="ask", scale=1), "ask", "value"
                )
            gr.Examples(EXAMPLES, inputs=box)
        with gr.Column(scale=1):
            outlets = shared.labelled(gr.Dropdown(
                service.index.sources(), value=[], multiselect=True, label="Outlets (empty = all)", elem_id="outlets",
            ), "outlets")
            shared.outlets.append(outlets)
            day_from = shared.labelled(gr.Textbox(label="From (YYYY-MM-DD)", elem_id="date-from"), "date_from")
            day_to = shared.labelled(gr.Textbox(label="To (YYYY-MM-DD)", elem_id="date-to"), "date_to")
            mode = gr.Radio(["llm", "extractive"], value=service.settings.mode, label="Answer mode", elem_id="mode",
                            info=label("mode_info", ENGLISH))
            shared.relabel.append(
                (mode, lambda language, _m: gr.update(label=label("mode", language), info=label("mode_info", language)))
            )
            usable = _can_translate(service.settings.mode)
            translate = gr.Checkbox(
                value=False, label=label("translate", ENGLISH), interactive=usable, elem_id="translate-quotes",
                info=label("translate_info" if usable else "translate_off", ENGLISH),
            )
            shared.relabel.append((translate, _translate_box))
    shared.labelled(gr.Markdown("### Sources"), "sources", "value")
    panel = gr.HTML(elem_id="citations", js_on_load=CARDS_JS)
    with shared.labelled(gr.Accordion("Export as Markdown", open=False, elem_id="export-box"), "export"):
        export = gr.Code(language="markdown", elem_id="export", interactive=False, buttons=["copy"])
        download = shared.labelled(
            gr.DownloadButton("Download .md", interactive=False, elem_id="download-md", size="sm"), "download", "value"
        )

    previous = gr.State([])  # the standalone questions asked so far in this conversation
    shown = gr.State({})  # the answer on display, its article texts and quote translations
    language = shared.language
    inputs = [box, chat, previous, outlets, day_from, day_to, mode, translate, language]
    gr.on([box.submit, ask_button.click], respond, inputs, [chat, panel, export, download, previous, shown, box],
          show_progress_on=[panel])
    chat.clear(lambda: ([], {}, ""), None, [previous, shown, panel])  # a new conversation
    translate.change(toggle_translation, [translate, mode, shown], [panel, shown])
    mode.change(lambda m, lang: _translate_box(lang, m), [mode, language], translate, show_progress="hidden")
    return mode


# ----------------------------------------------------------------------------------- library tab
def _library_tab(service: IsnadService, shared: Shared) -> Callable[[gr.Blocks], None]:
    """The library; returns the function that wires its events (called once all tabs exist)."""
    limit = service.settings.max_file_bytes
    web = WebLibrary(service.settings, service.index)

    def refreshed(search: str) -> tuple[Any, ...]:
        rows = pd.DataFrame(library_rows(service.library(search or "")), columns=LIBRARY_HEADERS)
        sources = service.index.sources()
        return rows, *[gr.Dropdown(choices=sources) for _ in shared.outlets], status_markdown(service.status())

    def add_files(files: list[str] | None, search: str, progress: gr.Progress = gr.Progress()) -> tuple[Any, ...]:  # noqa: B008
        paths, refused = split_by_size(files or [], limit)
        report = IngestReport()
        try:
            if paths:
                report = service.ingest_paths(paths, progress=_chunk_progress(progress))
        except SERVICE_ERRORS as exc:
            return (f"⚠️ {escape_markdown(str(exc))}", None, *refreshed(search))
        return (ingest_report_markdown(report, refused), None, *refreshed(search))

    def add_page(url: str, search: str, progress: gr.Progress = gr.Progress()) -> tuple[Any, ...]:  # noqa: B008
        progress(None, desc=f"fetching {url}")
        try:
            message = ingest_report_markdown(web.add_url(url, progress=_chunk_progress(progress)))
        except SERVICE_ERRORS as exc:
            message = f"⚠️ {escape_markdown(str(exc))}"
        return (message, *refreshed(search))

    def follow(url: str, search: str, progress: gr.Progress = gr.Progress()) -> tuple[Any, ...]:  # noqa: B008
        progress(None, desc=f"reading {url}")
        return feeds_done(lambda: [web.add_feed(url, progress=_chunk_progress(progress))], search)

    def refresh_feeds(search: str, progress: gr.Progress = gr.Progress()) -> tuple[Any, ...]:  # noqa: B008
        progress(None, desc="fetching the followed feeds")
        return feeds_done(lambda: web.refresh_feeds(progress=_chunk_progress(progress)), search)

    def feeds_done(run: Callable[[], list[Any]], search: str) -> tuple[Any, ...]:
        try:
            message = feed_reports_markdown(run())
            followed = followed_feeds_markdown(web.feeds())
        except SERVICE_ERRORS as exc:
            message, followed = f"⚠️ {escape_markdown(str(exc))}", ""
        return (message, followed, *refreshed(search))

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

    def followed_list() -> str:
        try:
            return followed_feeds_markdown(web.feeds())
        except SERVICE_ERRORS as exc:
            return f"⚠️ {escape_markdown(str(exc))}"

    def pick(evt: gr.SelectData) -> str:
        row = evt.row_value or []
        return str(row[0]) if row else ""

    with gr.Row():
        search = shared.labelled(gr.Textbox(label="Search title / outlet / URL", elem_id="library-search", scale=4),
                                 "library_search")
        refresh = shared.labelled(gr.Button("Refresh", scale=1), "refresh", "value")
    articles = gr.Dataframe(  # filled on page load
        headers=LIBRARY_HEADERS, datatype=["str", "str", "str", "str", "number"], interactive=False,
        wrap=True, max_height=420, column_widths=["14%", "50%", "14%", "12%", "10%"], elem_id="library-table",
    )
    types = " ".join(UPLOAD_TYPES)
    with gr.Row():
        with gr.Column():
            upload = shared.labelled(gr.File(
                label=label("upload", ENGLISH, types=types, limit=size_text(limit)),
                file_count="multiple", file_types=UPLOAD_TYPES, elem_id="upload",
            ), "upload", types=types, limit=size_text(limit))
            report = gr.Markdown(elem_id="upload-report")
        with gr.Column():
            doc_id = shared.labelled(
                gr.Textbox(label="Article id to delete (click a row to fill it in)", elem_id="delete-id"), "delete_id"
            )
            remove = shared.labelled(gr.Button("Delete article", variant="stop", elem_id="delete"), "delete", "value")
            removed = gr.Markdown(elem_id="delete-report")
    with gr.Row():
        with gr.Column():
            with gr.Row():
                url = shared.labelled(gr.Textbox(label="Add a web page (URL)", elem_id="add-url", scale=4), "add_url")
                add_url = shared.labelled(gr.Button("Add page", elem_id="add-url-button", scale=1),
                                          "add_url_button", "value")
            web_report = gr.Markdown(elem_id="url-report")
        with gr.Column():
            with gr.Row():
                feed = shared.labelled(gr.Textbox(label="Follow an RSS/Atom feed (URL)", elem_id="feed-url", scale=4),
                                       "feed_url")
                add_feed = shared.labelled(gr.Button("Follow feed", elem_id="add-feed", scale=1), "add_feed", "value")
                refresh_all = shared.labelled(gr.Button("Fetch new items", elem_id="refresh-feeds", scale=1),
                                              "refresh_feeds", "value")
            feed_report = gr.Markdown(elem_id="feed-report")
            followed = gr.Markdown(followed_list, elem_id="feeds")

    def connect(ui: gr.Blocks) -> None:
        """Wire the events once every tab exists: they refresh the outlet lists of all tabs."""
        after = [articles, *shared.outlets, shared.status]
        gr.on([search.submit, refresh.click], refreshed, search, after)
        upload.upload(add_files, [upload, search], [report, upload, *after])
        remove.click(delete, [doc_id, search], [removed, *after])
        gr.on([url.submit, add_url.click], add_page, [url, search], [web_report, *after])
        gr.on([feed.submit, add_feed.click], follow, [feed, search], [feed_report, followed, *after])
        refresh_all.click(refresh_feeds, search, [feed_report, followed, *after])
        articles.select(pick, None, doc_id)
        ui.load(refreshed, search, after)  # the index may have changed since the page was built

    return connect


# ------------------------------------------------------------------------------------- claim tab
def _claim_tab(service: IsnadService, shared: Shared) -> None:
    def check(
        claim: str, turn: int, sources: list[str], day_from: str, day_to: str, mode: str, language: str
    ) -> Iterator[tuple[str, int]]:
        turn += 1
        steps = Steps(language, claim=True)
        yield _progress_panel(turn, steps, 0), turn
        try:
            flt = search_filter(sources, day_from, day_to)
            job = Job(lambda report: service.check(claim, mode=mode, flt=flt, progress=report))
            for stage, detail in job.events():
                steps.update(stage, detail)
                yield _progress_panel(turn, steps, job.elapsed_s), turn
            result = job.result()
            ids = list(dict.fromkeys(c.doc_id for c in result.citations))
            texts = {doc_id: a.text for doc_id, a in service.index.get_articles(ids).items()}
        except (*SERVICE_ERRORS, ValueError) as exc:
            yield _numbered(turn, error_html(str(exc))), turn
            return
        yield _numbered(turn, claim_html(result, texts)), turn

    with gr.Row():
        with gr.Column(scale=3):
            with gr.Row():
                claim = shared.labelled(gr.Textbox(
                    label="Claim to check", placeholder="About 900 US troops remain in Syria. · انسحبت القوات…",
                    elem_id="claim", scale=5, text_align="left",
                ), "claim")
                check_button = shared.labelled(gr.Button("Check", variant="primary", elem_id="check", scale=1),
                                               "check", "value")
            gr.Examples(CLAIM_EXAMPLES, inputs=claim)
        with gr.Column(scale=1):
            outlets = shared.labelled(gr.Dropdown(
                service.index.sources(), value=[], multiselect=True, label="Outlets (empty = all)",
                elem_id="claim-outlets",
            ), "claim_outlets")
            shared.outlets.append(outlets)
            day_from = shared.labelled(gr.Textbox(label="From (YYYY-MM-DD)", elem_id="claim-from"), "date_from")
            day_to = shared.labelled(gr.Textbox(label="To (YYYY-MM-DD)", elem_id="claim-to"), "date_to")
            mode = shared.labelled(gr.Radio(["llm", "extractive"], value=service.settings.mode, label="Answer mode",
                                            elem_id="claim-mode"), "mode")
    shared.labelled(gr.Markdown("### Evidence"), "evidence", "value")
    result = gr.HTML(elem_id="claim-result", js_on_load=CARDS_JS)
    turn = gr.State(0)
    inputs = [claim, turn, outlets, day_from, day_to, mode, shared.language]
    gr.on([claim.submit, check_button.click], check, inputs, [result, turn], show_progress_on=[result])


# ------------------------------------------------------------------------------------------ page
def build_ui(service: IsnadService) -> gr.Blocks:
    with gr.Blocks(title="Isnad — إسناد") as ui:
        with gr.Row():
            title = gr.Markdown(label("title", ENGLISH), elem_id="title")
            language = gr.Radio(list(LANGUAGES), value=ENGLISH, label="Interface language · لغة الواجهة",
                                elem_id="ui-language", scale=0, min_width=220)
        shared = Shared(status=gr.Markdown(status_markdown(service.status()), elem_id="status"), language=language)
        shared.labelled(title, "title", "value")
        with gr.Tabs():
            with gr.Tab("Ask", id="ask") as ask_tab:
                mode = _ask_tab(service, shared)
            with gr.Tab("Library", id="library") as library_tab:
                connect_library = _library_tab(service, shared)
            with gr.Tab("Check a claim", id="claim") as claim_tab:
                _claim_tab(service, shared)
        for tab, key in ((ask_tab, "tab_ask"), (library_tab, "tab_library"), (claim_tab, "tab_claim")):
            shared.labelled(tab, key)

        relabelled = [component for component, _ in shared.relabel]

        def relabel(lang: str, answer_mode: str) -> list[Any]:
            return [update(lang, answer_mode) for _, update in shared.relabel]

        language.change(relabel, [language, mode], relabelled, js=LANGUAGE_JS, show_progress="hidden")
        connect_library(ui)
    return ui


def ensure_sample(service: IsnadService) -> None:
    """Index the sample corpus the first time the app starts on an empty index."""
    if service.index.stats()["articles"] > 0:
        return
    print("Indexing the sample corpus (first run only)…", file=sys.stderr)
    with tqdm(desc="embedding", unit=" chunks", file=sys.stderr) as bar:
        report = service.ingest_paths(service.sample_paths(), progress=bar.update)
    print(f"added {report.added} articles ({report.chunks} chunks) in {report.seconds:.0f} s", file=sys.stderr)


def serve(settings: Settings) -> None:
    """Build the service from ``settings``, index the sample corpus on a first run, and serve the UI."""
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
