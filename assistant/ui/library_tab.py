"""The Library tab: the indexed articles (search, upload, add a web page, follow feeds, delete)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

import gradio as gr
import pandas as pd

from assistant.errors import IsnadError
from assistant.service import IsnadService
from assistant.ui.cards import short_title
from assistant.ui.forms import size_text, split_by_size
from assistant.ui.i18n import ENGLISH, code, label, number, text
from assistant.ui.render import (
    escape_markdown,
    feed_reports_markdown,
    followed_feeds_markdown,
    ingest_report_markdown,
    library_headers,
    library_rows,
)
from assistant.ui.shared import Shared, chunk_progress, failure_text
from assistant.ui.status import status_markdown
from assistant.ui.upload_form import (
    Detection,
    UploadForm,
    cleared,
    detected_markdown,
    field_error_text,
    overrides_from,
    prefilled,
    upload_form,
    uploaded_text,
)
from assistant.web_library import WebLibrary
from ingest.metadata import FIELDS, BadFieldError, detect_metadata
from vectorstore.records import IngestReport, StoredArticle

UPLOAD_TYPES = [".txt", ".md", ".html", ".htm", ".json", ".jsonl", ".ndjson", ".gz"]
LIBRARY_HEADERS = library_headers(ENGLISH)
Outcome = tuple[IngestReport, list[tuple[str, str]]] | str  # what indexing did (and files refused), or why it failed


def _warning(exc: IsnadError, doing: str) -> str:
    return f"⚠️ {escape_markdown(failure_text(exc, doing))}"


class Librarian:
    """The library's handlers; each returns its report, then (``refreshed``) the table, the outlet
    lists, the date hints and the status line, in the interface language."""

    def __init__(self, service: IsnadService, shared: Shared) -> None:
        self.service = service
        self.shared = shared
        self.limit = service.settings.max_file_bytes
        self.web = WebLibrary(service.settings, service.index)

    def refreshed(self, search: str, language: str = ENGLISH, mode: str = "") -> tuple[Any, ...]:
        """The articles matching ``search``, every tab's outlet list and date hints, and the status line."""
        shared = self.shared
        try:
            articles = self.service.library(search or "")
            rows = pd.DataFrame(library_rows(articles), columns=library_headers(language))
            status = status_markdown(shared.summary.catalog(), language, mode or self.service.settings.mode,
                                     shared.summary.indexing())
            lists, hints = shared.outlet_lists(language), shared.date_hints(language)
        except IsnadError as exc:
            kept = [gr.update() for _ in (*shared.outlets, *shared.date_boxes)]
            return gr.update(), *kept, _warning(exc, "reading the library")
        return rows, *lists, *hints, status

    def detect(self, files: list[str] | None, language: str = ENGLISH) -> list[Any]:
        """What the dropped files hold, before indexing: the detection (kept for the Index button and
        a language switch), the form shown with its fields prefilled, and the last report cleared."""
        paths, refused = split_by_size(files or [], self.limit)
        detection: Detection = (detect_metadata(paths, max_file_bytes=self.limit), refused)
        return [detection, *prefilled(detection, language), ""]

    def add_files(
        self, files: list[str] | None, search: str, title: str | None = None, source: str | None = None,
        published: str | None = None, url: str | None = None, language: str = ENGLISH,
        progress: gr.Progress = gr.Progress(),  # noqa: B008
    ) -> list[Any]:
        """Index the uploaded files within the size limit with the metadata typed in the form (an empty
        field keeps what the file says): the outcome, then the files and the form cleared. A field that
        cannot be used indexes nothing and keeps the form as typed, to fix."""
        paths, refused = split_by_size(files or [], self.limit)
        report = IngestReport()
        kept = [gr.update()] * (3 + len(FIELDS))  # the files, the panel, the detection report, the fields
        try:
            overrides = overrides_from([title, source, published, url])
            if paths:
                report = self.service.ingest_paths(paths, progress=chunk_progress(progress), overrides=overrides)
        except BadFieldError as exc:
            return [field_error_text(exc, language), *kept]
        except IsnadError as exc:
            return [_warning(exc, "indexing the uploaded files"), *kept]
        return [(report, refused, bool(overrides)), None, *cleared(language)]

    def add_page(self, url: str, search: str, progress: gr.Progress = gr.Progress()) -> Outcome:  # noqa: B008
        """Fetch and index one web page."""
        progress(None, desc=url)
        try:
            return self.web.add_url(url, progress=chunk_progress(progress)), []
        except IsnadError as exc:
            return _warning(exc, "adding a web page")

    @staticmethod
    def outcome_text(outcome: Outcome | None, language: str) -> str:
        """An upload's or a page's report in the interface language (a failure's message as it came)."""
        if outcome is None or isinstance(outcome, str):
            return outcome or ""
        report, refused = outcome
        return ingest_report_markdown(report, refused, language)

    def follow(self, url: str, search: str, progress: gr.Progress = gr.Progress()) -> tuple[Any, ...]:  # noqa: B008
        """Follow a feed and index its items."""
        progress(None, desc=f"reading {url}")
        return self.feeds_done(lambda: [self.web.add_feed(url, progress=chunk_progress(progress))], search)

    def refresh_feeds(self, search: str, progress: gr.Progress = gr.Progress()) -> tuple[Any, ...]:  # noqa: B008
        """Index the new items of every followed feed."""
        progress(None, desc="fetching the followed feeds")
        return self.feeds_done(lambda: self.web.refresh_feeds(progress=chunk_progress(progress)), search)

    def feeds_done(self, run: Callable[[], list[Any]], search: str) -> tuple[Any, ...]:
        try:
            message = feed_reports_markdown(run())
            followed = followed_feeds_markdown(self.web.feeds())
        except IsnadError as exc:
            message, followed = _warning(exc, "reading feeds"), ""
        return message, followed

    def ask_delete(self, doc_id: str, language: str = ENGLISH) -> tuple[Any, ...]:
        """What deleting ``doc_id`` would remove (title, outlet, date, chunks), with the confirmation shown."""
        doc_id = (doc_id or "").strip()
        try:
            article = self.service.article(doc_id) if doc_id else None
        except IsnadError as exc:
            return _warning(exc, "deleting an article"), gr.update(visible=False)
        if article is None:
            return self._missing(doc_id, language), gr.update(visible=False)
        question = text("delete_confirm", language, title=escape_markdown(short_title(article.title, article.text)),
                        where=_where(article, language), chunks=number(article.chunks, language))
        return question, gr.update(visible=True)

    def delete(self, doc_id: str, search: str, language: str = ENGLISH) -> tuple[Any, ...]:
        """Remove one article from the index (once confirmed): the message, the cleared id box, the
        confirmation hidden."""
        doc_id = (doc_id or "").strip()
        try:
            article = self.service.article(doc_id) if doc_id else None
            removed = article is not None and self.service.delete_article(doc_id)
        except IsnadError as exc:
            return _warning(exc, "deleting an article"), gr.update(), gr.update(visible=False)
        if not removed or article is None:
            return self._missing(doc_id, language), gr.update(), gr.update(visible=False)
        message = text("deleted", language, title=escape_markdown(short_title(article.title, article.text)),
                       where=_where(article, language))
        return message, "", gr.update(visible=False)

    @staticmethod
    def _missing(doc_id: str, language: str) -> str:
        if not doc_id:
            return text("enter_id", language)
        return text("no_such_article", language, doc_id=escape_markdown(doc_id))

    def followed_list(self, language: str = ENGLISH) -> str:
        """The followed feeds, as Markdown."""
        try:
            return followed_feeds_markdown(self.web.feeds(), language)
        except IsnadError as exc:
            return _warning(exc, "listing the followed feeds")


