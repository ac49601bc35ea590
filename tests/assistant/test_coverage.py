"""Key-term and answer-type signals behind abstention (assistant/coverage.py): pure logic, no model,
and ``should_abstain`` with a coverage check (a stand-in for the e5 one)."""

import numpy as np
import pytest

from assistant.coverage import (
    asks_for_a_count,
    asks_for_a_measure,
    asks_for_a_time,
    counted_noun,
    is_a_question,
    judge_coverage,
    key_terms,
    mentions,
    names_what_is_counted,
    states_a_count,
    without_term,
    words,
)
from assistant.evidence import EvidenceSentence
from assistant.verification import should_abstain
from vectorstore.records import StoredChunk

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("question", "terms"),
    [
        ("How many US troops are stationed in Japan?", ["us", "troops", "stationed", "japan"]),
        ("كم عدد الجنود الأمريكيين في اليابان؟", ["الجنود", "الامريكيين", "اليابان"]),
        ("ما هي عاصمة كندا؟", ["عاصمه", "كندا"]),
        ("من هو مؤلف روايات هاري بوتر؟", ["مولف", "روايات", "هاري", "بوتر"]),
        ("متى افتتح الجسر عام 1937؟", ["افتتح", "الجسر", "عام", "1937"]),
        ("ماهو اسم أطول نهر؟", ["اطول", "نهر"]),  # ما glued to هو, as often typed
    ],
)
def test_key_terms_are_the_content_words_normalised(question, terms):
    assert key_terms(question) == terms


@pytest.mark.parametrize(
    ("term", "sentence"),
    [
        ("الامريكيين", "ينتشر نحو 900 جندي أمريكي في سوريا"),  # plural against singular
        ("سوريا", "وينشر الجيش الأمريكي 2000 جندي في سوريا"),
        ("البانثرز", "لم يتخلى فريق بانثرز سوى عن 308 نقطة"),  # the article
        ("ايسلندا", "نسبة حيازة سكان آيسلندا للأسلحة"),  # hamza forms fold
        ("كندا", "وقالت الحكومة الكندية إن العقد هو الأكبر"),
        ("troops", "About 900 US troop members remain"),
        ("2019", "في عام ٢٠١٩"),  # Arabic-Indic digits
        ("ahed", "محكمة إسرائيلية تمدد اعتقال عهد التميمي ووالدتها"),  # a name across scripts
        ("tamimi", "محكمة إسرائيلية تمدد اعتقال عهد التميمي ووالدتها"),
    ],
)
def test_a_term_is_found_in_its_inflected_forms(term, sentence):
    assert mentions(term, words(sentence))


@pytest.mark.parametrize(
    ("term", "sentence"),
    [
        ("اليابان", "وتقر الولايات المتحدة إن هناك 522 عسكريا أمريكيا في العراق"),
        ("الهند", "اقترضت الحكومة الأردنية من صندوق النقد الدولي 723 مليون دولار"),
        ("japan", "522 US troops are in Iraq"),
        ("released", "محكمة إسرائيلية تمدد اعتقال عهد التميمي ووالدتها"),  # not a name of it
        ("الهند", "وكلية الهندسة في بغداد"),  # a longer word is not the term with an ending
    ],
)
def test_a_missing_term_is_not_found(term, sentence):
    assert not mentions(term, words(sentence))


def test_leaving_a_term_out_removes_every_word_that_spells_it():
    assert without_term("كم عدد الجنود الأمريكيين في اليابان؟", "اليابان") == "كم عدد الجنود الأمريكيين في"
    assert without_term("How many US troops are in Japan?", "japan") == "How many US troops are in"


@pytest.mark.parametrize(
    ("question", "count"),
    [
        ("How many US troops remain in Syria?", True),
        ("What is the number of refugees in Jordan?", True),
        ("كم عدد الجنود الأمريكيين في سوريا؟", True),
        ("ما عدد سكان الأردن؟", True),
        ("How much did the IMF lend Jordan?", False),
        ("كم يبلغ طول نهر دجلة؟", False),
        ("متى سقط جدار برلين؟", False),
    ],
)
def test_count_questions(question, count):
    assert asks_for_a_count(question) is count


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("ينتشر نحو 900 جندي أمريكي في سوريا", True),
        ("يبلغ عدد سكانها 9،5 ملايين نسمة", True),
        ("بنسبة 30 و 45 في المئة على التوالي", False),  # percentages
        ("و1388 (0.9%) من الشراكات بين المثليين", True),  # a count with its share in brackets
        ("بنسبة (0.9%) فقط", False),
        ("ويبلغ طوله 1850 كيلو متراً", False),  # a distance
        ("وفور سقوط جدار برلين عام 1989", False),  # a year
    ],
)
def test_a_count_is_a_number_of_things(text, count):
    assert states_a_count(text) is count


