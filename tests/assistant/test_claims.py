"""Claim checks: stance cues and verdicts, pure logic over hand-made evidence (no models)."""

import json

import pytest

from assistant.claim_llm import check_llm_verdict
from assistant.claims import ModelStance, relevant_evidence, verdict_from_cues, verdict_from_evidence
from assistant.evidence import EvidenceSentence
from assistant.stance import figure_stance, is_negated, opposed, sentence_stance
from assistant.verification import aggregate_verdict
from vectorstore.records import StoredChunk

pytestmark = pytest.mark.unit


def sentence(text: str, score: float = 0.9, published: str = "2024-09-27", source: str = "Al-Monitor") -> (
    EvidenceSentence
):
    chunk = StoredChunk(f"{published}:0", published, text, 0, len(text), "عنوان", source, published, "", "ar")
    return EvidenceSentence(chunk, 0, len(text), text, score, score)


SEED_900 = "من أجل دعم وجود حوالي 900 جندي أمريكي في شمال شرق سوريا، على القبض على حوالي 9000 من مقاتلي داعش."
BBC_2000 = "وتنشر الولايات المتحدة نحو ألفي جندي في سوريا."


@pytest.mark.parametrize(
    ("claim", "evidence", "expected"),
    [
        ("About 900 US troops are deployed in northeast Syria.", SEED_900, "supports"),
        ("نحو ٩٠٠ جندي أمريكي في سوريا", SEED_900, "supports"),  # Arabic-Indic digits
        ("About 2,000 US troops are in Syria.", BBC_2000, "supports"),  # ألفي = 2,000
        ("About 5,000 US troops are in Syria.", BBC_2000, "contradicts"),
        ("Some 1,950 US troops are in Syria.", BBC_2000, "supports"),  # approximate, within 10%
    ],
)
def test_figures_are_compared_as_numbers(claim, evidence, expected):
    assert figure_stance(claim, evidence) == expected


def test_a_count_of_civilians_is_not_compared_with_a_troop_count():
    # "7 thousand civilians and gunmen left Ghouta" (a headline) says nothing about US troops.
    assert figure_stance("About 5000 US troops are deployed in northeast Syria.",
                         "الحرب في سوريا: خروج 7 آلاف مدني ومسلح من الغوطة الشرقية") is None
    assert figure_stance("Some 5000 civilians left Ghouta.", "خروج 7 آلاف مدني ومسلح من الغوطة") == "contradicts"


def test_years_are_not_figures_to_compare():
    assert figure_stance("US troops stayed in Syria in 2019.", "بقيت القوات في سوريا حتى عام 2026.") is None


@pytest.mark.parametrize(
    ("text", "negated"),
    [
        ("الولايات المتحدة لن تنسحب من العراق", True),
        ("جماعة فيلق الرحمن تنفي إنسحابها من الغوطة", True),
        ("The ministry denied the report.", True),
        ("Troops won't leave.", True),
        ("ولا يزال الجنود في قواعدهم", False),  # لا يزال = "still": not a negation
        ("لا سيما في الشمال", False),
        ("US troops will leave Iraq.", False),
    ],
)
def test_negation_in_both_languages(text, negated):
    assert is_negated(text) is negated


def test_opposite_events_across_languages():
    assert opposed("هدوء الاشتباكات في طرابلس", "هجوم صاروخي يستهدف مطار طرابلس")
    assert opposed("The two sides agreed on a truce.", "رفض الطرفان الهدنة")
    assert not opposed("خلاف بين الطرفين", "اتفاق الطرفين على حل الخلافات")  # both sides named: undecided


@pytest.mark.parametrize(
    ("claim", "evidence", "expected"),
    [
        ("All US troops will leave Iraq immediately.", "الولايات المتحدة لن تنسحب من العراق", "contradicts"),
        ("جماعة فيلق الرحمن تنفي انسحابها", "جماعة فيلق الرحمن توافق على الانسحاب", "contradicts"),
        ("US troops will not withdraw.", "ستبقى القوات الأمريكية", "supports"),  # negation and opposite cancel
        ("الصليب الأحمر يسحب 71 عامل إغاثة", "الصليب الأحمر يسحب 71 عامل إغاثة من اليمن", "supports"),
    ],
)
def test_sentence_stance(claim, evidence, expected):
    assert sentence_stance(claim, evidence)[0] == expected


def test_newest_source_decides_and_an_older_differing_figure_is_its_history_not_a_contradiction():
    old = sentence(BBC_2000, 0.92, published="2018-04-05", source="BBC Arabic")
    new = sentence(SEED_900, 0.88, published="2024-09-27", source="Al-Monitor")
    draft = verdict_from_cues("About 900 US troops are deployed in northeast Syria.", "en", [old, new])
    assert draft.verdict == "supported" and draft.deciding is draft.evidence[1]
    assert [(e.stance, e.earlier) for e in draft.evidence] == [("neutral", True), ("supports", False)]
    assert "Supported by [2]. [2] decides it: its figure" in draft.explanation
    assert "Earlier figures" in draft.explanation and "[1] (BBC Arabic, 2018-04-05)" in draft.explanation


