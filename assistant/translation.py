"""Question translation into Arabic, so English questions also get the Arabic-only signals
(BM25 over Arabic text, same-language dense matching). Used only when an LLM is available."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from assistant.errors import IsnadError
from assistant.prompts import chat_prompt
from ingest.arabic import detect_language

log = logging.getLogger(__name__)


def translate_question(chat: Any, prompts_dir: Path, question: str, max_chars: int = 400) -> str | None:
    """The question in Arabic, or None when the model's output is not a plausible translation."""
    prompt = chat_prompt(prompts_dir, "translate_query", "en")
    try:
        reply = chat.invoke(prompt.invoke({"input": question}))
    except IsnadError as exc:  # translation is an optional boost; retrieval goes on without it
        log.warning("Query translation failed: %s", exc)
        return None
    text = str(getattr(reply, "content", reply)).strip().strip('"«»').splitlines()
    arabic = text[0].strip() if text else ""
    if not arabic or len(arabic) > max_chars or detect_language(arabic) != "ar":
        return None
    return arabic
