"""Does an evidence sentence cover the question? The key-term signal behind abstention (issue 11).

A sentence can be close to a question in e5 space and still not answer it: "How many US troops are
in Japan?" lands on "522 US troops are in Iraq". What it lacks is one of the question's key terms
(its content words: Japan). A key term counts as present in a sentence when

- the sentence has the word (normalised Arabic, leading clitics and light suffixes folded, so
  الأمريكيين meets أمريكي; across scripts, a name with the same consonant skeleton: "Ahed Tamimi"
  meets عهد التميمي, ``ingest.transliteration``),
- leaving the term out of the question does not make the question closer to the sentence (e5, so
  it works across languages: "Japan" against اليابان, and for broken plurals: الجنود against جندي).
  The second test embeds the question once per key term (a few short queries), or
- the passage names it before the sentence: "عاد إلى لاهور في 1908" answers "When did Iqbal return
  to Lahore?" after a sentence about Iqbal.

The answer must also be of the kind asked for: a count for "how many" (and a sentence naming what is
counted: "How many Russian soldiers are in Armenia?" is not answered by a list of 20 countries that
names Armenia), a time for "when", an area or a length for "what is the area / how long is…". A
sentence that is itself a question ("من هو جمال خاشقجي؟") answers nothing.
A claim, unlike a question, may differ from a sentence by one term: "Ankara and Washington agreed
on Iraq" against a source's "… agreed on Manbij" is contradicted, not unanswered. So a sentence that
has every key term of a claim but one, as words, covers it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from assistant.figures import asked_group, group_of, unit_kind
from assistant.numbers import NumberMention, extract_numbers
from ingest.arabic import light_stem, normalize
from ingest.dates import states_a_time
from ingest.transliteration import sounds_alike
from vectorstore.embeddings import SentenceEmbedder, unit_float32

_WORD = re.compile(r"\w+", re.UNICODE)
# Question words, function words and verbs of being/amount: never what a question is about.
_ARABIC_STOPWORD_LIST = """
كم عدد ما ماذا من متى أين اين كيف لماذا لما هل أي اي أية هو هي هم هن هما ذلك تلك هذا هذه هؤلاء الذي التي الذين
اللذين اللتين في على إلى الى عن مع بين منذ حتى عند لدى أو او و ثم قد لقد كان كانت كانوا يكون تكون يبلغ تبلغ بلغ بلغت
يوجد توجد هناك كل بعض غير جميع إن أن ان لم لن لا مدى يمكن تم يتم أكثر اكثر أقل به بها لها له فيها منها عنها
اسم يسمى تسمى
"""
_ENGLISH_STOPWORD_LIST = """
how many much what which who whom whose when where why is are was were do does did done the a an of in on at to for
from by with about as be been being has have had there their its it this that these those and or not no can could would
should will into than then also any some all each other such most more less number amount total name called
"""
_ARABIC_STOPWORDS = {normalize(w) for w in _ARABIC_STOPWORD_LIST.split()}
_ENGLISH_STOPWORDS = set(_ENGLISH_STOPWORD_LIST.split())
# Clitics a word may carry before its stem (longest first): وبال… = and + with + the.
_CLITICS = ("وبال", "وال", "بال", "كال", "فال", "لل", "ال", "و", "ف", "ب", "ل", "ك")
# "How many …?", "كم عدد …؟": the answer is a count of something.
_COUNT_QUESTION = re.compile(r"\b(how many|number of)\b|(^|\s)(كم|ما)\s+(عدد|اعداد)(\s|$)", re.IGNORECASE)
# Words that count people as such: "كم عدد الأشخاص…؟" is answered by "عشرة ملايين شخص" or "30 ألفا من سكانها".
_PEOPLE = {normalize(w) for w in ("شخص", "أشخاص", "شخصا", "ناس", "الناس", "نسمة", "سكان", "فرد", "أفراد", "people",
                                  "persons", "person")}
# "كم عدد الجنود …؟": the word after عدد is what the question counts.
_COUNTED_NOUN = re.compile(r"(^|\s)(كم|ما)\s+(عدد|اعداد)\s+(?P<noun>[^\W\d_]+)")
# A sentence that ends as a question (closing quotes, brackets and "؟!" aside).
_ASKS = re.compile(r"[?؟][\s\"'»”)\]!.…]*$")
# "When …?", "متى …؟", "in what year": the answer is a time.
_TIME_QUESTION = re.compile(
    r"\b(when|what year|which year|what date)\b|(^|\s)(متي|في اي (عام|سنه)|ما تاريخ)(\s|$)", re.IGNORECASE
)
# "كم تبلغ مساحة قطر؟", "ما طول نهر دجلة؟", "How tall is…?": the answer is an area or a length. Only the
# question forms that ask for the measure itself ("على طول الشارع", "along", is not one; "طول فترة",
# "the length of the period", is a duration).
_MEASURE_QUESTION = re.compile(
    r"(^|\s)(كم|ما)\s+((يبلغ|تبلغ|هو|هي|كان|كانت)\s+)?(ال)?(?P<ar>طول|مساحه|ارتفاع|عمق)(?!\s+(ال)?(فتره|مده))(\s|$)"
    r"|\b(how (?P<en>tall|high|deep)|what is the (?P<en2>area|length|height|depth))\b",
    re.IGNORECASE,
)
_AREA_WORDS = ("مساحه", "area")
_SQUARE = tuple(normalize(w) for w in ("مربع", "square"))
_AREA_UNITS = tuple(normalize(w) for w in ("هكتار", "دونم", "hectare", "acre"))
MIN_STEM = 3  # shortest stem that may take an ending
TERMS_PER_MISS = 6  # a long question or claim may lack one key term in every six (a paraphrase, a stray word)
SUBSTITUTION_TERMS = 3  # a claim with this many key terms may have one of them swapped in a sentence
# Endings a form may add to another's stem (after normalize: ة→ه): عسكري/عسكريا, امريك/امريكيين, troop/troops.
_ENDINGS = ("ا", "ي", "ه", "ها", "ات", "ين", "ون", "ان", "يه", "يا", "يين", "يون", "s", "es")
# Words between a number and what it measures: "30 و 45 في المئة", "1500 إلى 2000 مسلح".
_NUMBER_LINKS = {normalize(w) for w in ("و", "او", "إلى", "الى", "and", "or", "to", "-")}


def words(text: str) -> list[str]:
    """The normalised words of ``text`` (Arabic spelling variants and digits folded, lower case)."""
    return _WORD.findall(normalize(text))


def _is_stopword(word: str) -> bool:
    """A question or function word, also with a clitic (وفي) or glued to ما/من as people type (ماهو, ماسم)."""
    if word in _ARABIC_STOPWORDS or word in _ENGLISH_STOPWORDS:
        return True
    glued = (*_CLITICS, "ما", "من")
    return not word.isascii() and any(word.startswith(c) and word[len(c):] in _ARABIC_STOPWORDS for c in glued)


def key_terms(question: str) -> list[str]:
    """The question's content words, normalised, in order, each once (question and function words left out)."""
    return list(dict.fromkeys(w for w in words(question) if len(w) > 1 and not _is_stopword(w)))


