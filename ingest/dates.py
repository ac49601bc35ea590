"""Publication dates to one ISO 8601 convention.

Convention (the rest of Isnad relies on it):
- a date without a time of day -> ``"YYYY-MM-DD"``;
- a date with a time -> ``"YYYY-MM-DDTHH:MM:SS+00:00"``, converted to UTC; a time without a
  time zone is taken to be UTC already; a time in a named zone other than UTC/GMT ("EST") keeps
  only its date;
- unknown or unreadable -> ``""`` (a bad date never rejects an article).

Both forms sort correctly as strings within their own kind, and ``published[:10]`` is the date
(in UTC when a time was given).
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, tzinfo
from email.utils import parsedate_to_datetime

from dateutil import parser as dateutil_parser
from dateutil import tz

from ingest.arabic import to_western_digits

_MIN_YEAR, _MAX_YEAR = 1900, 2100

# Arabic month names (Egyptian/Gulf and Levantine/Iraqi), longest first so "تشرين الأول" wins.
_MONTHS = {
    "كانون الثاني": "January", "كانون الأول": "December", "تشرين الأول": "October",
    "تشرين الثاني": "November", "يناير": "January", "فبراير": "February", "مارس": "March",
    "أبريل": "April", "ابريل": "April", "إبريل": "April", "مايو": "May", "يونيو": "June",
    "يونيه": "June", "يوليو": "July", "يوليه": "July", "أغسطس": "August", "اغسطس": "August",
    "سبتمبر": "September", "أكتوبر": "October", "اكتوبر": "October", "نوفمبر": "November",
    "ديسمبر": "December", "شباط": "February", "آذار": "March", "اذار": "March", "نيسان": "April",
    "أيار": "May", "ايار": "May", "حزيران": "June", "تموز": "July", "آب": "August", "اب": "August",
    "أيلول": "September", "ايلول": "September",
}  # fmt: skip
# A word's edges: no letter (of any script) beside it. Not the Arabic block U+0600-U+06FF, which also
# holds Arabic punctuation (، ؛ ؟): "13 تموز، 2018" must still read تموز as a month. Digits may touch.
_NOT_AFTER_LETTER, _NOT_BEFORE_LETTER = r"(?<![^\W\d_])", r"(?![^\W\d_])"
_MONTH_RE = re.compile(
    _NOT_AFTER_LETTER + "("
    + "|".join(sorted(map(re.escape, _MONTHS), key=len, reverse=True))
    + ")" + _NOT_BEFORE_LETTER
)
_WEEKDAY_RE = re.compile(
    _NOT_AFTER_LETTER + "(?:ال)?(?:سبت|أحد|احد|اثنين|إثنين|ثلاثاء|أربعاء|اربعاء|خميس|جمعة)" + _NOT_BEFORE_LETTER
)
# "2018م": the Gregorian-calendar marker after a year.
_ARABIC_NOISE = re.compile(r"(?<=\d)\s*م" + _NOT_BEFORE_LETTER)

_RFC822 = re.compile(r"(?:[A-Za-z]{3},\s*)?\d{1,2}\s+[A-Za-z]{3}\s+\d{2,4}\s+\d{1,2}:\d{2}(?::\d{2})?(?:\s+\S+)?$")

# Two defaults that differ in every field tell which fields the string really gave.
_DEFAULT_A = datetime(2001, 1, 1, 0, 0, 0)
_DEFAULT_B = datetime(2002, 2, 2, 1, 1, 1)


def parse_date(value: str | None) -> str:
    """An RFC 822, ISO 8601 or everyday date string (Arabic-Indic digits and Arabic month names
    allowed) in the convention above; ``""`` when it is missing, partial (no day) or unreadable."""
    if not isinstance(value, str):
        return ""
    text = to_western_digits(value).strip()
    if not text:
        return ""
    parsed = _parse_rfc822(text) or _parse_iso(text) or _parse_free(_de_arabize(text))
    if parsed is None:
        return ""
    if isinstance(parsed, datetime):
        if not _MIN_YEAR <= parsed.year <= _MAX_YEAR:
            return ""
        aware = parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)
        return aware.isoformat(timespec="seconds")
    return parsed.isoformat() if _MIN_YEAR <= parsed.year <= _MAX_YEAR else ""


def _parse_rfc822(text: str) -> datetime | None:
    if not _RFC822.match(text):  # the email parser is lenient: it drops "PM", fills a missing time
        return None
    try:
        return parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None


def _parse_iso(text: str) -> date | datetime | None:
    try:
        return date.fromisoformat(text)
    except ValueError:
        pass
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


def _de_arabize(text: str) -> str:
    text = _MONTH_RE.sub(lambda m: f" {_MONTHS[m.group(1)]} ", text)
    text = _WEEKDAY_RE.sub(" ", text)
    text = _ARABIC_NOISE.sub("", text)
    return text.replace("،", ",").strip()


class _UnknownZone(Exception):
    pass


def _zone(name: str | None, offset: int | None) -> tzinfo | None:
    """Time zones for dateutil: numeric offsets and UTC only. A named zone such as "EST" is refused
    (dateutil would otherwise take it as naive, or as this machine's local zone)."""
    if offset is not None:
        return tz.tzoffset(name, offset)
    if name is None:
        return None
    if name.upper() in {"UTC", "GMT", "UT", "Z"}:
        return tz.UTC
    raise _UnknownZone(name)


def _parse_free(text: str) -> date | datetime | None:
    """dateutil, but only when the string itself gives year, month and day. Ambiguous numeric dates
    are read day first (05/04/2018 is 5 April), as Arabic and European outlets write them."""
    dayfirst = not re.match(r"\d{4}", text)  # 2018/04/05 is still year, month, day
    unknown_zone = False
    try:
        try:
            a = dateutil_parser.parse(text, default=_DEFAULT_A, dayfirst=dayfirst, tzinfos=_zone)
            b = dateutil_parser.parse(text, default=_DEFAULT_B, dayfirst=dayfirst, tzinfos=_zone)
        except _UnknownZone:  # the time is in an unknown zone: keep only the date
            unknown_zone = True
            a = dateutil_parser.parse(text, default=_DEFAULT_A, dayfirst=dayfirst, ignoretz=True)
            b = dateutil_parser.parse(text, default=_DEFAULT_B, dayfirst=dayfirst, ignoretz=True)
    except (ValueError, OverflowError, TypeError):
        return None
    if (a.year, a.month, a.day) != (b.year, b.month, b.day):
        return None
    if unknown_zone or (a.hour, a.minute) != (b.hour, b.minute):
        return a.date()  # no time of day given, or no usable zone for it
    return a


# A time a sentence may state, besides a month or a weekday: a year, a decade, a century, a relative
# day, so many years ago ("قبل 10 آلاف سنة", "منذ حوالي مليار سنة", "22,000 سنة مضت", "11,600 BP").
_TIME_WORDS = re.compile(  # \w holds Arabic letters, not Arabic punctuation (، ؛ ؟), unlike \u0600-\u06FF
    r"(?<!\w)(?:"
    r"(?:\d[\d,،.]*\s*)?(?:الف|ألف|آلاف|الاف|مليون|ملايين|مليار|مليارات)?\s*"
    r"(?:سنة|سنوات|عام|أعوام|اعوام|عاما|years?|BP)"
    r"|[وف]?(?:ال)?(?:عشرينيات|ثلاثينيات|أربعينيات|اربعينيات|خمسينيات|ستينيات|سبعينيات|ثمانينيات|تسعينيات"
    r"|عشرينات|ثلاثينات|أربعينات|اربعينات|خمسينات|ستينات|سبعينات|ثمانينات|تسعينات)|\d{4}s|\d0s"
    r"|[وف]?(?:ال)?(?:قرن|أمس|امس|غدا|غداً)|اليوم|\d{4}|\d{1,2}/\d{1,2}/\d{2,4}"
    r"|january|february|march|april|(?:in|last|next|early|late|mid-?)\s*may|may\s+\d{1,4}|june|july|august"
    r"|september|october|november|december|monday|tuesday|wednesday|thursday|friday|saturday|sunday"
    r"|yesterday|today|tomorrow|century|ago"
    r")(?!\w)",
    re.IGNORECASE,
)


def states_a_time(text: str) -> bool:
    """Does ``text`` say when: a year, a month, a weekday, a date, a century or a relative day
    ("في عام 1962", "في يوليو/تموز", "يوم الثلاثاء", "أمس", "last May")? Arabic-Indic digits count."""
    western = to_western_digits(text)
    return bool(_MONTH_RE.search(western) or _WEEKDAY_RE.search(western) or _TIME_WORDS.search(western))
