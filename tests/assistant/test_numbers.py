import pytest

from assistant.numbers import extract_numbers, number_values, states_a_count
from assistant.verification import unsupported_numbers

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("text", "values"),
    [
        ("About 900 US troops [2].", {900}),
        ("حوالي ٩٠٠ جندي", {900}),
        ("9,000 fighters and ٩٬٠٠٠ مقاتل و9،000", {9000}),
        ("2.5 million dollars", {2_500_000}),
        ("نحو ألفي جندي", {2000}),
        ("ثلاثة آلاف شخص", {3000}),
        ("ثمانية أشخاص وعشرة آخرون", {8, 10}),
        ("مئة قتيل", {100}),
        ("خمسة ملايين لاجئ", {5_000_000}),
        ("مليار دولار", set()),
        ("two thousand troops", {2000}),
        ("in 2018 and 2024", {2018, 2024}),
        ("citation [12] only", set()),
    ],
)
def test_numbers_are_read_as_numbers(text, values):
    assert number_values(text) == {float(v) for v in values}


def test_approximate_markers():
    mentions = extract_numbers("حوالي 900 جندي و9000 سجين")
    assert [(m.value, m.approximate) for m in mentions] == [(900.0, True), (9000.0, False)]
    assert extract_numbers("about 2,000 troops")[0].approximate


def test_unsupported_numbers_catch_a_distractor():
    evidence = "من أجل دعم وجود حوالي 900 جندي أمريكي"
    assert unsupported_numbers("About 9000 US troops remain in Syria [1].", evidence) == [9000.0]
    assert unsupported_numbers("About 900 US troops remain in Syria [1].", evidence) == []
    assert unsupported_numbers("نحو ٩٠٠ جندي [1]", evidence) == []


@pytest.mark.parametrize(
    ("text", "count"),
    [("وينشر الجيش الأمريكي 2000 جندي في سوريا", True), ("أعلن في أواخر 2016 أن الصراع", False),
     ("حتى سبتمبر 2026 على الأقل", False), ("in 2018 the army", False), ("about 900 troops", True)],
)
def test_years_are_not_counts(text, count):
    assert states_a_count(text) is count