def word_forms(word: str) -> set[str]:
    """The stems a normalised word may stand for: itself, without a leading clitic, light-stemmed
    (English: without a plural -s)."""
    if word.isascii():
        return {word[:-1] if len(word) > 4 and word.endswith("s") else word}
    forms = {word} | {word[len(c):] for c in _CLITICS if word.startswith(c) and len(word) - len(c) >= MIN_STEM}
    return forms | {light_stem(f) for f in forms}


def _same_stem(a: str, b: str) -> bool:
    short, long = sorted((a, b), key=len)
    return short == long or (len(short) >= MIN_STEM and long.startswith(short) and long[len(short):] in _ENDINGS)


def mentions(term: str, sentence_words: Sequence[str]) -> bool:
    """Does a sentence (its normalised ``words``) contain ``term`` in some inflected form, or, in the
    other script, a name that sounds the same ("tamimi" and التميمي)?"""
    forms = word_forms(term)
    return any(
        _same_stem(a, b) or sounds_alike(a, b) for w in sentence_words for a in word_forms(w) for b in forms
    )


def without_term(question: str, term: str) -> str:
    """The question with the words that normalise to ``term`` left out."""
    return " ".join(w for w in question.split() if term not in words(w))


def _encode_queries(embedder: SentenceEmbedder, texts: Sequence[str]) -> np.ndarray:
    """Unit query vectors for ``texts``, in one batch (one model call instead of one per text)."""
    vectors = embedder.model.encode([embedder.query_prompt + t for t in texts], normalize_embeddings=True,
                                    convert_to_numpy=True)
    return unit_float32(vectors)


