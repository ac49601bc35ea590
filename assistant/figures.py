"""What a figure counts: its kind (count, distance, money, percent, time) and, for counts, the thing
counted (troops, fighters, prisoners, the dead…), so that only figures of the same thing are compared."""

from __future__ import annotations

import re

from assistant.numbers import NumberMention, extract_numbers, is_a_number
from ingest.arabic import normalize

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


# Things news figures count, in both languages (normalised stems, matched as word prefixes after
# the Arabic clitics are removed). Two figures that name different groups are never compared:
# "900 US troops" says nothing about "14 thousand fighters" or "9,000 prisoners".
_COUNTED_GROUPS = {
    "troops": ("troop", "soldier", "force", "personnel", "servicem", "marine", "جندي", "جنود", "عسكري", "قوات",
               "قوه"),
    "fighters": ("fighter", "militant", "gunm", "jihadist", "insurgent", "rebel", "مقاتل", "مسلح", "عنصر", "عناصر",
                 "متشدد", "ارهابي", "متمرد"),
    "prisoners": ("prisoner", "detainee", "captive", "hostage", "سجين", "سجناء", "معتقل", "اسير", "اسري", "محتجز",
                  "رهين", "رهاين"),
    "dead": ("dead", "death", "killed", "fatalit", "victim", "قتيل", "قتلي", "ضحيه", "ضحايا", "وفاه", "وفيات"),
    "wounded": ("wounded", "injur", "جريح", "جرحي", "مصاب", "اصابه"),
    "refugees": ("refugee", "displaced", "migrant", "لاجي", "نازح", "مهاجر"),
    "children": ("child", "طفل", "اطفال"),
    "civilians": ("civilian", "مدني"),
}
_COUNTED_GROUPS = {group: tuple(normalize(w) for w in words) for group, words in _COUNTED_GROUPS.items()}
# Words between a number and what it counts: "900 US troops", "9000 من مقاتلي داعش", "1500 إلى 2000 مسلح".
_BETWEEN = {normalize(w) for w in (
    "من", "الي", "و", "او", "نحو", "حوالي", "of", "to", "or", "and", "more", "than", "some", "about", "us", "u",
    "american", "americans", "امريكي", "امريكيا", "امريكيين", "الامريكي", "الامريكيه", "الامريكيين", "اضافي",
    "additional", "other", "new", "foreign", "اجنبي",
)}


def counted_thing(mention: NumberMention) -> str | None:
    """The group of things a count names ("troops", "fighters", …), or None when it names none we know."""
    for word in mention.following:
        if word in _BETWEEN or word[:1].isdigit():
            continue
        return group_of(word)
    return None


# A count of people who died: "مقتل 4 جنود", "killed 4 soldiers", "4 مقاتلين … لقوا مصرعهم", "4 soldiers died".
_KILLED_BEFORE = tuple(normalize(w) for w in ("قتل", "مقتل", "killed", "killing"))
_DIED_AFTER = tuple(normalize(w) for w in ("مصرع", "حتف", "died", "dead"))
# … or were wounded: "إصابة 20 جنديا", "أصيب 3 جنود", "wounded 20 soldiers", "20 soldiers were wounded/بجروح".
_WOUNDED_BEFORE = tuple(normalize(w) for w in ("اصابه", "اصيب", "جرح", "wounded", "wounding", "injured", "injuring"))
_WOUNDED_AFTER = tuple(normalize(w) for w in ("اصيب", "جرح", "بجروح", "wounded", "injured"))


# … or took part in a survey or interviews: "لقاءات شملت 320 لاجئا", "استطلاع رأي شمل 1200", "a poll of 1,000".
# (Not شمل alone: "شملت العملية 5000 جندي" counts the troops.)
_ASKED_BEFORE = tuple(normalize(w) for w in (
    "استطلاع", "استطلع", "استطلعت", "رأي", "مقابلات", "لقاءات", "survey", "surveyed", "poll", "polled", "interviewed",
    "interviews", "respondents",
))


def _is_one_of(word: str, stems: tuple[str, ...]) -> bool:
    """An Arabic word starting with one of ``stems`` (مصرعهم), an English word equal to one (not "deadline")."""
    return word in stems if word.isascii() else strip_clitics(word).startswith(stems)


def _own_words(mention: NumberMention) -> tuple[str, ...]:
    """The words after a number up to the next number: what befalls "two" in "900 troops, two of whom
    died" is not said of the 900."""
    own = []
    for word in mention.following:
        if is_a_number(word):
            break
        own.append(word)
    return tuple(own)


def counts_the_dead(mention: NumberMention) -> bool:
    """Whether a count is of people who died, whatever group it names ("4 Russian fighters were killed"
    is a toll, not how many fighters there are). Words before the number, or death idioms after it."""
    return any(_is_one_of(w, _KILLED_BEFORE) for w in mention.before) or any(
        _is_one_of(w, _DIED_AFTER) for w in _own_words(mention)
    )


def counts_respondents(mention: NumberMention) -> bool:
    """Whether a count is of the people a survey or interviews reached ("a series of interviews that
    included 320 Syrian refugees in Lebanon and Jordan"), not of the group: a word just before it."""
    return any(_is_one_of(w, _ASKED_BEFORE) for w in mention.before)


def counts_the_wounded(mention: NumberMention) -> bool:
    """Whether a count is of people wounded, whatever group it names ("20 soldiers were wounded"): a word
    before the number, or one of the four after it ("2000 جندي في سوريا أصيب منهم 3" counts troops)."""
    return any(_is_one_of(w, _WOUNDED_BEFORE) for w in mention.before) or any(
        _is_one_of(w, _WOUNDED_AFTER) for w in _own_words(mention)[:4]
    )


def group_of(word: str) -> str | None:
    """The counted group a (normalised) word names, if any: "troops" for جنود / الجنود / soldiers."""
    stem = strip_clitics(word)
    for group, stems in _COUNTED_GROUPS.items():
        if any(stem.startswith(s) or word.startswith(s) for s in stems):
            return group
    return None


def asked_group(question: str) -> str | None:
    """The group a how-many question asks about ("How many US troops…" → "troops"), if it names one."""
    for word in re.findall(r"[^\W\d_]+", normalize(question).lower()):
        if (group := group_of(word)) is not None:
            return group
    return None


def comparable(a: NumberMention, b: NumberMention) -> bool:
    """Whether two figures measure the same thing: the same kind, and not two different known groups."""
    if unit_kind(a) != unit_kind(b):
        return False
    things = {counted_thing(a), counted_thing(b)}
    return None in things or len(things) == 1