def _where(article: StoredArticle, language: str) -> str:
    """'BBC Arabic, 2018-04-13' (or 'undated')."""
    day = article.published[:10] or text("undated", language)
    return ("، " if code(language) == "ar" else ", ").join(escape_markdown(x) for x in (article.source, day) if x)


def pick(evt: gr.SelectData) -> str:
    """The id of the clicked row, for the delete box."""
    row = evt.row_value or []
    return str(row[0]) if row else ""


@dataclass
class LibraryControls:
    """The Library tab's components, as laid out."""

    search: gr.Textbox
    refresh: gr.Button
    articles: gr.Dataframe
    upload: gr.File
    form: UploadForm
    report: gr.Markdown
    doc_id: gr.Textbox
    remove: gr.Button
    removed: gr.Markdown
    confirmation: gr.Row
    delete_yes: gr.Button
    delete_no: gr.Button
    url: gr.Textbox
    add_url: gr.Button
    web_report: gr.Markdown
    feed: gr.Textbox
    add_feed: gr.Button
    refresh_all: gr.Button
    feed_report: gr.Markdown
    followed: gr.Markdown


def _upload_column(shared: Shared, limit: int) -> tuple[gr.File, UploadForm, gr.Markdown]:
    types = " ".join(UPLOAD_TYPES)
    sizes = {"limit": size_text(limit), "limit_ar": size_text(limit, "ar")}
    with gr.Column():
        upload = shared.labelled(gr.File(
            label=label("upload", ENGLISH, types=types, **sizes),
            file_count="multiple", file_types=UPLOAD_TYPES, elem_id="upload",
        ), "upload", types=types, **sizes)
        shared.remount.append(upload)  # its drop zone is worded by Gradio when drawn
        form = upload_form(shared)
        report = gr.Markdown(elem_id="upload-report")
    return upload, form, report


