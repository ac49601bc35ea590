"""Countries named in either language (assistant/places.py): pure logic, no model."""

import pytest

from assistant.places import places_named

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("text", "places"),
    [
        ("How many US troops remain in Syria?", {"united states", "syria"}),
        ("كم عدد الجنود الأمريكيين الذين بقوا في سوريا؟", {"united states", "syria"}),
        ("وتقر الولايات المتحدة إن هناك 522 عسكريا أمريكيا في العراق.", {"united states", "iraq"}),
        ("The U.S. has 900 troops in Iraq.", {"united states", "iraq"}),
        ("بالسعودية وبسوريا والسوريين والعراقيون", {"saudi arabia", "syria", "iraq"}),
        ("How many soldiers does Germany have in Lithuania?", {"germany", "lithuania"}),
        ("كم عدد الجنود الأمريكيين في كوريا الجنوبية؟", {"united states", "south korea"}),
        ("Egypt and Jordan", {"egypt", "jordan"}),
        ("USA and US troops", {"united states"}),
        ("مصر والأردن", {"egypt", "jordan"}),
    ],
)
def test_countries_are_found_by_name_or_adjective_in_either_language(text, places):
    assert places_named(text) == places


@pytest.mark.parametrize(
    "text",
    ["ترك الرجل بيته", "تركيز الجهود", "الدعم المالي للمنظمة", "Tell us about the plan", "He uses it"],
)
def test_words_that_only_look_like_a_country_name_none(text):
    assert places_named(text) == frozenset()