class KeywordEmbedder:
    """A stand-in for e5 in 3 dimensions: how much a text is about Syria, Japan and troops."""

    AXES: tuple[tuple[str, ...], ...] = (("سوريا", "syria"), ("اليابان", "japan"), ("جندي", "جنود", "troops"))

    def _vector(self, text: str) -> np.ndarray:
        lowered = text.lower()
        v = np.array([1.0 + sum(w in lowered for w in axis) for axis in self.AXES])
        return v / np.linalg.norm(v)

    query_prompt = ""

    @property
    def model(self):
        return self

    def encode(self, texts, **_: object) -> np.ndarray:
        return np.stack([self._vector(t) for t in texts])

    def encode_passages_cached(self, texts):
        return np.stack([self._vector(t) for t in texts])


def test_a_sentence_lacking_a_key_term_does_not_cover_the_question():
    question = "How many troops are in Japan?"
    sentences = ["There are 900 troops in Syria.", "Japan hosts 54,000 troops."]
    judged = judge_coverage(KeywordEmbedder(), question, sentences, tolerance=0.01)  # type: ignore[arg-type]
    assert judged[0].missing == ("japan",) and not judged[0].covers
    assert judged[1].missing == () and judged[1].covers


def test_a_long_question_may_lack_one_key_term_in_six():
    question = "Which troops in Syria and Japan guard the northern border crossings and airfields?"
    assert len(key_terms(question)) == 8
    judged = judge_coverage(KeywordEmbedder(), question,  # type: ignore[arg-type]
                            ["Troops guard northern border crossings and airfields in Syria."], tolerance=0.01)
    assert judged[0].missing == ("japan",) and judged[0].covers


def test_a_key_term_the_passage_names_before_the_sentence_is_not_lacking():
    """"عاد إلى لاهور في 1908" answers when Iqbal returned to Lahore after a sentence naming him; here,
    "It hosts 54,000 troops" answers how many troops are in Japan after a sentence naming Japan."""
    question = "How many troops are in Japan?"
    sentence = "It hosts 54,000 troops."
    alone, after_it = (
        judge_coverage(KeywordEmbedder(), question, [sentence], tolerance=0.01, preceding=[before])[0]  # type: ignore[arg-type]
        for before in ("", "Japan signed a treaty with the US. ")
    )
    assert alone.missing == ("japan",) and not alone.covers
    assert after_it.missing == () and after_it.covers
    assert after_it.named == alone.named  # the passage does not make the sentence name it


@pytest.mark.parametrize(
    ("text", "asks"),
    [
        ("من هو جمال خاشقجي؟", True),
        ("ماذا يحدث في المغرب؟", True),
        ('وتساءل: "ماذا يحدث؟"', True),
        ("Who is Jamal Khashoggi?", True),
        ("كيف لي أن أدفع مبلغا كهذا وزوجي عامل بسيط؟!\"", True),
        ("وقال إن الوضع صعب.", False),
        ("Why? Because the border closed.", False),
    ],
)
def test_a_sentence_that_asks(text, asks):
    assert is_a_question(text) is asks


def test_a_sentence_that_asks_answers_nothing():
    """A headline's question reads close to a question: "Who is Jamal Khashoggi?" against "Who is
    Jamal Khashoggi?" names every key term."""
    question = "Who is Jamal Khashoggi?"
    judged = judge_coverage(KeywordEmbedder(), question,  # type: ignore[arg-type]
                            ["Who is Jamal Khashoggi?", "Jamal Khashoggi is a Saudi journalist."], tolerance=0.01)
    assert [c.covers for c in judged] == [False, True]
    claimed = judge_coverage(KeywordEmbedder(), "Are there 900 troops in Syria?",  # type: ignore[arg-type]
                             ["Are there 900 troops in Syria?"], tolerance=0.01, claim=True)
    assert claimed[0].covers  # a claim may be a question, as headlines are, and a headline may state it


