import pytest

from ingest.arabic import detect_language, lexical_tokens, light_stem, normalize, strip_article, to_western_digits

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


def test_lexical_tokens_match_across_spellings():
    assert lexical_tokens("القوات الأمريكية") == lexical_tokens("قوات امريكيه")


@pytest.mark.parametrize(
    ("one", "other"),
    [("ومدارسها", "المدارس"), ("الحكومات", "حكومة"), ("المعلمون", "معلمين"), ("فقال", "قال")],
)
def test_light_stemming_meets_forms_of_the_same_word(one, other):
    assert lexical_tokens(one) == lexical_tokens(other)


def test_light_stemming_leaves_short_words_latin_and_digits():
    assert [light_stem(t) for t in ("وهو", "هي", "troops", "900")] == ["وهو", "هي", "troops", "900"]


@pytest.mark.parametrize(
    ("text", "lang"),
    [("How many troops?", "en"), ("كم عدد الجنود؟", "ar"), ("ما هو ISIS؟ تنظيم الدولة", "ar"), ("2018", "en")],
)
def test_detect_language(text, lang):
    assert detect_language(text) == lang