def _delete_column(shared: Shared) -> tuple[Any, ...]:
    with gr.Column():
        doc_id = shared.labelled(
            gr.Textbox(label="Article id to delete (click a row to fill it in)", elem_id="delete-id"), "delete_id"
        )
        remove = shared.labelled(gr.Button("Delete article…", variant="stop", elem_id="delete"), "delete", "value")
        removed = gr.Markdown(elem_id="delete-report")
        with gr.Row(visible=False, elem_id="delete-confirmation") as confirmation:
            yes = shared.labelled(gr.Button("Yes, remove it", variant="stop", elem_id="delete-yes", size="sm"),
                                  "delete_yes", "value")
            no = shared.labelled(gr.Button("Cancel", elem_id="delete-no", size="sm"), "delete_no", "value")
    return doc_id, remove, removed, confirmation, yes, no


def _page_column(shared: Shared) -> tuple[gr.Textbox, gr.Button, gr.Markdown]:
    with gr.Column():
        with gr.Row():
            url = shared.labelled(gr.Textbox(label="Add a web page (URL)", elem_id="add-url", scale=4), "add_url")
            add_url = shared.labelled(gr.Button("Add page", elem_id="add-url-button", scale=1),
                                      "add_url_button", "value")
        web_report = gr.Markdown(elem_id="url-report")
    return url, add_url, web_report


def _feed_column(shared: Shared, followed_list: Callable[..., str]) -> tuple[Any, ...]:
    with gr.Column():
        with gr.Row():
            feed = shared.labelled(gr.Textbox(label="Follow an RSS/Atom feed (URL)", elem_id="feed-url", scale=4),
                                   "feed_url")
            add_feed = shared.labelled(gr.Button("Follow feed", elem_id="add-feed", scale=1), "add_feed", "value")
            refresh_all = shared.labelled(gr.Button("Fetch new items", elem_id="refresh-feeds", scale=1),
                                          "refresh_feeds", "value")
        feed_report = gr.Markdown(elem_id="feed-report")
        followed = gr.Markdown(followed_list, elem_id="feeds")
        shared.relabel.append((followed, lambda language, _mode: followed_list(language)))
    return feed, add_feed, refresh_all, feed_report, followed


