"""What the UI's tabs share: the `Shared` record, turn-numbered panels, progress, filters and error messages."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import gradio as gr

from assistant.errors import IsnadError
from assistant.evidence import Citation
from assistant.service import IsnadService
from assistant.ui.forms import span_text
from assistant.ui.i18n import ENGLISH, label
from assistant.ui.progress import Steps
from assistant.ui.render import progress_html
from assistant.ui.status import IndexSummary, outlet_choices

log = logging.getLogger(__name__)

Update = Callable[[str, str], Any]  # (interface language, answer mode) -> a component update


@dataclass
class Shared:
    """What one tab updates on behalf of the others: the outlet lists and the status line to
    refresh after the library changes, and every control to relabel when the language changes."""

    status: gr.Markdown
    language: gr.Radio
    summary: IndexSummary
    outlets: list[gr.Dropdown] = field(default_factory=list)
    date_boxes: list[gr.Textbox] = field(default_factory=list)
    relabel: list[tuple[Any, Update]] = field(default_factory=list)
    remount: list[Any] = field(default_factory=list)  # components whose Gradio wording is fixed when drawn

    def labelled(self, component: Any, key: str, attribute: str = "label", **values: Any) -> Any:
        """Relabel ``component``'s ``attribute`` with the wording of ``key``; returns the component."""
        def update(language: str, _mode: str) -> Any:
            return gr.update(**{attribute: label(key, language, **values)})  # type: ignore[arg-type]

        self.relabel.append((component, update))
        return component

    def outlet_lists(self, language: str) -> list[Any]:
        """Every outlet list's update: each outlet with its article count."""
        choices = outlet_choices(self.summary.catalog(), language)
        return [gr.Dropdown(choices=choices) for _ in self.outlets]

    def date_hints(self, language: str) -> list[Any]:
        """Every date box's update: its label, the accepted format and the index's date span."""
        span = span_text(self.summary.catalog(), language)
        keys = ["date_from", "date_to"] * (len(self.date_boxes) // 2)
        return [gr.update(label=label(key, language), info=label("date_info", language, span=span)) for key in keys]


@dataclass
class Filters:
    """The outlet list and date fields that narrow a search."""

    outlets: gr.Dropdown
    day_from: gr.Textbox
    day_to: gr.Textbox


def filter_controls(service: IsnadService, shared: Shared, ids: tuple[str, str, str], outlets_key: str) -> Filters:
    """The outlet list (each outlet with its article count, refreshed with the library) and the two
    date fields (the format and the index's date span beside them); ``ids`` are their elem_ids."""
    outlets_id, from_id, to_id = ids
    catalog = shared.summary.catalog()
    outlets = gr.Dropdown(
        outlet_choices(catalog, ENGLISH), value=[], multiselect=True, label=label(outlets_key, ENGLISH),
        elem_id=outlets_id,
    )
    shared.outlets.append(outlets)
    shared.relabel.append((outlets, lambda language, _mode: gr.Dropdown(
        label=label(outlets_key, language), choices=outlet_choices(shared.summary.catalog(), language))))
    info = label("date_info", ENGLISH, span=span_text(catalog, ENGLISH))
    day_from = gr.Textbox(label=label("date_from", ENGLISH), info=info, elem_id=from_id, placeholder="2018-04-13")
    day_to = gr.Textbox(label=label("date_to", ENGLISH), info=info, elem_id=to_id, placeholder="2018-04-13")
    for box, key in ((day_from, "date_from"), (day_to, "date_to")):
        shared.relabel.append((box, _date_hint(shared, key)))
    shared.date_boxes += [day_from, day_to]
    return Filters(outlets, day_from, day_to)


def _date_hint(shared: Shared, key: str) -> Update:
    def update(language: str, _mode: str) -> Any:
        span = span_text(shared.summary.catalog(), language)
        return gr.update(label=label(key, language), info=label("date_info", language, span=span))

    return update


def failure_text(exc: IsnadError, doing: str) -> str:
    """The message a person sees when ``doing`` failed (what happened and what to do), logged for the operator."""
    log.warning("%s failed: %s: %s", doing, type(exc).__name__, exc)
    return str(exc) or f"{doing.capitalize()} failed ({type(exc).__name__}): try again; the server log has the details."


def numbered(turn: int, html: str) -> str:
    """A result panel numbered by turn, so a reader (or a test) can tell this result from the last."""
    return f'<div class="isnad-answer" data-turn="{turn}">{html}</div>'


def progress_panel(turn: int, steps: Steps, seconds: int) -> str:
    """The steps so far of the result numbered ``turn``."""
    return numbered(turn, progress_html(steps.timed(seconds)))


def chunk_progress(progress: gr.Progress) -> Callable[[int], None]:
    """A callback that counts embedded chunks into Gradio's progress bar."""
    done = 0

    def step(n: int) -> None:
        nonlocal done
        done += n
        progress((done, None), desc="embedding", unit="chunks")

    return step


def article_texts(service: IsnadService, citations: Iterable[Citation]) -> dict[str, str]:
    """doc id -> full text of every cited article, for the cards' "open article" panels."""
    ids = list(dict.fromkeys(c.doc_id for c in citations))
    return {doc_id: a.text for doc_id, a in service.index.get_articles(ids).items()}


def mode_choices(language: str) -> list[tuple[str, str]]:
    """The answer modes, named for a journalist: (name, mode)."""
    return [(label("mode_llm", language), "llm"), (label("mode_extractive", language), "extractive")]


def can_translate(mode: str) -> bool:
    """Quote translation needs the chat model."""
    return mode == "llm"


def translate_box(language: str, mode: str) -> Any:
    """The translate checkbox's update: worded in ``language``, usable only in llm mode."""
    usable = can_translate(mode)
    info = label("translate_info" if usable else "translate_off", language)
    if not usable:  # unticked too, so switching back to llm does not translate unasked
        return gr.update(label=label("translate", language), info=info, interactive=False, value=False)
    return gr.update(label=label("translate", language), info=info, interactive=True)
