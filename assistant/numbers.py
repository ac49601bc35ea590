"""Numbers compared as numbers: Western and Arabic-Indic digits, thousands separators, decimals,
and common Arabic and English number words (ثلاثة آلاف = 3,000 = ٣٬٠٠٠ = "three thousand")."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ingest.arabic import normalize

_CITATION = re.compile(r"\[\d+\]")
# After normalize(): digits are Western; separators , ، ٬ and decimal points . ٫
_NUMBER = re.compile(r"\d{1,3}(?:[,،٬]\d{3})+(?:[.٫]\d+)?|\d+(?:[.٫]\d+)?")

_UNITS = {
    # Arabic (normalised spelling: ة→ه, أ/إ/آ→ا, ى→ي)
    "واحد": 1, "واحده": 1, "اثنان": 2, "اثنين": 2, "اثنتان": 2, "اثنتين": 2,
    "ثلاث": 3, "ثلاثه": 3, "اربع": 4, "اربعه": 4, "خمس": 5, "خمسه": 5, "ست": 6, "سته": 6,
    "سبع": 7, "سبعه": 7, "ثماني": 8, "ثمانيه": 8, "ثمان": 8, "تسع": 9, "تسعه": 9,
    "عشر": 10, "عشره": 10, "عشرون": 20, "عشرين": 20, "ثلاثون": 30, "ثلاثين": 30,
    "اربعون": 40, "اربعين": 40, "خمسون": 50, "خمسين": 50, "ستون": 60, "ستين": 60,
    "سبعون": 70, "سبعين": 70, "ثمانون": 80, "ثمانين": 80, "تسعون": 90, "تسعين": 90,
    "مئه": 100, "مائه": 100, "مئتين": 200, "مائتين": 200, "مئتان": 200, "مائتان": 200,
    "ثلاثمئه": 300, "ثلاثمائه": 300, "اربعمئه": 400, "اربعمائه": 400, "خمسمئه": 500, "خمسمائه": 500,
    "ستمئه": 600, "ستمائه": 600, "سبعمئه": 700, "سبعمائه": 700, "ثمانمئه": 800, "ثمانمائه": 800,
    "تسعمئه": 900, "تسعمائه": 900,
    "الف": 1000, "الفي": 2000, "الفين": 2000, "الفان": 2000,
    # English
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "twenty": 20, "thirty": 30, "forty": 40,
    "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90, "hundred": 100,
    "thousand": 1000, "dozen": 12,
}
# Words that multiply the number before them (3 آلاف, "2 million").
_MULTIPLIERS = {
    "الاف": 1000, "الف": 1000, "thousand": 1000, "مليون": 10**6, "ملايين": 10**6, "million": 10**6,
    "مليار": 10**9, "مليارات": 10**9, "billion": 10**9, "hundred": 100, "مئه": 100, "مائه": 100,
}
_APPROX = {
    "about", "around", "approximately", "nearly", "roughly", "some", "almost", "over", "more",
    "نحو", "حوالي", "قرابه", "زهاء", "تقريبا", "يقرب", "اكثر", "اقل", "قرابة",
}
_TOKEN = re.compile(r"\d{1,3}(?:[,،٬]\d{3})+(?:[.٫]\d+)?|\d+(?:[.٫]\d+)?|[^\W\d]+|%")
_CLITICS = ("و", "ب", "ل", "ف")


# Keys in the same spelling that normalize() produces (e.g. مئة → ميه).
_UNITS = {normalize(k): v for k, v in _UNITS.items()}
_MULTIPLIERS = {normalize(k): v for k, v in _MULTIPLIERS.items()}
_APPROX = {normalize(k) for k in _APPROX}


_YEAR_CUES = {
    normalize(w)
    for w in (
        "عام", "العام", "سنة", "السنة", "منذ", "أواخر", "أوائل", "منتصف", "خلال", "in", "since", "year", "late",
        "early", "mid", "by", "يناير", "فبراير", "مارس", "أبريل", "مايو", "يونيو", "يوليو", "أغسطس", "سبتمبر",
        "أكتوبر", "نوفمبر", "ديسمبر", "كانون", "شباط", "آذار", "نيسان", "أيار", "حزيران", "تموز", "آب", "أيلول",
        "تشرين", "january", "february", "march", "april", "may", "june", "july", "august", "september",
        "october", "november", "december",
    )
}


@dataclass(frozen=True)
class NumberMention:
    value: float
    approximate: bool
    text: str
    is_year: bool = False
    unit: str = ""  # the word after the number, normalised ("جندي", "km", "dollars")


def _word_value(token: str) -> int | None:
    if token in _UNITS:
        return _UNITS[token]
    if len(token) > 3 and token[0] in _CLITICS and token[1:] in _UNITS:  # وثلاثه، بالف
        return _UNITS[token[1:]]
    return None


def extract_numbers(text: str) -> list[NumberMention]:
    """Every number stated in ``text`` (citation markers like [2] are not numbers)."""
    tokens = _TOKEN.findall(normalize(_CITATION.sub(" ", text)))
    mentions: list[NumberMention] = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        value: float | None
        if _NUMBER.fullmatch(token):
            value = float(re.sub(r"[,،٬]", "", token).replace("٫", "."))
        else:
            word = _word_value(token)
            value = float(word) if word is not None else None
        if value is None:
            i += 1
            continue
        start = i
        # "three hundred thousand", "3 آلاف", "2.5 million"
        while i + 1 < len(tokens) and tokens[i + 1] in _MULTIPLIERS and not (
            tokens[i + 1] in {"الف", "thousand"} and value >= 1000
        ):
            value *= _MULTIPLIERS[tokens[i + 1]]
            i += 1
        approx = start > 0 and tokens[start - 1] in _APPROX
        year = (
            token.isdigit() and len(token) == 4 and 1900 <= value <= 2100 and start > 0
            and (tokens[start - 1] in _YEAR_CUES or tokens[start - 1].startswith(("عام", "سنه")))
        )
        unit = tokens[i + 1] if i + 1 < len(tokens) else ""
        mentions.append(NumberMention(value, approx, " ".join(tokens[start : i + 1]), year, unit))
        i += 1
    return mentions


def number_values(text: str) -> set[float]:
    return {m.value for m in extract_numbers(text)}


def states_a_count(text: str) -> bool:
    """True when ``text`` states a number other than a year ("2000 جندي" yes, "أواخر 2016" no)."""
    return any(not m.is_year for m in extract_numbers(text))


_ARTICLE_CLITICS = re.compile(r"^(?:و|ف)?(?:ب|ل|ك)?(?:ال)?")


def strip_clitics(word: str) -> str:
    """An Arabic word without its leading clitics and article (وبال…); English words unchanged."""
    if word.isascii():
        return word
    stripped = _ARTICLE_CLITICS.sub("", word)
    return stripped if len(stripped) >= 2 else word


# Units that make a number measure something other than a count of people or things. Entries
# match a unit word exactly or as its prefix; the short ones in _EXACT_UNITS only exactly
# ("ميل" is a mile, "ميليشيا" a militia; "per cent" is a percentage, "personnel" a count).
_UNIT_KINDS = {
    "distance": ("كيلومتر", "كيلو", "كم", "ميل", "اميال", "متر", "امتار", "km", "kilomet", "mile", "metre", "meter"),
    "money": ("دولار", "يورو", "جنيه", "ريال", "دينار", "ليره", "درهم", "dollar", "euro", "pound", "usd"),
    "percent": ("بالمئه", "بالمائه", "في", "percent", "per", "%"),
    "time": ("يوم", "ايام", "ساعه", "ساعات", "شهر", "اشهر", "شهور", "سنه", "سنوات", "عام", "اعوام", "اسبوع",
             "اسابيع", "دقيقه", "دقايق", "day", "hour", "month", "year", "week", "minute"),
}
_UNIT_KINDS = {kind: tuple(normalize(w) for w in words) for kind, words in _UNIT_KINDS.items()}
_EXACT_UNITS = {normalize(w) for w in ("كم", "ميل", "في", "per", "%", "usd")}


def unit_kind(mention: NumberMention) -> str:
    """'distance', 'money', 'percent', 'time', or 'count' (people, things: what claims mostly state)."""
    forms = {mention.unit, strip_clitics(mention.unit)} - {""}
    for kind, words in _UNIT_KINDS.items():
        if any(f == w or (w not in _EXACT_UNITS and len(w) >= 3 and f.startswith(w)) for f in forms for w in words):
            return kind
    return "count"


def counts(text: str) -> list[NumberMention]:
    """The numbers that count something (years excluded)."""
    return [m for m in extract_numbers(text) if not m.is_year]