def _library_controls(shared: Shared, librarian: Librarian) -> LibraryControls:
    with gr.Row():
        search = shared.labelled(gr.Textbox(label="Search title / outlet / URL", elem_id="library-search", scale=4),
                                 "library_search")
        refresh = shared.labelled(gr.Button("Refresh", scale=1), "refresh", "value")
    articles = gr.Dataframe(  # filled on page load
        headers=LIBRARY_HEADERS, datatype=["str", "str", "str", "str", "number"], interactive=False,
        wrap=True, max_height=420, column_widths=["14%", "50%", "14%", "12%", "10%"], elem_id="library-table",
    )
    with gr.Row():
        upload, form, report = _upload_column(shared, librarian.limit)
        doc_id, remove, removed, confirmation, yes, no = _delete_column(shared)
    with gr.Row():
        url, add_url, web_report = _page_column(shared)
        feed, add_feed, refresh_all, feed_report, followed = _feed_column(shared, librarian.followed_list)
    return LibraryControls(search, refresh, articles, upload, form, report, doc_id, remove, removed, confirmation, yes,
                           no, url, add_url, web_report, feed, add_feed, refresh_all, feed_report, followed)


def _connect(c: LibraryControls, librarian: Librarian, shared: Shared, mode: gr.Radio, ui: gr.Blocks) -> None:
    """Wire the events once every tab exists: each change then refreshes the table, the outlet lists
    and date hints of all tabs, and the status line (only the report shows the work under way)."""
    after = [c.articles, *shared.outlets, *shared.date_boxes, shared.status]
    state = [c.search, shared.language, mode]
    gr.on([c.search.submit, c.refresh.click], librarian.refreshed, state, after, trigger_mode="always_last")
    upload_outcome, page_outcome, detection = gr.State(None), gr.State(None), gr.State(None)
    form = c.form
    shown = [form.panel, form.detected, *form.fields]
    c.upload.upload(librarian.detect, [c.upload, shared.language], [detection, *shown, c.report],
                    show_progress_on=[form.detected])
    c.upload.clear(cleared, shared.language, shown, show_progress="hidden")
    shared.language.change(lambda found, language: detected_markdown(found, language) if found else "",
                           [detection, shared.language], form.detected, show_progress="hidden")
    changes = [
        form.index.click(librarian.add_files, [c.upload, c.search, *form.fields, shared.language],
                         [upload_outcome, c.upload, *shown], show_progress_on=[c.report]).then(
            uploaded_text, [upload_outcome, shared.language], c.report, show_progress="hidden"),
        c.delete_yes.click(librarian.delete, [c.doc_id, c.search, shared.language],
                           [c.removed, c.doc_id, c.confirmation]),
        gr.on([c.url.submit, c.add_url.click], librarian.add_page, [c.url, c.search], page_outcome,
              show_progress_on=[c.web_report]).then(
            librarian.outcome_text, [page_outcome, shared.language], c.web_report, show_progress="hidden"),
        gr.on([c.feed.submit, c.add_feed.click], librarian.follow, [c.feed, c.search], [c.feed_report, c.followed],
              show_progress_on=[c.feed_report]),
        c.refresh_all.click(librarian.refresh_feeds, c.search, [c.feed_report, c.followed],
                            show_progress_on=[c.feed_report]),
    ]
    for change in changes:
        change.then(librarian.refreshed, state, after, show_progress="hidden")
    c.remove.click(librarian.ask_delete, [c.doc_id, shared.language], [c.removed, c.confirmation],
                   show_progress="hidden")
    c.delete_no.click(lambda: ("", gr.update(visible=False)), None, [c.removed, c.confirmation], show_progress="hidden")
    c.articles.select(pick, None, c.doc_id)
    gr.on([ui.load, shared.language.change, mode.change], librarian.refreshed, state, after,
          show_progress="hidden")  # the index may have changed since the page was built


def library_tab(service: IsnadService, shared: Shared) -> Callable[[gr.Radio, gr.Blocks], None]:
    """Lay out the library; returns the function that wires its events (called once all tabs exist,
    with the answer-mode control the status line names)."""
    librarian = Librarian(service, shared)
    return partial(_connect, _library_controls(shared, librarian), librarian, shared)