def test_differing_figures_of_the_same_period_are_not_history():
    older = sentence(BBC_2000, 0.92, published="2024-06-01", source="BBC Arabic")
    new = sentence(SEED_900, 0.88, published="2024-09-27", source="Al-Monitor")
    draft = verdict_from_cues("About 900 US troops are deployed in northeast Syria.", "en", [older, new])
    assert draft.verdict == "supported"
    assert [e.stance for e in draft.evidence] == ["contradicts", "supports"]
    assert "the newest, [2] (Al-Monitor, 2024-09-27), decides" in draft.explanation


def test_an_undated_figure_never_outranks_a_dated_one():
    undated = sentence(BBC_2000, 0.95, published="", source="Upload")
    dated = sentence(SEED_900, 0.88, published="2024-09-27", source="Al-Monitor")
    draft = verdict_from_cues("About 2000 US troops are deployed in Syria.", "en", [undated, dated])
    assert draft.deciding is draft.evidence[1] and draft.verdict == "contradicted"


def test_the_stance_model_decides_by_its_most_confident_side_and_unsided_evidence_is_not_enough():
    claim = "انسحبت القوات الأمريكية من العراق"
    first, second = sentence("الولايات المتحدة لن تنسحب من العراق", 0.9), sentence("تحدث المسؤولون عن العراق", 0.88)
    draft = verdict_from_evidence(claim, "ar", [first, second], [("neutral", 0.8), ("contradicts", 0.7)], "m")
    assert draft.verdict == "contradicted" and draft.deciding is draft.evidence[1]
    assert "تناقضه الأدلة [2]" in draft.explanation and "70%" in draft.explanation
    weak = verdict_from_evidence(claim, "ar", [first, second], [("supports", 0.45), ("neutral", 0.9)], "m")
    assert weak.verdict == "not_enough_info" and weak.deciding is None
    assert [e.stance for e in weak.evidence] == ["supports", "neutral"]  # shown as read, but too unsure to decide


def test_where_the_stance_model_reads_sources_both_ways_the_newest_decides():
    claim = "أفرجت السلطات الإسرائيلية عن عهد التميمي"
    sentenced = sentence("المحكمة تقضي بحبس عهد التميمي 8 شهور", 0.9, published="2018-03-21")
    released = sentence("أفرجت السلطات عن عهد التميمي بعد ثمانية أشهر", 0.88, published="2018-07-29")
    undated = sentence("عهد التميمي ما زالت في السجن", 0.87, published="")
    same_day = sentence("عهد التميمي في السجن", 0.86, published="2018-07-29")
    stances: list[ModelStance] = [
        ("contradicts", 0.95), ("supports", 0.6), ("contradicts", 0.99), ("contradicts", 0.55)]
    draft = verdict_from_evidence(claim, "ar", [sentenced, released, undated, same_day], stances, "m")
    # The older, surer reading and the undated one do not outrank the newest; of one day's, the surer decides.
    assert draft.verdict == "supported" and draft.deciding is draft.evidence[1]
    assert [e.stance for e in draft.evidence] == ["contradicts", "supports", "contradicts", "contradicts"]
    assert "والحكم للأحدث [2] (Al-Monitor، 2018-07-29)" in draft.explanation
    assert "قُرئت في الاتجاه الآخر: [1] (Al-Monitor، 2018-03-21)، [3] (Al-Monitor، غير مؤرخ)، [4]" in draft.explanation
    english = verdict_from_evidence("Ahed Tamimi was released", "en", [sentenced, released], stances[:2], "m")
    assert "reads the sources both ways; the newest, [2] (Al-Monitor, 2018-07-29), decides" in english.explanation
    assert "Read the other way: [1] (Al-Monitor, 2018-03-21)." in english.explanation


def test_the_stance_model_may_be_told_to_decide_from_the_best_sentences_only():
    claim = "انسحبت القوات الأمريكية من العراق"
    ranked = [sentence("تحدث المسؤولون عن العراق", 0.9), sentence("زار الوزير بغداد", 0.89),
              sentence("الولايات المتحدة لن تنسحب من العراق", 0.88)]
    stances: list[ModelStance] = [("neutral", 0.8), ("neutral", 0.7), ("contradicts", 0.9)]
    draft = verdict_from_evidence(claim, "ar", ranked, stances, "m")
    assert draft.verdict == "contradicted" and draft.deciding is draft.evidence[2]
    within_two = aggregate_verdict(draft.evidence, model_decides_within=2)
    assert within_two.verdict == "not_enough_info" and within_two.deciding is None