def test_a_count_question_needs_a_sentence_stating_a_count():
    judged = judge_coverage(KeywordEmbedder(), "How many troops are in Syria?",  # type: ignore[arg-type]
                            ["Troops in Syria rose by 30 percent.", "900 troops are in Syria."], tolerance=0.01)
    assert [c.answer_type for c in judged] == [False, True]
    assert [c.covers for c in judged] == [False, True]


@pytest.mark.parametrize(
    ("question", "noun"),
    [
        ("كم عدد الجنود الروس في أرمينيا؟", "الجنود"),
        ("ما عدد سكان البرتغال؟", "سكان"),
        ("How many players does a volleyball team have?", None),  # English nouns are not read
        ("ما هي عاصمة منغوليا؟", None),
    ],
)
def test_the_counted_noun_of_an_arabic_how_many_question(question, noun):
    assert counted_noun(question) == noun


@pytest.mark.parametrize(
    ("question", "sentence", "named"),
    [
        # a known group, in either language, by any of its words
        ("How many US troops remain in Syria?", "نحو 900 جندي أمريكي في سوريا", True),
        ("كم عدد الجنود الروس في أرمينيا؟", "منظومة إس-300 لدى 20 دولة في العالم، منها أرمينيا", False),
        # the counted Arabic noun in another form: a suffix, a broken plural or its singular, people as such
        ("كم عدد سكان قطر؟", "قطر بعدد سكانها الذي يبلغ 300.000 نسمة", True),
        ("كم عدد النقاط التي سجلها الفريق؟", "سجل الفريق 17 نقطة", True),
        ("كم عدد المدارس في المدينة؟", "افتتحت في المدينة 12 مدرسة", True),
        ("كم عدد الناس الذين نزحوا؟", "نزح عشرة ملايين شخص", True),
        ("كم عدد لاعبي فريق كرة الطائرة؟", "ورحل في الحادث 11 شخصا، من بينهم طاقم الطائرة المكون من 3 أفراد.", False),
        # an English noun outside the known groups is not checked
        ("How many moons does Jupiter have?", "للمشتري 95 قمرا", True),
    ],
)
def test_a_how_many_answer_names_what_is_counted(question, sentence, named):
    assert names_what_is_counted(question, sentence) is named


def test_a_count_of_something_else_does_not_cover_a_how_many_question():
    question = "كم عدد الجنود في أرمينيا؟"
    judged = judge_coverage(KeywordEmbedder(), question,  # type: ignore[arg-type]
                            ["في أرمينيا 20 دولة", "في أرمينيا 3000 جندي"], tolerance=0.01)
    assert [c.answer_type for c in judged] == [False, True]


def _sentence(text: str, similarity: float) -> EvidenceSentence:
    chunk = StoredChunk("d:0", "d", text, 0, len(text), "", "", "", "", "ar")
    return EvidenceSentence(chunk, 0, len(text), text, similarity, similarity)


def test_should_abstain_when_no_similar_sentence_covers_the_question():
    similar = [_sentence("عن العراق", 0.86), _sentence("عن سوريا", 0.84), _sentence("بعيد", 0.70)]
    read: list[list[str]] = []

    def covers(sentences):
        read.append([s.text for s in sentences])
        return ["سوريا" in s.text for s in sentences]

    assert not should_abstain(similar, "ar", 0.80, 0.82, covers)
    assert read == [["عن العراق", "عن سوريا"]]  # only the sentences over the bar are read
    assert should_abstain(similar, "ar", 0.80, 0.82, lambda texts: [False] * len(texts))
    assert should_abstain(similar, "ar", 0.80, 0.82, covers, checked=1)  # only the best one is read
    assert should_abstain(similar[2:], "ar", 0.80, 0.82, covers)  # nothing over the bar: not even read


def test_a_how_many_question_also_reads_similar_sentences_further_down_that_state_its_count():
    """"How has the number of US troops in Syria changed over time?": the 2,000 troops sentence was the
    6th over the bar, behind five without a count."""
    similar = [_sentence(f"عن سوريا {i}", 0.86) for i in range(5)] + [
        _sentence("بلا رقم", 0.85), _sentence("ينتشر 2000 جندي في سوريا", 0.84)]
    read: list[list[str]] = []

    def covers(sentences):
        read.append([s.text for s in sentences])
        return ["جندي" in s.text for s in sentences]

    assert should_abstain(similar, "ar", 0.80, 0.82, covers)
    assert not should_abstain(similar, "ar", 0.80, 0.82, covers, states_answer=lambda t: "2000" in t)
    assert read[-1][-1] == "ينتشر 2000 جندي في سوريا" and "بلا رقم" not in read[-1]



