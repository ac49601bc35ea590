"""Numbers compared as numbers: Western and Arabic-Indic digits, thousands separators, decimals,
and common Arabic and English number words (ثلاثة آلاف = 3,000 = ٣٬٠٠٠ = "three thousand")."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ingest.arabic import normalize

_CITATION = re.compile(r"\[\d+\]")
# After normalize(): digits are Western; separators , ، ٬ and decimal points . ٫
_NUMBER = re.compile(r"\d{1,3}(?:[,،٬]\d{3})+(?:[.٫]\d+)?|\d+(?:[.٫]\d+)?")
# Dots between groups of three digits, as Arabic news often writes thousands: "300.000 نسمة", "10.000 مدني"
# (every such figure in the sample corpus); a leading 0 stays a decimal ("0.125").
_DOT_THOUSANDS = re.compile(r"[1-9]\d{0,2}(?:\.\d{3})+")

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
_TOKEN = re.compile(rf"{_DOT_THOUSANDS.pattern}(?![\d.]*\d)|{_NUMBER.pattern}|[^\W\d]+|%")
# A name with a number in it is no figure: S-300, اس-300, F-16, MiG-29, A320, G20, COVID-19. (A
# one-letter Arabic clitic before digits is: ب300, و2000.)
_DESIGNATION = re.compile(r"(?:\b[A-Za-z]+|(?<![^\W\d_])[^\W\d_]{2,})[-‐–]\d+|\b[A-Za-z]+\d+")
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
    following: tuple[str, ...] = ()  # the next few words, normalised: what the figure counts is among them
    before: tuple[str, ...] = ()  # the two words before it, normalised ("مقتل 4 جنود": what befell them)


_TEENS_TEN = {normalize(w) for w in ("عشر", "عشرة")}  # ثلاثة عشر = 13
_FOLLOWING = 6  # "لقي 4 مقاتلين روس، على الأقل، مصرعهم": what befell them comes a few words on
_BEFORE = 2


def _word_value(token: str) -> int | None:
    if token in _UNITS:
        return _UNITS[token]
    if len(token) > 3 and token[0] in _CLITICS and token[1:] in _UNITS:  # وثلاثه، بالف
        return _UNITS[token[1:]]
    return None


def _token_value(token: str) -> float | None:
    if _DOT_THOUSANDS.fullmatch(token):
        return float(token.replace(".", ""))
    if _NUMBER.fullmatch(token):
        return float(re.sub(r"[,،٬]", "", token).replace("٫", "."))
    word = _word_value(token)
    return float(word) if word is not None else None


def is_a_number(word: str) -> bool:
    """A normalised word that is a number by itself: digits ("2", "2,000") or a number word ("two", اثنان)."""
    return _token_value(word) is not None


def _continues_words(previous: float, token: str) -> float | None:
    """The value ``token`` adds to a number written in words so far (last part ``previous``), or None
    when it starts something else: "twenty five", "خمسة وعشرون" (5 + 20), "ثلاثة عشر" (3 + 10),
    "ثلاثة آلاف وخمسمائة" (… + 500). A bare "وثلاثه" after "اربعه" is a list, not one number."""
    value = _word_value(token)
    if value is None or token in _MULTIPLIERS:
        return None
    if token in _TEENS_TEN:
        return value if 1 <= previous <= 9 else None
    if token.startswith("و") and 1 <= previous <= 9 and value in range(20, 100, 10):
        return value  # Arabic puts the units first: خمسة وعشرون
    return value if value < previous and (previous >= 20 or not token.startswith("و")) else None


def _read_number(tokens: list[str], i: int) -> tuple[float, int] | None:
    """The number starting at ``tokens[i]`` and the index of its last token, or None."""
    value = _token_value(tokens[i])
    if value is None:
        return None
    in_words = not _NUMBER.fullmatch(tokens[i])
    total, part = 0.0, value
    while i + 1 < len(tokens):
        following = tokens[i + 1]
        if following in _MULTIPLIERS and not (following in {"الف", "thousand"} and part >= 1000):
            part *= _MULTIPLIERS[following]  # "three hundred thousand", "3 آلاف", "2.5 million"
            if part >= 1000:
                total, part = total + part, 0.0
        elif in_words and (added := _continues_words(part or total, following)) is not None:
            part += added
        elif in_words and following == "and" and i + 2 < len(tokens) and (
            added := _continues_words(part or total, tokens[i + 2])
        ) is not None:
            part += added  # "one hundred and twenty"
            i += 1
        else:
            break
        i += 1
    return total + part, i


def extract_numbers(text: str) -> list[NumberMention]:
    """Every number stated in ``text`` (citation markers like [2] are not numbers)."""
    tokens = _TOKEN.findall(_DESIGNATION.sub(" ", normalize(_CITATION.sub(" ", text))))
    mentions: list[NumberMention] = []
    i = 0
    while i < len(tokens):
        read = _read_number(tokens, i)
        if read is None:
            i += 1
            continue
        value, end = read
        first = tokens[i]
        approx = i > 0 and tokens[i - 1] in _APPROX
        year = (
            first.isdigit() and len(first) == 4 and 1900 <= value <= 2100 and i > 0
            and (tokens[i - 1] in _YEAR_CUES or tokens[i - 1].startswith(("عام", "سنه")))
        )
        after = tuple(tokens[end + 1 : end + 1 + _FOLLOWING])
        unit = after[0] if after else ""
        before = tuple(tokens[max(0, i - _BEFORE) : i])
        mentions.append(NumberMention(value, approx, " ".join(tokens[i : end + 1]), year, unit, after, before))
        i = end + 1
    return mentions


def number_values(text: str) -> set[float]:
    return {m.value for m in extract_numbers(text)}


def states_a_figure(text: str) -> bool:
    """True when ``text`` states a number other than a year ("2000 جندي" yes, "أواخر 2016" no); unlike
    ``assistant.coverage.states_a_count``, a percentage or a sum of money counts too."""
    return any(not m.is_year for m in extract_numbers(text))
