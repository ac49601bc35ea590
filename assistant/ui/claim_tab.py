"""The Check-a-claim tab: a verdict on a claim, with the stance of each quoted source."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import gradio as gr

from assistant.claims import ClaimCheck
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
from vectorstore.records import SearchFilter

CLAIM_EXAMPLES = [
    "About 900 US troops remain in Syria.",
    "انسحبت جميع القوات الأمريكية من سوريا.",
]
Shown = tuple[str, int, Any]  # the result panel, its turn, the checked claim it shows (or None)
Check = Callable[[str, int, list[str], str, str, str, str], Iterator[Shown]]


@dataclass
class CheckedClaim:
    """A claim check on screen, kept to be worded again when the interface language changes."""

    turn: int
    result: ClaimCheck
    texts: dict[str, str]  # doc id -> article text, for the cards
    flt: SearchFilter

    def html(self, language: str) -> str:
        return numbered(self.turn, claim_html(self.result, self.texts, language, searched_text(self.flt, language)))


def reworded(shown: CheckedClaim | None, language: str) -> Any:
    """The claim check on screen, worded in the newly chosen interface language (nothing to do without one)."""
    return shown.html(language) if shown is not None else gr.update()


def _checker(service: IsnadService, shared: Shared) -> Check:
    def check(
        claim: str, turn: int, sources: list[str], day_from: str, day_to: str, mode: str, language: str
    ) -> Iterator[Shown]:
        """Check ``claim`` against the index, streaming the steps; the result panel is numbered by turn."""
        turn += 1
        steps = Steps(language, claim=True)
        yield progress_panel(turn, steps, 0), turn, None
        try:
            flt = checked_filter(sources, day_from, day_to, shared.summary.catalog, language)
            job = Job(lambda report: service.check(claim, mode=mode, flt=flt, progress=report))
            for stage, detail in job.events():
                steps.update(stage, detail)
                yield progress_panel(turn, steps, job.elapsed_s), turn, None
            result = job.result()
            texts = article_texts(service, result.citations)
        except IsnadError as exc:
            yield numbered(turn, error_html(failure_text(exc, "checking a claim"))), turn, None
            return
        shown = CheckedClaim(turn, result, texts, flt)
        yield shown.html(language), turn, shown

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
    shown = gr.State(None)  # the claim check on screen, once finished
    inputs = [claim, turn, filters.outlets, filters.day_from, filters.day_to, mode, shared.language]
    gr.on([claim.submit, check_button.click], check, inputs, [result, turn, shown], show_progress="hidden")
    shared.language.change(reworded, [shown, shared.language], result, show_progress="hidden")
