"""Prompt templates are text files in ``prompts/``, one per role and language."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from assistant.errors import ConfigurationError


@lru_cache(maxsize=32)
def load_prompt(prompts_dir: Path, name: str, language: str) -> str:
    """``prompts_dir/{name}_{language}.txt``, English when that language has none."""
    for lang in (language, "en"):
        path = prompts_dir / f"{name}_{lang}.txt"
        if path.exists():
            return path.read_text(encoding="utf-8").strip()
    raise ConfigurationError(f"Prompt file {prompts_dir / f'{name}_{language}.txt'} is missing (ISNAD_PROMPTS_DIR).")