def term_drops(
    embedder: SentenceEmbedder, question: str, terms: Sequence[str], sentence_vectors: np.ndarray
) -> np.ndarray:
    """(sentences × terms): how much closer the question is to each sentence than the question
    without each term. Negative: the sentence is closer to the question without that term, i.e.
    it lacks what the term asks about."""
    if not terms or not len(sentence_vectors):
        return np.zeros((len(sentence_vectors), len(terms)), dtype=np.float32)
    queries = _encode_queries(embedder, [question, *(without_term(question, t) for t in terms)])
    sims = sentence_vectors @ queries.T
    return sims[:, :1] - sims[:, 1:]


def asks_for_a_count(question: str) -> bool:
    """'How many soldiers…?', 'كم عدد…؟', 'ما عدد…؟' (not 'how much', 'how tall': those are not counts)."""
    return bool(_COUNT_QUESTION.search(normalize(question)))


def asks_for_a_time(question: str) -> bool:
    """'When…?', 'متى…؟', 'In what year…?', 'في أي عام…؟'."""
    return bool(_TIME_QUESTION.search(normalize(question)))


def asks_for_a_measure(question: str) -> str | None:
    """'area' for "كم تبلغ مساحة…؟" / "What is the area of…?", 'length' for "ما طول…؟" / "How tall…?"."""
    match = _MEASURE_QUESTION.search(normalize(question))
    if match is None:
        return None
    asked = match.group("ar") or match.group("en") or match.group("en2")
    return "area" if asked in _AREA_WORDS else "length"


def states_a_measure(text: str, measure: str) -> bool:
    """A distance ("1850 كيلو متراً"); for an area, one in square units ("266 ألف كلم مربع") or hectares."""
    folded = normalize(text)
    distance = any(unit_kind(_measured(m)) == "distance" for m in extract_numbers(text))
    if measure == "length":
        return distance
    return (distance and any(w in folded for w in _SQUARE)) or any(w in folded for w in _AREA_UNITS)


def _states_kind(text: str, count: bool, time: bool, measure: str | None = None) -> bool:
    """Does ``text`` state the kind of answer asked for: a count when ``count``, a time when ``time``,
    an area or a length when ``measure`` says so?"""
    return ((not count or states_a_count(text)) and (not time or states_a_time(text))
            and (measure is None or states_a_measure(text, measure)))


def counted_noun(question: str) -> str | None:
    """What an Arabic how-many question counts, normalised: الجنود in "كم عدد الجنود الروس في أرمينيا؟"."""
    match = _COUNTED_NOUN.search(normalize(question))
    return match.group("noun") if match else None


def names_what_is_counted(question: str, text: str) -> bool:
    """Does ``text`` name what a how-many ``question`` counts? A group news figures count (troops,
    refugees…: ``assistant.figures``) by any of its words in either language, or the counted Arabic
    noun in some form ("عدد السكان" meets سكانها). "How many Russian soldiers are in Armenia?" is not
    answered by "20 countries, Armenia among them, field the S-300"; a question whose counted thing
    is neither (an English noun outside the groups) is not checked, as across languages only e5 could."""
    found = words(text)
    group = asked_group(question)
    if group is not None and any(group_of(w) == group for w in found):
        return True
    noun = counted_noun(question)
    if noun is None:
        return group is None
    return mentions(noun, found) or any(_same_consonants(noun, w) for w in found) or (
        _names_people(noun) and any(_names_people(w) for w in found)
    )


def _names_people(word: str) -> bool:
    """Is the (normalised) word one of the words for people counted as such (أشخاص، الناس، نسمة، سكان)?"""
    return bool(word_forms(word) & _PEOPLE)


