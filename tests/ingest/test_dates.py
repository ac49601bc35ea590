"""parse_date: one ISO 8601 convention, "" for anything unknown."""

from __future__ import annotations

import pytest

from ingest.dates import parse_date, states_a_time

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        # RFC 822, as in the ANT corpus: times are kept, converted to UTC
        ("Fri, 13 Apr 2018 10:21:29 GMT", "2018-04-13T10:21:29+00:00"),
        ("Mon, 19 Feb 2018 00:16:11 +0400", "2018-02-18T20:16:11+00:00"),
        ("13 Apr 2018 10:21 +0300", "2018-04-13T07:21:00+00:00"),
        # ISO 8601
        ("2018-04-13", "2018-04-13"),
        ("20180413", "2018-04-13"),
        ("2018-04-13T10:21:29Z", "2018-04-13T10:21:29+00:00"),
        ("2018-04-13T10:21:29.500+03:00", "2018-04-13T07:21:29+00:00"),
        ("2018-04-13 10:21", "2018-04-13T10:21:00+00:00"),  # no zone: taken as UTC
        ("  2018-04-13  ", "2018-04-13"),
        # everyday forms; numeric dates are day first unless they start with the year
        ("April 13, 2018", "2018-04-13"),
        ("April 13, 2018 10:21 PM +0200", "2018-04-13T20:21:00+00:00"),
        ("April 13, 2018 10:21 PM EST", "2018-04-13"),  # unknown zone: the date only
        ("05/04/2018", "2018-04-05"),
        ("2018/04/05", "2018-04-05"),
        ("Fri, 13 Apr 2018", "2018-04-13"),
        # Arabic-Indic digits and Arabic month names
        ("٢٠١٨-٠٤-١٣", "2018-04-13"),
        ("١٣/٠٤/٢٠١٨", "2018-04-13"),
        ("الجمعة ١٣ أبريل ٢٠١٨", "2018-04-13"),
        ("13 نيسان 2018م", "2018-04-13"),
        ("١ تشرين الأول ٢٠١٨", "2018-10-01"),
        # Arabic punctuation touching a month or weekday name (U+060C is in the Arabic block, not a letter)
        ("الجمعة، 13 تموز، 2018", "2018-07-13"),
        ("١٣ أبريل، ٢٠١٨", "2018-04-13"),
        ("الخميس، ١ تشرين الأول ٢٠١٨", "2018-10-01"),
        ("13 نيسان 2018م،", "2018-04-13"),
    ],
)
def test_known_formats(value: str, expected: str) -> None:
    assert parse_date(value) == expected


@pytest.mark.parametrize(
    "value",
    [None, "", "   ", "yesterday", "n/a", "5", "2018", "April 2018", "0001-01-01", "2018-02-31",
     "Fri, 31 Feb 2018 10:21:29 GMT", "Fri, 13 Apr 2018 25:61:00 GMT", "قبل ساعتين"],
)  # fmt: skip
def test_unknown_or_unreadable_is_empty(value: str | None) -> None:
    assert parse_date(value) == ""


def test_non_strings_are_empty_not_errors() -> None:
    assert parse_date(1523614889) == ""  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "says_when"),
    [
        ("استقلت الجزائر في عام ١٩٦٢", True),  # Arabic-Indic digits
        ("افتتحت في نوفمبر/تشرين الثاني", True),
        ("أعلن الجيش يوم الثلاثاء", True),
        ("وقال أمس إن القوات باقية", True),
        ("وفي القرن التاسع عشر", True),
        ("بدأ الاحترار قبل 22،000 سنة مضت", True),
        ("حتى نهاية العصر الجليدي (~ 11،600 BP)", True),
        ("في مكان ما منذ حوالي مليار سنة، دخلت البكتيريا", True),  # a number word; the Arabic comma after it
        ("تجدد الاهتمام بتسلا منذ التسعينيات.", True),  # a decade
        ("in the 1990s", True),
        ("وفي تموز، أعلن الجيش انسحابه", True),  # a month name before the Arabic comma
        ("يوم الثلاثاء؛ قال المتحدث", True),  # a weekday before the Arabic semicolon
        ("قال إن الأحدث بينها", False),  # أحد inside a longer word is not Sunday
        ("It opened in May 1914", True),
        ("قتل 11 شخصا في الحادث", False),
        ("نحو 900 جندي أمريكي", False),
        ("The troops may stay", False),  # "may", the verb
    ],
)
def test_states_a_time(text: str, says_when: bool) -> None:
    assert states_a_time(text) is says_when
