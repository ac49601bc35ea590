import pytest

from ingest.arabic import (
    char_trigrams,
    detect_language,
    lexical_tokens,
    light_stem,
    normalize,
    strip_article,
    to_western_digits,
)

pytestmark = pytest.mark.unit


def test_arabic_indic_digits_become_western():
    assert to_western_digits("٩٠٠ و۲۰۱۸") == "900 و2018"


def test_normalize_folds_spelling_variants_for_matching():
    assert normalize("أَمْرِيكِيّ") == normalize("امريكي")
    assert normalize("مـــدرسة") == "مدرسه"
    assert normalize("إلى") == "الي"
    assert normalize("Syria") == "syria"


@pytest.mark.parametrize(
    ("token", "stem"),
    [("الجنود", "جنود"), ("والقوات", "قوات"), ("بالعراق", "عراق"), ("للعراق", "عراق"), ("فالأمر", "امر")],
)
def test_clitic_article_is_stripped(token, stem):
    assert strip_article(normalize(token)) == stem


def test_short_words_keep_their_letters():
    assert strip_article("الى") == "الى"


def _stems(text: str) -> list[str]:
    """The light-stemmed words of ``lexical_tokens`` (its trigrams follow them)."""
    return lexical_tokens(text)[: len(text.split())]


def test_lexical_tokens_match_across_spellings():
    assert _stems("القوات الأمريكية") == _stems("قوات امريكيه")
    assert lexical_tokens("القوات الأمريكية") == lexical_tokens("قوات امريكيه")


@pytest.mark.parametrize(
    ("one", "other"),
    [("ومدارسها", "المدارس"), ("الحكومات", "حكومة"), ("المعلمون", "معلمين"), ("فقال", "قال")],
)
def test_light_stemming_meets_forms_of_the_same_word(one, other):
    assert _stems(one) == _stems(other)


def test_trigrams_follow_the_stems_and_mark_word_ends():
    trigrams = ["_وس", "وسو", "سور", "وري", "ريا", "يا_", "_90", "900", "00_"]
    assert lexical_tokens("وسوريا 900") == ["سوريا", "900", *trigrams]
    assert char_trigrams("الدوحه") == ["_دو", "دوح", "وحه", "حه_"] and char_trigrams("و") == ["_و_"]


def test_light_stemming_leaves_short_words_latin_and_digits():
    assert [light_stem(t) for t in ("وهو", "هي", "troops", "900")] == ["وهو", "هي", "troops", "900"]


@pytest.mark.parametrize(
    ("text", "lang"),
    [("How many troops?", "en"), ("كم عدد الجنود؟", "ar"), ("ما هو ISIS؟ تنظيم الدولة", "ar"), ("2018", "en")],
)
def test_detect_language(text, lang):
    assert detect_language(text) == lang