def _consonants(word: str) -> str:
    """A normalised Arabic word's consonants, long vowels and the feminine ending dropped: the skeleton a
    singular and its broken plural share (جنود / جندي → جند, نقاط / نقطة → نقط, مدارس / مدرسة → مدرس)."""
    return re.sub(r"[اويىءه]", "", word)


def _same_consonants(noun: str, word: str) -> bool:
    """``word`` is ``noun`` in another number (a broken plural or its singular), clitics aside."""
    nouns = {_consonants(f) for f in word_forms(noun)}
    return any(len(c) >= 2 and c in nouns for c in (_consonants(f) for f in word_forms(word)))


def _measured(mention: NumberMention) -> NumberMention:
    """The mention with the unit of a range or list it opens ("30 و 45 في المئة": a percentage). A
    number right after it, with no link between, is its share in brackets: "1388 (0.9%) من الشراكات"
    counts partnerships."""
    for i, word in enumerate(mention.following):
        if i == 0 and word[:1].isdigit():
            return mention
        if word not in _NUMBER_LINKS and not word[:1].isdigit():
            return replace(mention, unit=word)
    return mention


def states_a_count(text: str) -> bool:
    """A number that counts something (not a year, percentage, distance, sum of money or duration)."""
    return any(not m.is_year and unit_kind(_measured(m)) == "count" for m in extract_numbers(text))


@dataclass(frozen=True)
class Coverage:
    """What one evidence sentence lacks to answer the question."""

    missing: tuple[str, ...]  # key terms of the question the sentence lacks
    answer_type: bool  # it states the kind of answer asked for (a count, a time, an area or length)
    terms: int = 0  # how many key terms the question has
    named: int = 0  # key terms the sentence has as words (or, across scripts, as names that sound the same)
    claim: bool = False  # the text judged is a claim, which one swapped term may contradict

    @property
    def substitution(self) -> bool:
        """A claim's sentence with every key term but one, as words: the same event, one term swapped."""
        return self.claim and self.terms >= SUBSTITUTION_TERMS and self.named >= self.terms - 1

    @property
    def covers(self) -> bool:
        allowed = max(self.terms // TERMS_PER_MISS, int(self.substitution))
        return len(self.missing) <= allowed and self.answer_type


def is_a_question(text: str) -> bool:
    """A sentence that asks ("من هو جمال خاشقجي؟", a headline's "ماذا يحدث في المغرب؟") answers nothing,
    however close to a question it reads."""
    return bool(_ASKS.search(text))


def judge_coverage(
    embedder: SentenceEmbedder, question: str, sentences: Sequence[str], tolerance: float, claim: bool = False,
    preceding: Sequence[str] | None = None,
) -> list[Coverage]:
    """For each sentence, the question's key terms it lacks and whether it states the kind of answer
    asked for (a sentence that is itself a question answers no question; a claim may be one, as ANS
    headlines are: "هل من المتوقع توجه مسلحو الغوطة إلى عفرين؟"). A term is lacking when the
    sentence neither mentions it nor gets more than ``tolerance`` closer to the question without it
    (see ``term_drops``), nor does the ``preceding`` text of its passage name it (what "he" in the
    sentence stands for). With ``claim``, the text is a claim, which a sentence may cover with one term
    swapped (``Coverage.substitution``)."""
    terms = key_terms(question)
    count, time, measure = asks_for_a_count(question), asks_for_a_time(question), asks_for_a_measure(question)
    drops = term_drops(embedder, question, terms, embedder.encode_passages_cached(list(sentences)))
    before = preceding if preceding is not None else [""] * len(sentences)
    judged = []
    for row, text, context in zip(drops, sentences, before, strict=True):
        found = words(text)
        named = [mentions(t, found) for t in terms]
        missing = tuple(t for t, drop, n in zip(terms, row, named, strict=True) if drop < -tolerance and not n)
        if missing and context:
            found_before = words(context)
            missing = tuple(t for t in missing if not mentions(t, found_before))
        kind = ((claim or not is_a_question(text)) and _states_kind(text, count, time, measure)
                and (not count or names_what_is_counted(question, text)))
        judged.append(Coverage(missing, kind, len(terms), sum(named), claim))
    return judged