def test_wording_verdict_comes_from_the_best_sentence_and_others_are_neutral():
    best = sentence("الولايات المتحدة لن تنسحب من العراق", 0.9)
    other = sentence("تحدث المسؤولون عن العراق", 0.88)
    draft = verdict_from_cues("All US troops will leave Iraq immediately.", "en", [best, other])
    assert draft.verdict == "contradicted"
    assert [e.stance for e in draft.evidence] == ["contradicts", "neutral"]
    assert "[1]" in draft.explanation


def test_no_relevant_evidence_is_not_enough_info_in_the_claims_language():
    draft = verdict_from_cues("ادعاء ما", "ar", [])
    assert draft.verdict == "not_enough_info"
    assert "لا تكفي المعلومات" in draft.explanation


def test_relevant_evidence_keeps_sentences_close_to_the_best_when_the_topic_is_covered():
    ranked = [sentence("a", 0.9), sentence("b", 0.86), sentence("c", 0.83), sentence("d", 0.7)]
    assert [s.text for s in relevant_evidence("claim", ranked, True, limit=4)] == ["a", "b"]
    assert relevant_evidence("claim", ranked, False, limit=4) == []


def test_a_sentence_stating_the_claims_figure_is_lifted_into_the_evidence():
    ranked = [sentence("a", 0.86), sentence("b", 0.84), sentence(BBC_2000, 0.83), sentence(SEED_900, 0.79)]
    chosen = [s.text for s in relevant_evidence("About 900 US troops are in Syria.", ranked, True, limit=4)]
    assert SEED_900 in chosen  # 0.79 alone would fall outside the 0.06 margin below the best (0.86)
    assert SEED_900 not in [s.text for s in relevant_evidence("US troops are in Syria.", ranked, True, limit=4)]


@pytest.mark.parametrize(
    ("reply", "why"),
    [
        ("not json", "not valid JSON"),
        (json.dumps({"verdict": "maybe", "supporting": [], "contradicting": []}), "unknown verdict"),
        (json.dumps({"verdict": "supported", "supporting": [7], "contradicting": []}), "does not exist"),
        (json.dumps({"verdict": "supported", "supporting": [], "contradicting": [1]}), "cited no evidence"),
        # The figures say the seed supports 900; a model that says otherwise is overruled.
        (json.dumps({"verdict": "contradicted", "supporting": [], "contradicting": [1]}), "disagrees with the figures"),
    ],
)
def test_model_verdicts_that_fail_the_checks_are_refused(reply, why):
    base = verdict_from_cues("About 900 US troops are in Syria.", "en", [sentence(SEED_900)])
    draft, reason = check_llm_verdict(reply, "en", base)
    assert draft is None
    assert why in reason


def test_a_model_verdict_that_overturns_the_wording_cues_is_refused():
    reply = json.dumps({"verdict": "supported", "supporting": [1], "contradicting": []})
    evidence = [sentence("الولايات المتحدة لن تنسحب من العراق"), sentence("تحدث المسؤولون عن العراق", 0.85)]
    draft, reason = check_llm_verdict(reply, "en", verdict_from_cues("All US troops will leave Iraq.", "en", evidence))
    assert draft is None and "disagrees with the figures and stance" in reason


def test_a_consistent_model_verdict_is_kept_with_its_stances():
    reply = json.dumps({"verdict": "contradicted", "supporting": [], "contradicting": [1]})
    evidence = [sentence("الولايات المتحدة لن تنسحب من العراق"), sentence("تحدث المسؤولون عن العراق", 0.88)]
    draft, reason = check_llm_verdict(reply, "en", verdict_from_cues("All US troops will leave Iraq.", "en", evidence))
    assert reason == ""
    assert draft is not None and draft.mode == "llm" and draft.verdict == "contradicted"
    assert [e.stance for e in draft.evidence] == ["contradicts", "neutral"]


TROOPS_900 = "About 900 US troops are deployed in northeast Syria."


@pytest.mark.parametrize(
    ("claim", "evidence", "expected"),
    [
        # Different things counted: never compared.
        (TROOPS_900, "ولا يزال لتنظيم الدولة نحو 14 ألف مقاتل في سوريا", None),
        (TROOPS_900, "ISIS still has about 14 thousand fighters in Syria.", None),
        ("About 9000 US troops are deployed in Syria.", SEED_900, "contradicts"),  # 9000 there counts fighters
        # Number words on the evidence side are figures.
        ("قتل 20 شخصا في الهجوم", "قتل خمسة وعشرون شخصا في الهجوم", "contradicts"),
        ("قتل 25 شخصا في الهجوم", "قتل خمسة وعشرون شخصا في الهجوم", "supports"),
        ("Eight people were arrested.", "اعتقلت الشرطة ثمانية أشخاص", "supports"),
        ("Twelve people were arrested.", "اعتقلت الشرطة ثمانية أشخاص", "contradicts"),
    ],
)
def test_figures_are_compared_only_between_counts_of_the_same_thing(claim, evidence, expected):
    assert figure_stance(claim, evidence) == expected
