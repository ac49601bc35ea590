"""Does an evidence sentence support or contradict a claim? Deterministic signals, no model:

- figures: the claim's counts (not years) compared as numbers with the sentence's counts;
- polarity: a negation or denial on one side only ("لن تنسحب" against "will withdraw"), or opposite
  terms of a small bilingual lexicon of news events (agree/refuse, calm/clash, rise/fall…).

These are cues, not understanding: the claim check labels them as such and shows the evidence.
"""

from __future__ import annotations

import re

from assistant.figures import comparable, counts, strip_clitics
from assistant.verification import Stance, same_figure
from ingest.arabic import normalize

_WORD = re.compile(r"[^\W\d_]+(?:'[a-z]+)?", re.UNICODE)

# Negation particles and denial verbs, in normalised spelling (ة→ه, أ→ا, ى→ي).
_NEGATIONS_AR = {
    "لا", "لم", "لن", "ليس", "ليست", "لسنا", "غير", "عدم", "بدون", "دون", "بلا", "نفي", "نفت", "ينفي", "تنفي",
    "ينفون", "نفوا", "تنفيان", "ينفيان",
}
_NEGATIONS_EN = {
    "not", "no", "never", "none", "without", "deny", "denies", "denied", "nobody", "nothing", "neither", "nor",
    "cannot", "won't", "isn't", "aren't", "wasn't", "weren't", "doesn't", "don't", "didn't", "hasn't", "haven't",
    "can't", "couldn't", "wouldn't", "shouldn't",
}
_AR_IDIOMS = ("لا سيما", "لاسيما", "ما زال", "ما زالت", "مازال", "مازالت", "ما يزال", "ما تزال", "لا يزال", "لا تزال",
              "لا بد", "ما بين", "ما اذا", "فيما", "بما", "مما", "عما", "كما", "ربما", "بينما", "طالما", "عندما")

# Opposite pairs of news events. Arabic entries are normalised stems matched at the start of a
# word after its clitics (و، ف، ب، ل، ك، ال) are removed; English entries are word prefixes.
_OPPOSITES: list[tuple[tuple[str, ...], tuple[str, ...]]] = [
    (("اتفاق", "اتفق", "يتفق", "تتفق", "توافق", "وافق", "يوافق", "موافق", "قبول", "يقبل", "تقبل",
      "agree", "accept", "deal"),
     ("خلاف", "اختلاف", "يختلف", "تختلف", "رفض", "يرفض", "ترفض", "disagree", "reject", "refus", "dispute")),
    (("هدوء", "تهدئه", "هدنه", "يهدا", "calm", "truce", "ceasefire", "lull"),
     ("تصعيد", "اشتباك", "اشتباكات", "هجوم", "قصف", "معارك", "escalat", "clash", "attack", "shell", "fighting")),
    (("ارتفاع", "زياده", "يرتفع", "ترتفع", "تزايد", "يزيد", "تزيد", "rise", "rising", "increas", "grow"),
     ("انخفاض", "تراجع", "يتراجع", "تتراجع", "نقص", "هبوط", "ينخفض", "تنخفض", "fall", "declin", "decreas", "drop")),
    (("يفتح", "تفتح", "افتتاح", "open"), ("اغلاق", "يغلق", "تغلق", "close", "closing", "shut")),
    (("افراج", "يفرج", "تفرج", "اطلاق سراح", "releas", "free"),
     ("اعتقال", "يعتقل", "تعتقل", "احتجاز", "توقيف", "arrest", "detain")),
    (("فوز", "يفوز", "تفوز", "انتصار", "win", "wins", "won", "victor"),
     ("خساره", "يخسر", "تخسر", "هزيمه", "lose", "lost", "defeat")),
    (("انسحاب", "ينسحب", "تنسحب", "سحب", "يسحب", "تسحب", "رحيل", "مغادره", "withdraw", "leav", "pull", "exit"),
     ("بقاء", "يبقي", "تبقي", "ستبقي", "ابقاء", "stay", "remain")),
    (("دعم", "يدعم", "تدعم", "تاييد", "يؤيد", "تؤيد", "ترحيب", "يرحب", "ترحب", "support", "back", "welcom"),
     ("معارضه", "يعارض", "تعارض", "تنديد", "يندد", "تندد", "ادانه", "يدين", "تدين", "oppos", "condemn")),
    (("سماح", "يسمح", "تسمح", "اباحه", "allow", "permit", "lift"),
     ("منع", "يمنع", "تمنع", "حظر", "يحظر", "ban", "bans", "banned", "prohibit")),
    (("بدء", "يبدا", "تبدا", "انطلاق", "استئناف", "start", "begin", "launch", "resum"),
     ("انتهاء", "انهاء", "ينهي", "وقف", "يوقف", "توقف", "تعليق", "end", "ends", "ended", "stop", "halt", "suspend")),
    (("نجاح", "ينجح", "تنجح", "success", "succeed"), ("فشل", "يفشل", "تفشل", "fail")),
    (("سلام", "peace"), ("حرب", "war", "wars")),
    (("تؤكد", "يؤكد", "اكد", "اكدت", "confirm"), ("نفي", "ينفي", "تنفي", "نفت", "deny", "denies", "denied")),
]
_OPPOSITES_NORMALISED = [
    (tuple(normalize(w) for w in a), tuple(normalize(w) for w in b)) for a, b in _OPPOSITES
]


