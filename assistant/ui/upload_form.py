"""The Library's upload form: what the dropped files hold (title, outlet, date, link), shown and
prefilled in editable fields before anything is indexed, and the fields read back as checked metadata."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import gradio as gr

from assistant.ui.i18n import ENGLISH, code, text, upload_text
from assistant.ui.render import escape_markdown, ingest_report_markdown
from assistant.ui.shared import Shared
from ingest.metadata import FIELDS, ArticleOverrides, BadFieldError, DetectedArticle, DetectedFile
from vectorstore.records import IngestReport

MAX_LISTED = 12  # article lines the detection report lists before "… and N more"
Detection = tuple[list[DetectedFile], list[tuple[str, str]]]  # each file's metadata, files refused (name, reason)
# What indexing did: the report, the files refused, whether metadata was typed; or why it failed.
Uploaded = tuple[IngestReport, list[tuple[str, str]], bool] | str


@dataclass
class UploadForm:
    """The fields shown once files are dropped (``panel``), and the Index button."""

    panel: gr.Group
    detected: gr.Markdown
    title: gr.Textbox
    source: gr.Textbox
    published: gr.Textbox
    url: gr.Textbox
    index: gr.Button

    @property
    def fields(self) -> list[gr.Textbox]:
        """In the order of ``ingest.metadata.FIELDS``: title, outlet, date, link."""
        return [self.title, self.source, self.published, self.url]


def upload_form(shared: Shared) -> UploadForm:
    """Lay out the form, hidden until files are dropped; every label in the interface language."""
    with gr.Group(visible=False, elem_id="upload-form") as panel:
        detected = gr.Markdown(elem_id="upload-detected")
        boxes: list[gr.Textbox] = []
        for name in FIELDS:
            info = "date_info" if name == "published" else "keep_info"
            box = gr.Textbox(label=upload_text(name, ENGLISH), info=upload_text(info, ENGLISH),
                             elem_id=f"upload-{name}", max_lines=1)
            shared.relabel.append((box, _relabel(name, info)))
            boxes.append(box)
        index = gr.Button(upload_text("index", ENGLISH), variant="primary", elem_id="upload-index")
        shared.relabel.append((index, lambda language, _mode: gr.update(value=upload_text("index", language))))
    title, source, published, url = boxes
    return UploadForm(panel, detected, title, source, published, url, index)


def _relabel(name: str, info: str) -> Any:
    def update(language: str, _mode: str) -> Any:
        return gr.update(label=upload_text(name, language), info=upload_text(info, language))

    return update


def prefilled(detection: Detection, language: str) -> list[Any]:
    """The panel shown, the detection report, and each field's update: with one article, what its file
    says; with several, empty (each keeps its own) and the title and link fields closed."""
    files, _ = detection
    articles = [a for f in files for a in f.articles]
    shown = gr.update(visible=True)
    report = detected_markdown(detection, language)
    if len(articles) == 1:
        one = articles[0]
        return [shown, report, *_fields(language, [one.title, one.source, one.published, one.url])]
    several = upload_text("one_info", language)
    closed = gr.update(value="", interactive=False, info=several)  # a title or link names one article
    _, source, published, _ = _fields(language, [""] * len(FIELDS))
    return [shown, report, closed, source, published, closed]


def _fields(language: str, values: list[str]) -> list[Any]:
    """Each field open, holding ``values``, with its usual hint."""
    infos = ["date_info" if name == "published" else "keep_info" for name in FIELDS]
    return [gr.update(value=value, interactive=True, info=upload_text(info, language))
            for value, info in zip(values, infos, strict=True)]


def cleared(language: str = ENGLISH) -> list[Any]:
    """The form hidden and emptied (after indexing, or when the files are removed)."""
    return [gr.update(visible=False), "", *_fields(language, [""] * len(FIELDS))]


def detected_markdown(detection: Detection, language: str) -> str:
    """What each file holds, as Markdown: its articles' title, outlet, date and link (or what it lacks),
    and why a file or record cannot be read."""
    files, refused = detection
    articles = [a for f in files for a in f.articles]
    lines = [upload_text("detected", language, files=len(files) + len(refused), articles=len(articles))]
    if len(articles) > 1:
        lines.append(f"_{upload_text('several', language)}_")
    listed = 0
    for file in files:
        count = f" ({len(file.articles)})" if len(file.articles) > 1 else ""
        lines.append(f"- **{escape_markdown(file.path.name)}**{count}")
        for article in file.articles:
            listed += 1
            if listed <= MAX_LISTED:
                lines.append(f"  - {article_line(article, language)}")
        lines += [f"  - ✗ {escape_markdown(_record(r.origin, file.path))}{escape_markdown(r.reason)}"
                  for r in file.rejections]
    if listed > MAX_LISTED:
        lines.append(upload_text("more", language, count=listed - MAX_LISTED))
    lines += [f"- ✗ **{escape_markdown(name)}**: {escape_markdown(reason)}" for name, reason in refused]
    return "\n".join(lines)


def article_line(article: DetectedArticle, language: str) -> str:
    """«title» — outlet, date, link; "no outlet", "undated", "no link" where the file says nothing."""
    parts = [article.source or upload_text("no_outlet", language), article.published[:10] or text("undated", language),
             article.url or text("no_link", language)]
    comma = "، " if code(language) == "ar" else ", "
    return f"«{escape_markdown(article.title)}» — {escape_markdown(comma.join(parts))}"


def _record(origin: str, path: Path) -> str:
    """'wire.jsonl:3: ' for a record of a file (as the ingest report names it), '' for the file itself."""
    full = str(path.resolve())
    tail = origin[len(full):] if origin.startswith(full) else ""
    return f"{path.name}{tail}: " if tail else ""


def overrides_from(values: Sequence[str | None]) -> ArticleOverrides:
    """The typed fields (title, outlet, date, link) as checked metadata; raises ``BadFieldError``."""
    title, source, published, url = ((v or "") for v in values)
    return ArticleOverrides.from_fields(title=title, source=source, published=published, url=url)


def field_error_text(error: BadFieldError, language: str) -> str:
    """What was wrong with a field, in the interface language, naming the field and what was typed."""
    return "⚠️ " + escape_markdown(
        upload_text(error.problem, language, field=upload_text(error.field, language).lower(), value=error.value)
    )


def uploaded_text(outcome: Uploaded | None, language: str) -> str:
    """What indexing the upload did, in the interface language; says so when an article was already
    indexed with the same text, so the metadata typed for it was not applied (nothing stored is changed)."""
    if outcome is None or isinstance(outcome, str):
        return outcome or ""
    report, refused, typed = outcome
    lines = ingest_report_markdown(report, refused, language)
    if typed and report.unchanged:
        lines += "\n\n" + upload_text("kept", language, count=report.unchanged)
    return lines
