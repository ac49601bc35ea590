"""Countries named in the news, in English and Arabic, with their people's adjectives: for matching
only. "How many US troops remain in Syria?" names the United States and Syria; «522 عسكريا أمريكيا
في العراق» names the United States and Iraq, not Syria — so its 522 is not a figure for Syria. e5
and the consonant skeletons of names (``ingest.transliteration``) cannot tell: Syria and سوريا share
two consonants, Egypt and مصر none.

A place is found in a text by any of its forms: an English word or phrase, or an Arabic word after its
clitics (و، ب، ل، ال…) and light suffixes are stripped (``assistant.coverage.word_forms``), so that
سوريا, السورية and السوريين all name Syria.
"""

from __future__ import annotations

import re
from functools import lru_cache

from assistant.coverage import word_forms, words
from ingest.arabic import normalize, strip_article

# place -> its forms: English words or phrases (lower case) and Arabic words, as written.
_PLACES: dict[str, str] = {
    "united states": "usa|united states|america|american|americans|أمريكا|أمريكي|أمريكية|أمريكيين|أمريكيون"
                     "|أميركا|أميركي|أميركية|أميركيين|واشنطن|الولايات المتحدة",
    "syria": "syria|syrian|syrians|سوريا|سورية|سوري|سوريين|سوريون|دمشق",
    "iraq": "iraq|iraqi|iraqis|العراق|عراق|عراقي|عراقية|عراقيين|عراقيون|بغداد",
    "iran": "iran|iranian|iranians|إيران|إيراني|إيرانية|إيرانيين|طهران",
    "turkey": "turkey|turkish|turks|türkiye|تركيا|تركي|تركية|أتراك|أنقرة",
    "russia": "russia|russian|russians|روسيا|روسي|روسية|روس|روسيين|موسكو|الكرملين",
    "israel": "israel|israeli|israelis|إسرائيل|إسرائيلي|إسرائيلية|إسرائيليين",
    "palestine": "palestine|palestinian|palestinians|فلسطين|فلسطيني|فلسطينية|فلسطينيين|فلسطينيون",
    "lebanon": "lebanon|lebanese|لبنان|لبناني|لبنانية|لبنانيين|بيروت",
    "jordan": "jordan|jordanian|jordanians|الأردن|أردني|أردنية|أردنيين",
    "egypt": "egypt|egyptian|egyptians|مصر|مصري|مصرية|مصريين|القاهرة",
    "saudi arabia": "saudi|saudis|saudi arabia|السعودية|سعودي|سعودية|سعوديين|الرياض",
    "qatar": "qatar|qatari|qataris|قطر|قطري|قطرية|قطريين|الدوحة",
    "united arab emirates": "uae|emirates|emirati|الإمارات|إماراتي|إماراتية|إماراتيين|أبوظبي|دبي",
    "kuwait": "kuwait|kuwaiti|الكويت|كويتي|كويتية",
    "bahrain": "bahrain|bahraini|البحرين|بحريني|بحرينية",
    "oman": "oman|omani|سلطنة عمان|عماني|عمانية",
    "yemen": "yemen|yemeni|yemenis|اليمن|يمني|يمنية|يمنيين|صنعاء",
    "libya": "libya|libyan|libyans|ليبيا|ليبي|ليبية|ليبيين",
    "tunisia": "tunisia|tunisian|tunisians|تونس|تونسي|تونسية|تونسيين",
    "algeria": "algeria|algerian|algerians|الجزائر|جزائري|جزائرية|جزائريين",
    "morocco": "morocco|moroccan|moroccans|المغرب|مغربي|مغربية|مغاربة|الرباط",
    "sudan": "sudan|sudanese|السودان|سوداني|سودانية|سودانيين|الخرطوم",
    "somalia": "somalia|somali|somalis|الصومال|صومالي|صومالية",
    "mali": "mali|malian|دولة مالي|جمهورية مالي",  # مالي alone is also "financial"
    "afghanistan": "afghanistan|afghan|afghans|أفغانستان|أفغاني|أفغانية|أفغان|كابول",
    "pakistan": "pakistan|pakistani|باكستان|باكستاني|باكستانية",
    "india": "india|indian|indians|الهند|هندي|هندية|هنود",
    "china": "china|chinese|الصين|صيني|صينية|صينيين|بكين",
    "japan": "japan|japanese|اليابان|ياباني|يابانية|يابانيين|طوكيو",
    "south korea": "south korea|south korean|كوريا الجنوبية",
    "north korea": "north korea|north korean|كوريا الشمالية|بيونغ يانغ",
    "united kingdom": "uk|britain|british|united kingdom|england|بريطانيا|بريطاني|بريطانية|بريطانيين|لندن",
    "france": "france|french|فرنسا|فرنسي|فرنسية|فرنسيين|باريس",
    "germany": "germany|german|germans|ألمانيا|ألماني|ألمانية|ألمان|برلين",
    "italy": "italy|italian|italians|إيطاليا|إيطالي|إيطالية|إيطاليين|روما",
    "spain": "spain|spanish|إسبانيا|إسباني|إسبانية|مدريد",
    "poland": "poland|polish|بولندا|بولندي|بولندية",
    "ukraine": "ukraine|ukrainian|ukrainians|أوكرانيا|أوكراني|أوكرانية|كييف",
    "lithuania": "lithuania|lithuanian|ليتوانيا",
    "estonia": "estonia|estonian|إستونيا",
    "armenia": "armenia|armenian|armenians|أرمينيا|أرميني|أرمينية|أرمن",
    "azerbaijan": "azerbaijan|azerbaijani|أذربيجان",
    "brazil": "brazil|brazilian|البرازيل|برازيلي",
    "australia": "australia|australian|أستراليا|أسترالي|أسترالية",
    "canada": "canada|canadian|كندا|كندي|كندية",
    "kenya": "kenya|kenyan|كينيا|كيني",
    "iceland": "iceland|icelandic|أيسلندا|آيسلندا",
    "portugal": "portugal|portuguese|البرتغال|برتغالي",
}