def _words(text: str) -> list[str]:
    return _WORD.findall(normalize(text))


def is_negated(text: str) -> bool:
    """True when ``text`` carries a negation or denial (Arabic or English)."""
    folded = normalize(text)
    for idiom in _AR_IDIOMS:
        folded = folded.replace(normalize(idiom), " ")
    for word in _words(folded):
        if word in _NEGATIONS_EN or word.endswith("n't"):
            return True
        if not word.isascii() and (word in _NEGATIONS_AR or (word[0] in "وف" and word[1:] in _NEGATIONS_AR)):
            return True
    return False


def _matches(stems: set[str], text: str, entries: tuple[str, ...]) -> bool:
    for entry in entries:
        if " " in entry:
            if entry in text:
                return True
        elif entry.isascii():
            if any(s == entry or (len(entry) >= 4 and s.startswith(entry)) for s in stems):
                return True
        elif any(s == entry or (len(entry) >= 4 and s.startswith(entry)) for s in stems):
            return True
    return False


def event_sides(text: str) -> set[tuple[int, int]]:
    """Which side (0 or 1) of which opposite pair ``text`` mentions."""
    folded = normalize(text)
    stems = {strip_clitics(w) for w in _words(folded)}
    return {
        (i, side)
        for i, pair in enumerate(_OPPOSITES_NORMALISED)
        for side in (0, 1)
        if _matches(stems, folded, pair[side])
    }


def opposed(claim: str, sentence: str) -> bool:
    """True when the two texts name opposite events of a pair and not the same side of it."""
    a, b = event_sides(claim), event_sides(sentence)
    return any((i, 1 - side) in b and (i, side) not in b for i, side in a)


def figure_stance(claim: str, sentence: str) -> Stance | None:
    """Supports when every figure of the claim that the sentence also counts is there; contradicts
    when none is; None when they count nothing in common (100 km says nothing about 900 troops, nor
    14 thousand fighters about 900 troops)."""
    stated = counts(sentence)
    judged = [c for c in counts(claim) if any(comparable(c, s) for s in stated)]
    if not judged:
        return None
    found = [any(same_figure(c, s) for s in stated) for c in judged]
    if all(found):
        return "supports"
    return "contradicts" if not any(found) else None


def wording_stance(claim: str, sentence: str) -> Stance:
    """Contradicts when exactly one of (negation on one side only, opposite events) holds:
    "لن تنسحب" against "will withdraw" contradicts; "لن تنسحب" against "will stay" does not."""
    flipped = (is_negated(claim) != is_negated(sentence)) != opposed(claim, sentence)
    return "contradicts" if flipped else "supports"


def sentence_stance(claim: str, sentence: str) -> tuple[Stance, str]:
    """The stance of ``sentence`` towards ``claim`` and the signal that decided it ("figures"/"wording")."""
    by_figures = figure_stance(claim, sentence)
    if by_figures is not None:
        return by_figures, "figures"
    return wording_stance(claim, sentence), "wording"
