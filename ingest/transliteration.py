"""Names across scripts, for matching only: "Ahed Tamimi" against عهد التميمي, "Khashoggi" against خاشقجي.

A word's consonant skeleton: letters folded into broad sound classes (ق ك غ خ ج / q k g c j → k;
س ص ش ز / s z sh → s; ت ط ث / t th → t; …), vowels and the weak letters ا و ي ع dropped except at the
start (marked '), a doubled letter read once, a final ه / h (taa marbuta, "-ah") dropped. Two words of different
scripts with the same skeleton of at least 3 marks are taken as the same name. Coarse on purpose:
transliteration varies (Ghouta/غوطة, Jamal/Gamal/جمال); short words never match.
"""

from __future__ import annotations

from functools import lru_cache

from ingest.arabic import strip_article

MIN_MARKS = 3
_LATIN_PAIRS = (("sh", "s"), ("ch", "s"), ("th", "t"), ("kh", "k"), ("gh", "k"), ("dh", "d"), ("ph", "f"))
_LATIN = {**dict.fromkeys("kcqgj", "k"), **dict.fromkeys("sz", "s"), "x": "ks", "v": "f", "p": "b",
          **{c: c for c in "bdfhlmnrt"}}
_ARABIC = {**dict.fromkeys("قكغخج", "k"), **dict.fromkeys("سصشز", "s"), **dict.fromkeys("تطث", "t"),
           **dict.fromkeys("دضذظ", "d"), **dict.fromkeys("حه", "h"), "ب": "b", "پ": "b", "ف": "f", "ڤ": "f",
           "ل": "l", "م": "m", "ن": "n", "ر": "r"}
_LATIN_WEAK = set("aeiouyw")
_ARABIC_WEAK = set("اويعءي")


@lru_cache(maxsize=8192)  # the coverage check compares every key term with every word of 5 sentences
def skeleton(word: str) -> str:
    """The consonant skeleton of a normalised word (lower case; Arabic after ``ingest.arabic.normalize``)."""
    latin = word.isascii()
    if latin:
        for pair, mark in _LATIN_PAIRS:
            word = word.replace(pair, mark)
    else:
        word = strip_article(word)
    table, weak = (_LATIN, _LATIN_WEAK) if latin else (_ARABIC, _ARABIC_WEAK)
    marks: list[str] = []
    previous = ""
    for i, char in enumerate(word):
        mark = "'" if char in weak and i == 0 else table.get(char, "")
        if mark and mark != previous:  # a doubled letter (ss, ll, لل) is one mark
            marks.append(mark)
        previous = mark
    if len(marks) > 1 and marks[-1] == "h":
        marks.pop()
    return "".join(marks)


def sounds_alike(a: str, b: str) -> bool:
    """Are two normalised words of different scripts (Latin and Arabic) the same name, by skeleton?"""
    if a.isascii() == b.isascii():
        return False
    shape = skeleton(a)
    return len(shape) >= MIN_MARKS and shape == skeleton(b)
