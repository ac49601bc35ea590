"""Messages the core makes for people (why a model's answer was not used, why a verdict fell back): each
is its English text, as the CLI and JSON show it, and remembers its code and parameters, so that an
interface can word it in another language (``assistant.ui.notices``)."""

from __future__ import annotations

from typing import Any

# code -> English wording; parameters are text (a nested Notice, an error's own words, a figure).
NOTICES: dict[str, str] = {
    # why a model's answer was not shown, and what was shown instead
    "answer_fallback": "Showing quoted evidence instead of a generated answer: {reason}.",
    "llm_unavailable": "the LLM is unavailable ({error})",
    "empty_answer": "the model returned an empty answer",
    "found_nothing": "the model found no answer in the evidence",
    "cited_nothing": "the model's answer cited no evidence",
    "cited_missing": "the model cited evidence that does not exist",
    "unsupported_figures": "the model stated {figures}, which its cited evidence does not contain",
    "figures_of_another": "the model stated {figures}, which its cited evidence gives for something else",
    "wrong_language": "the model did not answer in the question's language",
    "stale_lead": "the model led with {said}, not the newest source's figure ({figure}, {source})",
    "stale_lead_none": "the model led with no figure, not the newest source's figure ({figure}, {source})",
    # why a claim's verdict is not the language model's, or not the stance model's
    "claim_fallback": "Showing the verdict from figures and stances instead of the language model's: {reason}.",
    "no_stance_model": "The stance model is unavailable ({error}); the verdict comes from the figures and "
    "wording of the sentences.",
    "verdict_cut_off": "the model's verdict was cut off at the token limit",
    "verdict_not_json": "the model's verdict was not valid JSON",
    "verdict_unknown": "the model gave an unknown verdict ({verdict!r})",
    "verdict_without_evidence": "the model's verdict cited no evidence for it",
    "verdict_disagrees": "the model's verdict ({verdict}) disagrees with the figures and stance of the best "
    "evidence ({base})",
    "reading_disagrees": "the model's reading of [{n}] disagrees with its figures or stance",
    # why some Arabic quotes are shown without their machine translation
    "translation_unavailable": "machine translation unavailable: the LLM did not answer ({error})",
    "translation_unusable": "some quotes have no machine translation: the model's output was not a usable "
    "translation",
    # the first run: the sample corpus is indexed in the background (assistant.first_run)
    "sample_indexing": "The sample corpus is still being indexed ({done:,} of {total:,} articles): this answer "
    "may miss sources.",
    "sample_incomplete": "Indexing the sample corpus stopped at {done:,} of {total:,} articles: this answer may "
    "miss sources.",
    # two notices, one after the other
    "both": "{first} {second}",
}


class Notice(str):
    """A message for people: the English text of ``NOTICES[code]`` with ``params``, a ``str`` everywhere
    a plain message was (printed, compared, serialised as JSON); ``code`` and ``params`` word it again."""

    code: str
    params: dict[str, Any]

    def __new__(cls, code: str, **params: Any) -> Notice:
        notice = super().__new__(cls, NOTICES[code].format(**params))
        notice.code, notice.params = code, params
        return notice

    def __getnewargs_ex__(self) -> tuple[tuple[str], dict[str, Any]]:  # copies and pickles (Gradio's state)
        return (self.code,), dict(self.params)


def joined(first: str | None, second: str | None) -> str | None:
    """Two notices, one after the other (either may be missing)."""
    if first and second:
        return Notice("both", first=first, second=second)
    return first or second
