import pytest

from assistant.numbers import extract_numbers, number_values, states_a_figure
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
        ('تسليم منظومة الدفاع الجوي "اس-300" إلى سوريا', set()),  # a name, not a figure
        ("S-300 and F-16 jets, an A320 at the G20 during COVID-19", set()),
        ("ب300 جندي و2000 مقاتل", {300, 2000}),  # a one-letter clitic on a figure
        ("between 1,500-2,000 gunmen", {1500, 2000}),
        # dots between thousands, as Arabic news writes them (BBC Arabic: Qatar's 300.000 people)
        ("قطر بعدد سكانها الذي يبلغ 300.000 نسمة", {300_000}),
        ("وقتل في الصراع نحو 10.000 مدني", {10_000}),
        ("1.244 منطقة و2.5 مليون شخص و0.125 ملم", {1244, 2_500_000, 0.125}),
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
    assert states_a_figure(text) is count


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("قتل خمسة وعشرون شخصا", 25),  # Arabic puts the units first
        ("ثلاثة عشر جنديا", 13),
        ("twenty-five soldiers", 25),
        ("one hundred and twenty people", 120),
        ("ثلاثة آلاف وخمسمائة لاجئ", 3500),
        ("ألفين وخمسمئة جندي", 2500),
        ("مائتين وخمسين", 250),
        ("three thousand five hundred", 3500),
    ],
)
def test_numbers_written_in_words_are_read_whole(text, value):
    assert [m.value for m in extract_numbers(text)] == [value]


def test_separate_numbers_stay_separate():
    assert [m.value for m in extract_numbers("بين 1500 و2000 مسلح")] == [1500, 2000]
    assert [m.value for m in extract_numbers("أربعة وثلاثة")] == [4, 3]  # a list, not 7


def test_an_answer_figure_must_count_the_same_thing_as_its_source():
    seed = "من أجل دعم وجود حوالي 900 جندي أمريكي في شمال شرق سوريا، على القبض على حوالي 9000 من مقاتلي داعش."
    # The 1.5B model's real mistake (MODELS.md): it took the 9,000 ISIS fighters for troops.
    assert unsupported_numbers("About 9000 US troops remain in Syria [1].", seed) == [9000.0]
    assert unsupported_numbers("About 900 US troops remain in Syria [1].", seed) == []
    assert unsupported_numbers("ISIS has about 9000 fighters detained there [1].", seed) == []