@pytest.mark.parametrize(
    ("question", "asks"),
    [("متى أطلق أول هاتف آيفون؟", True), ("When was the Panama Canal opened?", True),
     ("في أي عام سقط جدار برلين؟", True), ("كم عدد الجنود؟", False), ("Who painted the Mona Lisa?", False)],
)
def test_when_questions_ask_for_a_time(question, asks):
    assert asks_for_a_time(question) is asks


def test_a_when_question_needs_a_sentence_stating_a_time():
    question = "When did the Suez Canal open?"
    sentences = ["The Suez Canal opened to shipping.", "The Suez Canal opened in November 1869."]
    judged = judge_coverage(KeywordEmbedder(), question, sentences, tolerance=0.015)  # type: ignore[arg-type]
    assert [c.answer_type for c in judged] == [False, True]
    assert [c.covers for c in judged] == [False, True]


class PlacesEmbedder(KeywordEmbedder):
    """The stand-in, about Iraq, Manbij and Ankara."""

    AXES = (("العراق",), ("منبج",), ("أنقرة",))


def test_a_claim_may_differ_from_its_source_by_one_swapped_term_but_a_question_may_not():
    """ANS dev: "على ماذا اتفقت أنقرة وواشنطن بشأن العراق؟" is contradicted by the source's Manbij."""
    text, source = "اتفقت أنقرة وواشنطن بشأن العراق", "اتفقت أنقرة وواشنطن بشأن منبج"
    embedder = PlacesEmbedder()
    as_claim = judge_coverage(embedder, text, [source], 0.015, claim=True)[0]  # type: ignore[arg-type]
    as_question = judge_coverage(embedder, "على ماذا " + text + "؟", [source], 0.015)[0]  # type: ignore[arg-type]
    assert as_claim.missing == as_question.missing == ("العراق",)
    assert as_claim.terms == 5 and as_claim.named == 4 and as_claim.substitution and as_claim.covers
    assert not as_question.substitution and not as_question.covers


def test_a_claim_sharing_too_few_words_is_no_substitution():
    judged = judge_coverage(KeywordEmbedder(), "يوجد 54 ألف جندي أمريكي في اليابان",  # type: ignore[arg-type]
                            ["هناك 522 عسكريا أمريكيا في العراق"], 0.015, claim=True)
    assert judged[0].claim and judged[0].named < judged[0].terms - 1 and not judged[0].substitution


@pytest.mark.parametrize(
    ("question", "measure"),
    [("كم تبلغ مساحة قطر؟", "area"), ("What is the area of Qatar?", "area"),
     ("كم يبلغ طول سور الصين العظيم؟", "length"),
     ("ما هو ارتفاع جبل إيفرست؟", "length"), ("How tall is the Burj Khalifa?", "length"),
     ("في أي مكان على طول جادة كيرني؟", None), ("ما طول فترة الحرب؟", None), ("How long did the war last?", None),
     ("كم عدد الجنود؟", None)],
)
def test_area_and_length_questions_ask_for_a_measure(question, measure):
    assert asks_for_a_measure(question) == measure


def test_an_area_question_needs_a_sentence_stating_an_area():
    question = "كم تبلغ مساحة قطر؟"
    sentences = ["قطر بعدد سكانها الذي يبلغ 300.000 نسمة", "تبلغ مساحة قطر 11 ألف كيلومتر مربع",
                 "يبلغ طول قطر 160 كيلومترا"]
    judged = judge_coverage(KeywordEmbedder(), question, sentences, tolerance=0.015)  # type: ignore[arg-type]
    assert [c.answer_type for c in judged] == [False, True, False]
    length = judge_coverage(KeywordEmbedder(), "ما طول قطر؟", sentences, tolerance=0.015)  # type: ignore[arg-type]
    assert [c.answer_type for c in length] == [False, True, True]


def test_the_text_a_sentence_follows_in_its_passage():
    passage = "ولد إقبال في سيالكوت. عاد إلى لاهور في 1908."
    chunk = StoredChunk("d:1", "d", passage, 100, 100 + len(passage), "", "", "", "", "ar")
    second = passage.index("عاد")
    sentence = EvidenceSentence(chunk, 100 + second, 100 + len(passage), passage[second:])
    assert sentence.preceding == "ولد إقبال في سيالكوت. "
    assert EvidenceSentence(chunk, 100, 100 + second, passage[:second]).preceding == ""
