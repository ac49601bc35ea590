"""Prompt templates: text files in ``prompts/`` (one per role and language), loaded as LangChain
``ChatPromptTemplate``s. The system text is taken literally; the user template's ``{fields}`` are
filled at call time."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from langchain_core.messages import SystemMessage
from langchain_core.prompts import ChatPromptTemplate

from assistant.errors import ConfigurationError


@lru_cache(maxsize=32)
def load_prompt(prompts_dir: Path, name: str, language: str) -> str:
    """``prompts_dir/{name}_{language}.txt``, English when that language has none."""
    for lang in (language, "en"):
        path = prompts_dir / f"{name}_{lang}.txt"
        if path.exists():
            return path.read_text(encoding="utf-8").strip()
    raise ConfigurationError(f"Prompt file {prompts_dir / f'{name}_{language}.txt'} is missing (ISNAD_PROMPTS_DIR).")


@lru_cache(maxsize=32)
def chat_prompt(prompts_dir: Path, system: str, language: str, user: str | None = None) -> ChatPromptTemplate:
    """The system prompt file ``system`` and the user template file ``user`` (or the bare ``{input}``)
    for ``language``, as one chat prompt. Braces in the system text (JSON examples) stay literal."""
    instructions = SystemMessage(load_prompt(prompts_dir, system, language))
    human = load_prompt(prompts_dir, user, language) if user else "{input}"
    return ChatPromptTemplate.from_messages([instructions, ("human", human)])
