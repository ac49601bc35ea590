"""The Check-a-claim tab: a verdict on a claim, with the stance of each quoted source."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import gradio as gr

from assistant.errors import IsnadError
from assistant.service import IsnadService
from assistant.ui.cards import CARDS_JS
from assistant.ui.forms import checked_filter, searched_text
from assistant.ui.i18n import ENGLISH, label
from assistant.ui.progress import Job, Steps
from assistant.ui.render import claim_html, error_html
from assistant.ui.shared import (
    Shared,
    article_texts,
    failure_text,
    filter_controls,
    mode_choices,
    numbered,
    progress_panel,
)

CLAIM_EXAMPLES = [
    "About 900 US troops remain in Syria.",
    "انسحبت جميع القوات الأمريكية من سوريا.",
]
Check = Callable[[str, int, list[str], str, str, str, str], Iterator[tuple[str, int]]]


def _checker(service: IsnadService, shared: Shared) -> Check:
    def check(
        claim: str, turn: int, sources: list[str], day_from: str, day_to: str, mode: str, language: str
    ) -> Iterator[tuple[str, int]]:
        """Check ``claim`` against the index, streaming the steps; the result panel is numbered by turn."""
        turn += 1
        steps = Steps(language, claim=True)
        yield progress_panel(turn, steps, 0), turn
        try:
            flt = checked_filter(sources, day_from, day_to, shared.summary.catalog, language)
            job = Job(lambda report: service.check(claim, mode=mode, flt=flt, progress=report))
            for stage, detail in job.events():
                steps.update(stage, detail)
                yield progress_panel(turn, steps, job.elapsed_s), turn
            result = job.result()
            texts = article_texts(service, result.citations)
        except IsnadError as exc:
            yield numbered(turn, error_html(failure_text(exc, "checking a claim"))), turn
            return
        yield numbered(turn, claim_html(result, texts, language, searched_text(flt, language))), turn

    return check


def claim_tab(service: IsnadService, shared: Shared) -> None:
    """Lay out the claim check and wire it."""
    check = _checker(service, shared)
    with gr.Row():
        with gr.Column(scale=3):
            with gr.Row():
                claim = gr.Textbox(label=label("claim", ENGLISH), placeholder=label("claim_placeholder", ENGLISH),
                                   elem_id="claim", scale=5)
                shared.relabel.append((claim, lambda language, _mode: gr.update(
                    label=label("claim", language), placeholder=label("claim_placeholder", language))))
                check_button = shared.labelled(gr.Button("Check", variant="primary", elem_id="check", scale=1),
                                               "check", "value")
            examples = gr.Examples(CLAIM_EXAMPLES, inputs=claim, label=label("examples", ENGLISH),
                                   elem_id="claim-examples")
            shared.labelled(examples.dataset, "examples")
        with gr.Column(scale=1):
            filters = filter_controls(service, shared, ("claim-outlets", "claim-from", "claim-to"), "claim_outlets")
            mode = gr.Radio(mode_choices(ENGLISH), value=service.settings.mode, label=label("mode", ENGLISH),
                            elem_id="claim-mode")
            shared.relabel.append((mode, lambda language, _mode: gr.update(
                label=label("mode", language), choices=mode_choices(language))))
    shared.labelled(gr.Markdown("### Evidence"), "evidence", "value")
    result = gr.HTML(elem_id="claim-result", js_on_load=CARDS_JS)
    turn = gr.State(0)
    inputs = [claim, turn, filters.outlets, filters.day_from, filters.day_to, mode, shared.language]
    gr.on([claim.submit, check_button.click], check, inputs, [result, turn], show_progress="hidden")
