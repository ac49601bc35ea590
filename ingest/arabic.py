"""Arabic-aware text handling for *matching only*: stored and quoted text stays original."""

from __future__ import annotations

import re
import unicodedata

ARABIC_LETTER = re.compile(r"[\u0600-\u06FF\u0750-\u077F\u08A0-\u08FF\uFB50-\uFDFF\uFE70-\uFEFF]")
LATIN_LETTER = re.compile(r"[A-Za-z]")
_DIACRITICS = re.compile(r"[\u0610-\u061A\u064B-\u065F\u0670\u06D6-\u06DC\u06DF-\u06E8\u06EA-\u06ED]")
_TATWEEL = "\u0640"
_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")
_LETTERS = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ة": "ه", "ؤ": "و", "ئ": "ي"})
# The definite article and the conjunction/preposition clitics fused to it.
_ARTICLE = re.compile(r"^(?:وال|بال|كال|فال|لل|ال)(?=\w{2,})")
_WORD = re.compile(r"\w+", re.UNICODE)
# Recorded with every saved BM25 index: an index built by another version of lexical_tokens is rebuilt.
LEXICAL_ANALYZER = "light-1+trigrams-1"
# Light stemming (after normalize(): ة→ه, ى→ي): the longest-first common suffixes, and the
# conjunctions و/ف fused to a word. Measured in docs/benchmarks.md (BM25 R@1 up on XQuAD, ARCD and
# the fact-check claims).
_SUFFIXES = ("ها", "ان", "ات", "ون", "ين", "يه", "ه", "ي")
_ARABIC_ONLY = re.compile(r"[\u0600-\u06FF]+")


def to_western_digits(text: str) -> str:
    """Arabic-Indic (٠-٩) and Persian (۰-۹) digits to 0-9."""
    return text.translate(_DIGITS)


def normalize(text: str) -> str:
    """Fold the spelling variants that should match: diacritics, tatweel, alef/yaa/taa-marbuta
    forms, digits, case, compatibility forms. For matching and indexing only."""
    text = unicodedata.normalize("NFKC", text)
    text = _DIACRITICS.sub("", text).replace(_TATWEEL, "")
    return to_western_digits(text.translate(_LETTERS)).lower()


def strip_article(token: str) -> str:
    """Drop a leading clitic article (ال، وال، بال، كال، فال، لل) from a normalised token."""
    return _ARTICLE.sub("", token)


def light_stem(token: str) -> str:
    """Light stemming of a normalised token, for matching only: a leading conjunction و/ف (when three
    letters or more remain), the clitic article, then one common suffix (when two letters or more
    remain). Not linguistics: the same word in a question and an article meets the same stem."""
    if len(token) > 3 and token[0] in "وف" and not token.startswith(("وال", "فال")):
        token = token[1:]
    token = strip_article(token)
    if _ARABIC_ONLY.fullmatch(token):
        for suffix in _SUFFIXES:
            if token.endswith(suffix) and len(token) - len(suffix) >= 2:
                return token[: -len(suffix)]
    return token


def char_trigrams(token: str) -> list[str]:
    """The letter trigrams of a normalised token, clitic article dropped, marked at both ends ("_سور",
    "سور", …, "يا_"): a word and its inflected or cliticised forms (الأمريكيين, أمريكي) share most."""
    padded = f"_{strip_article(token)}_"
    return [padded[i : i + 3] for i in range(len(padded) - 2)]


def lexical_tokens(text: str) -> list[str]:
    """Tokens for the BM25 index and queries (``LEXICAL_ANALYZER``): each normalised word light-stemmed,
    then the letter trigrams of every word. Measured in docs/benchmarks.md: the trigrams lift BM25 R@1
    on XQuAD Arabic, ARCD and the fact-check claims, and the learned fusion with them."""
    words = _WORD.findall(normalize(text))
    return [light_stem(w) for w in words] + [g for w in words for g in char_trigrams(w)]


def detect_language(text: str, sample_chars: int = 4000) -> str:
    """'ar' when Arabic letters outnumber Latin ones in the first ``sample_chars``, else 'en'."""
    sample = text[:sample_chars]
    arabic = len(ARABIC_LETTER.findall(sample))
    latin = len(LATIN_LETTER.findall(sample))
    return "ar" if arabic >= latin and arabic > 0 else "en"
