"""The Isnad page: one tab per task (ask, library, claim check), the interface-language switch, and `serve`.

The page is a Gradio chat whose answers carry verified, right-to-left citation cards, a library of
the indexed articles, a claim check, and a Markdown export; the interface speaks English or Arabic.
`serve` builds the service from settings, indexes the seed article on the first run (the rest of the
sample corpus in the background, its progress in the status line: assistant.first_run), then serves
on ISNAD_HOST:ISNAD_PORT (127.0.0.1:7860). Each tab lives in its own module (ask_tab, library_tab,
claim_tab); they share a `Shared` record (shared.py). Rendering is in render.py (cards, reports),
chat.py (the Ask tab's conversation) and figures_chart.py (a figure's history); CSS in styles.py,
wording in i18n.py, progress reporting in progress.py.
"""

from __future__ import annotations

import sys
import threading
from typing import Any

import gradio as gr

from assistant.first_run import begin_first_run
from assistant.process_memory import limit_malloc_arenas
from assistant.service import IsnadService
from assistant.settings import Settings
from assistant.ui.ask_tab import ask_tab
from assistant.ui.claim_tab import claim_tab
from assistant.ui.i18n import ENGLISH, LANGUAGES, label
from assistant.ui.library_tab import library_tab
from assistant.ui.locale import LANGUAGE_JS, LAUNCH_OPTIONS, PAGE_JS
from assistant.ui.shared import Shared
from assistant.ui.status import IndexSummary, status_markdown, technical_markdown
from assistant.ui.styles import CARD_CSS


def build_ui(service: IsnadService) -> gr.Blocks:
    """The whole page over ``service``: the title, the language switch, the status line (what is
    indexed, for journalists; the technical details folded under it) and the three tabs."""
    summary = IndexSummary(service)
    # Gradio's copies of uploads and downloads: checked hourly, deleted after a day (and at shutdown).
    with gr.Blocks(title="Isnad — إسناد", delete_cache=(3600, 86400)) as ui:
        with gr.Row():
            title = gr.Markdown(label("title", ENGLISH), elem_id="title")
            language = gr.Radio(list(LANGUAGES), value=ENGLISH, label="Interface language · لغة الواجهة",
                                elem_id="ui-language", scale=0, min_width=220)
        status = gr.Markdown(status_markdown(summary.catalog(), ENGLISH, service.settings.mode, summary.indexing()),
                             elem_id="status")
        shared = Shared(status=status, language=language, summary=summary)
        with shared.labelled(gr.Accordion(label("technical", ENGLISH), open=False, elem_id="technical"), "technical"):
            technical = gr.Markdown(elem_id="technical-details")
        shared.labelled(title, "title", "value")
        with gr.Tabs():
            with gr.Tab("Ask", id="ask") as ask:
                mode = ask_tab(service, shared)
            with gr.Tab("Library", id="library") as library:
                connect_library = library_tab(service, shared)
            with gr.Tab("Check a claim", id="claim") as claim:
                claim_tab(service, shared)
        for tab, key in ((ask, "tab_ask"), (library, "tab_library"), (claim, "tab_claim")):
            shared.labelled(tab, key)

        relabelled = [component for component, _ in shared.relabel]

        def relabel(lang: str, answer_mode: str) -> list[Any]:
            hidden = [gr.update(visible=False) for _ in shared.remount]
            return [update(lang, answer_mode) for _, update in shared.relabel] + hidden

        def shown() -> Any:
            updates = [gr.update(visible=True) for _ in shared.remount]
            return updates[0] if len(updates) == 1 else updates  # Gradio takes one output's value unwrapped

        # Gradio words some parts (the drop zone) once, when drawn: hidden and shown again, they take the new language.
        language.change(relabel, [language, mode], relabelled + shared.remount, js=LANGUAGE_JS,
                        show_progress="hidden").then(shown, None, shared.remount, show_progress="hidden")
        ui.load(lambda: technical_markdown(service.status()), None, technical, js=PAGE_JS, show_progress="hidden")
        connect_library(mode, ui)
        refresh_while_indexing(shared, mode, service.settings.mode)
    return ui


def refresh_while_indexing(shared: Shared, mode: gr.Radio, default_mode: str, every_s: float = 2.0) -> None:
    """Refresh the status line every ``every_s`` seconds while the sample corpus is indexed in the
    background; once it is done (or stopped), refresh the outlet lists and date hints a last time and
    stop (at once when no first run was under way)."""
    timer = gr.Timer(every_s)
    lists = [*shared.outlets, *shared.date_boxes]

    def tick(language: str, answer_mode: str) -> list[Any]:
        summary = shared.summary
        state = summary.indexing()
        if state.started is None:  # no first run in this process: nothing to follow
            return [gr.update(), gr.Timer(active=False), *(gr.update() for _ in lists)]
        status = status_markdown(summary.catalog(), language, answer_mode or default_mode, state)
        if state.running:
            return [status, gr.update(), *(gr.update() for _ in lists)]
        return [status, gr.Timer(active=False), *shared.outlet_lists(language), *shared.date_hints(language)]

    timer.tick(tick, [shared.language, mode], [shared.status, timer, *lists], show_progress="hidden",
               api_visibility="undocumented")


def begin_llm_warm_up(service: IsnadService) -> threading.Thread | None:
    """In llm mode, load the model and compute its fixed prompts in a background thread while the UI
    starts (``ChatBackend.warm_up``: the first question's first drafted token 13.4 → 7.0 s, docs/benchmarks.md)."""
    if service.settings.mode != "llm":
        return None
    thread = threading.Thread(target=service.llm.warm_up, name="isnad-llm-warm-up", daemon=True)
    thread.start()
    return thread


def serve(settings: Settings) -> None:
    """Build the service from ``settings``, index the seed article on a first run (the rest of the
    sample corpus in the background, while the UI serves), and serve the UI."""
    limit_malloc_arenas(settings.malloc_arenas)
    service = IsnadService.from_settings(settings)
    begin_first_run(service, say=lambda line: print(line, file=sys.stderr, flush=True))
    begin_llm_warm_up(service)
    auth = None
    if settings.auth_user and settings.auth_password:
        auth = (settings.auth_user, settings.auth_password.get_secret_value())
    build_ui(service).queue().launch(
        server_name=settings.host, server_port=settings.port, auth=auth, css=CARD_CSS, show_error=True,
        **LAUNCH_OPTIONS,
        # The Library tab refuses files over max_file_bytes with a clear message; far bigger ones are
        # stopped by Gradio while uploading, before they fill the disk.
        max_file_size=2 * settings.max_file_bytes,
    )