def _arabic_core(word: str) -> str:
    """An Arabic form without its article, normalised (الأردن → اردن)."""
    return strip_article(normalize(word))


_ENGLISH: dict[tuple[str, ...], str] = {}
_ARABIC_WORDS: dict[str, str] = {}
_ARABIC_PHRASES: dict[tuple[str, ...], str] = {}
for _place, _forms in _PLACES.items():
    for _form in _forms.split("|"):
        if _form.isascii():
            _ENGLISH[tuple(_form.split())] = _place
        elif " " in _form:
            _ARABIC_PHRASES[tuple(_arabic_core(w) for w in _form.split())] = _place
        else:
            _ARABIC_WORDS[_arabic_core(_form)] = _place


# "US", "U.S.", "USA" in capitals: "us" is also a pronoun.
_US = re.compile(r"\bU\.?S\.?(A\.?)?(?!\w)")
# Endings an adjective of a place takes: أمريكيا, السوريين, العراقيون, التركيتين…
_ENDINGS = ("ا", "ين", "ون", "ان", "تين", "تان")


def _without_endings(form: str) -> set[str]:
    return {form} | {form[: -len(e)] for e in _ENDINGS if form.endswith(e) and len(form) - len(e) >= 3}


@lru_cache(maxsize=4096)
def places_named(text: str) -> frozenset[str]:
    """The places ``text`` names, by any of their forms in either language."""
    found = words(text)
    cores = [{c for f in word_forms(w) for c in _without_endings(_arabic_core(f))} if not w.isascii() else {w}
             for w in found]
    named = {place for forms in cores for f in forms if (place := _ARABIC_WORDS.get(f))}
    for phrases in (_ENGLISH, _ARABIC_PHRASES):
        for phrase, place in phrases.items():
            n = len(phrase)
            if any(all(phrase[k] in cores[i + k] for k in range(n)) for i in range(len(found) - n + 1)):
                named.add(place)
    if _US.search(text):
        named.add("united states")
    return frozenset(named)
