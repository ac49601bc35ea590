"""Machine translation of Arabic quotes into English, shown beside the original (never instead of
it: the quoted, verified text is always the original). LLM only; every translation is checked to
be one line of English of plausible length keeping every figure of the quote, else it is left out."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from assistant.errors import IsnadError
from assistant.notices import Notice
from assistant.numbers import number_values
from assistant.prompts import chat_prompt
from ingest.arabic import detect_language

log = logging.getLogger(__name__)
_LABEL = re.compile(r"^(?:english|translation)\s*[:：]\s*", re.IGNORECASE)


def checked_translation(text: str, quote: str) -> str | None:
    """The model's first line without a label or quotes, when it is English, not far longer than
    the quote, and states every number the quote states; else None."""
    lines = [line.strip() for line in (text or "").splitlines() if line.strip()]
    if not lines:
        return None
    english = _LABEL.sub("", lines[0]).strip().strip("\"'«»“”").strip()
    if not english or len(english) > 3 * len(quote) + 40 or detect_language(english) != "en":
        return None
    if not number_values(quote) <= number_values(english):
        return None  # a figure lost or changed in translation: a journalist must not read it
    return english


def translate_quotes(
    chat_factory: Callable[[], Any], prompts_dir: Path, quotes: Sequence[str]
) -> tuple[dict[str, str], str | None]:
    """English translations of the Arabic ``quotes`` (others are skipped), and a note when some
    could not be translated (the model was unreachable, or its output failed the checks)."""
    arabic = [q for q in dict.fromkeys(quotes) if detect_language(q) == "ar"]
    if not arabic:
        return {}, None
    try:
        chat = chat_factory()
    except IsnadError as exc:  # no model: the quotes are shown without translation
        log.warning("No LLM for quote translation: %s", exc)
        return {}, Notice("translation_unavailable", error=type(exc).__name__)
    prompt = chat_prompt(prompts_dir, "translate_quote", "ar")
    translations: dict[str, str] = {}
    failure = None
    for quote in arabic:
        try:
            reply = chat.invoke(prompt.invoke({"input": f"Arabic: {quote}\nEnglish:"}))
        except IsnadError as exc:
            log.warning("Quote translation failed: %s", exc)
            return translations, Notice("translation_unavailable", error=type(exc).__name__)
        english = checked_translation(str(getattr(reply, "content", reply)), quote)
        if english:
            translations[quote] = english
        else:
            failure = Notice("translation_unusable")
    return translations, failure
