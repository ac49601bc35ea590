"""Which figure answers a how-many question: the newest dated source's, with the older figures as its
history (pure logic over hand-made evidence; no models)."""

import pytest

from assistant.answering import Draft, check_llm_answer, extractive_draft, lead_figure_problem, lead_first, with_figures
from assistant.evidence import EvidenceSentence
from assistant.figure_history import (
    asked_source,
    asked_year,
    figure_history,
    names_source,
    question_history,
    relevant_figures,
    states_count_of,
)
from assistant.figure_text import figure_lines, figure_points
from assistant.figures import asked_group
from vectorstore.records import StoredChunk

pytestmark = pytest.mark.unit

QUESTION_EN = "How many US troops remain in Syria?"
QUESTION_AR = "كم عدد الجنود الأمريكيين الذين بقوا في سوريا؟"


def sentence(text: str, score: float, published: str, source: str = "BBC Arabic", doc: str = "d") -> EvidenceSentence:
    chunk = StoredChunk(f"{doc}:0", doc, text, 0, len(text), "عنوان", source, published, "", "ar")
    return EvidenceSentence(chunk, 0, len(text), text, score, score)


NEW = sentence("يبقى حوالي 900 جندي أمريكي في شمال شرق سوريا.", 0.80, "2024-09-27", "Al-Monitor", "seed")
OLD = sentence("وينشر الجيش الأمريكي 2000 جندي في سوريا.", 0.84, "2018-10-11", doc="old")
OLDER = sentence("يتمركز نحو 350 جنديا من التحالف الذي تقوده الولايات المتحدة في منبج السورية.", 0.83, "2018-04-05",
                 doc="older")
FIGHTERS = sentence("لا يزال لدى التنظيم نحو 14 ألف مقاتل في سوريا.", 0.85, "2025-01-01", doc="fighters")
UNDATED = sentence("ينتشر 1500 جندي أمريكي في سوريا.", 0.84, "", doc="undated")
RANKED = [FIGHTERS, OLD, OLDER, NEW]


def history_of(ranked, question=QUESTION_AR):
    return figure_history(relevant_figures(question, ranked), ranked[0].score)


@pytest.mark.parametrize(
    ("question", "group"),
    [(QUESTION_EN, "troops"), (QUESTION_AR, "troops"), ("كم عدد القتلى في الغوطة؟", "dead"),
     ("How many fighters does ISIS have?", "fighters"), ("How many people live in Cairo?", None)],
)
def test_the_thing_a_question_counts(question, group):
    assert asked_group(question) == group


def test_a_question_with_its_own_year():
    assert asked_year("How many US troops were in Syria in 2018?") == 2018
    assert asked_year("كم عدد الجنود الأمريكيين في سوريا في عام 2018؟") == 2018
    assert asked_year(QUESTION_EN) is None


def test_the_newest_figure_of_the_thing_asked_leads_and_older_ones_are_its_history():
    history = history_of(RANKED)
    assert history is not None
    assert history.lead.sentence is NEW  # newest, though it scores lowest
    assert [f.sentence for f in history.earlier] == [OLD, OLDER]  # newest first
    assert all(f.group == "troops" for f in history.figures)  # 14 thousand fighters is not a troop count
    assert [f.published for f in history.figures] == ["2018-04-05", "2018-10-11", "2024-09-27"]


@pytest.mark.parametrize(("question", "source"), [
    ("كم عدد المقاتلين الروس في سوريا بحسب بوتين؟", {"بوتين"}),
    ("How many Russian fighters are in Syria according to Putin?", {"putin"}),
    ("كم عدد اللاجئين وفقاً للأمم المتحدة؟", {"للامم", "المتحده"}),
    ("How many US troops remain in Syria?", set()),
])
def test_the_source_a_question_asks_a_figure_of(question, source):
    assert asked_source(question) == source


def test_a_source_is_named_only_when_every_word_of_it_is():
    assert names_source("قال الرئيس فلاديمير بوتين إن", asked_source("بحسب بوتين"))
    assert names_source("وقدرت الأمم المتحدة العدد", asked_source("وفقا للأمم المتحدة"))
    assert not names_source("وقالت الولايات المتحدة", asked_source("وفقا للأمم المتحدة"))
    assert not names_source("قال الرئيس إن", set())
    assert names_source("قال الرئيس فلاديمير بوتين إن", asked_source("according to Putin"))  # across scripts


PUTIN_2017 = sentence("وقدر الرئيس الروسي فلاديمير بوتين عام 2017 عدد المقاتلين الروس في سوريا بنحو 4 آلاف مقاتل.",
                      0.88, "2018-09-12", doc="putin")
WAGNER = sentence("وقالت الوكالة إن فاغنر نشرت في سوريا 3 آلاف مقاتل منذ 2015.", 0.86, "2018-02-15", doc="wagner")
ISLAMIC_STATE = sentence("لا يزال لدى التنظيم نحو 14 ألف مقاتل في سوريا.", 0.85, "2019-01-01", doc="is")


def test_a_question_after_one_sources_figure_is_led_by_that_source_not_the_newest():
    ranked = [PUTIN_2017, WAGNER, ISLAMIC_STATE]
    asked = question_history("كم عدد المقاتلين الروس في سوريا بحسب بوتين؟", ranked)
    assert asked is not None and asked.lead.sentence is PUTIN_2017 and asked.earlier == []  # the others are newer
    english = question_history("How many Russian fighters are in Syria according to Putin?", ranked)
    assert english is not None and english.lead.sentence is PUTIN_2017
    plain = question_history("كم عدد المقاتلين الروس في سوريا؟", ranked)
    assert plain is not None and plain.lead.sentence is PUTIN_2017  # the only one naming Russia: IS's are not Russian
    unnamed = question_history("كم عدد المقاتلين في سوريا بحسب لافروف؟", ranked)  # no sentence names Lavrov
    assert unnamed is not None and unnamed.lead.sentence is ISLAMIC_STATE


def test_a_figure_for_another_country_is_not_part_of_the_history():
    """BBC Arabic, 2018-03-16: "522 US soldiers in Iraq" was charted as an earlier figure for Syria."""
    iraq = sentence("وتقر الولايات المتحدة إن هناك 522 عسكريا أمريكيا في العراق.", 0.85, "2018-03-16", doc="iraq")
    for question in (QUESTION_AR, QUESTION_EN):
        history = question_history(question, [iraq, *RANKED])
        assert history is not None and iraq not in [f.sentence for f in history.figures], question
    in_iraq = question_history("How many US troops are in Iraq?", [iraq, *RANKED])
    assert in_iraq is not None and in_iraq.lead.sentence is iraq


def test_a_figure_is_for_the_countries_named_next_to_it_not_elsewhere_in_its_sentence():
    """The seed sentence names Iraqi Kurdistan (bases for others) and then 900 US troops in Syria."""
    seed = sentence("ومن المتوقع أن يبقى آخرون في قواعد في منطقة كردستان العراق حتى سبتمبر 2026 من أجل دعم وجود حوالي "
                    "900 جندي أمريكي في شمال شرق سوريا، والتي تحافظ على القبض على 9000 من مقاتلي داعش.",
                    0.85, "2024-09-27", "Al-Monitor", "seed")
    iraq = sentence("وتقر الولايات المتحدة إن هناك 522 عسكريا أمريكيا في العراق.", 0.84, "2018-03-16", doc="iraq")
    in_syria = question_history(QUESTION_EN, [seed, iraq])
    assert in_syria is not None and in_syria.lead.sentence is seed and in_syria.earlier == []
    in_iraq = question_history("How many US troops are in Iraq?", [seed, iraq])
    assert in_iraq is not None and in_iraq.lead.sentence is iraq and in_iraq.earlier == []
    # a figure whose neighbours name no other country keeps the sentence's countries (Manbij, Syria)
    manbij = sentence("ووفقا للمرصد السوري، فإن نحو 350 جنديا من التحالف الذي تقوده الولايات المتحدة يتمركزون في منبج.",
                      0.84, "2018-04-05", doc="manbij")
    assert question_history(QUESTION_AR, [manbij]) is not None


def test_a_figure_a_sentence_asks_about_is_no_sources_figure():
    asked = sentence("هل يبقى 3000 جندي أمريكي في سوريا؟", 0.86, "2025-01-01", doc="asked")
    history = question_history(QUESTION_AR, [asked, *RANKED])
    assert history is not None and asked not in [f.sentence for f in history.figures]
    assert history.lead.mention.value == 900


def test_figures_far_below_the_best_sentence_are_left_out():
    far = sentence("ينتشر 5000 جندي أمريكي في الكويت.", 0.70, "2025-06-01", doc="far")
    history = history_of([*RANKED, far])
    assert history is not None and far not in [f.sentence for f in history.figures]


def test_an_undated_source_never_outranks_a_dated_one():
    history = history_of([UNDATED, NEW])
    assert history is not None and history.lead.sentence is NEW
    alone = history_of([UNDATED])
    assert alone is not None and alone.lead.sentence is UNDATED


def test_the_same_figure_in_another_source_is_not_listed_as_earlier():
    again = sentence("نحو ألفي جندي أمريكي في سوريا.", 0.84, "2018-04-16", doc="again")
    history = history_of([OLD, again, NEW])
    assert history is not None and [f.sentence for f in history.earlier] == [OLD]


def test_a_question_with_its_own_year_is_answered_from_that_year():
    history = history_of(RANKED, "How many US troops were in Syria in 2018?")
    assert history is not None and history.lead.sentence is OLD
    assert NEW not in [f.sentence for f in history.figures]


def test_no_history_without_a_counted_thing_or_its_counts():
    assert history_of(RANKED, "How many people live in Cairo?") is None
    assert history_of([FIGHTERS]) is None
    assert states_count_of(NEW.text, "troops") and not states_count_of(FIGHTERS.text, "troops")


@pytest.mark.parametrize(
    "toll",
    ["لقي 4 مقاتلين روس، على الأقل، مصرعهم في هجوم شرقي سوريا.", "أعلن الجيش مقتل 4 جنود أمريكيين في سوريا.",
     "An attack killed 4 US soldiers in Syria.", "4 US soldiers died in an attack in Syria."],
)
def test_a_death_toll_of_a_group_is_not_a_count_of_it(toll):
    """BBC Arabic, 2018-05-27: "4 Russian fighters were killed" led "how many Russian fighters are in Syria?"."""
    group = "fighters" if "مقاتل" in toll else "troops"
    assert not states_count_of(toll, group) and states_count_of(toll, "dead")
    newer_toll = sentence(toll, 0.86, "2025-06-01", doc="toll")
    question = QUESTION_AR if group == "troops" else "كم عدد المقاتلين في سوريا؟"
    history = history_of([newer_toll, *RANKED], question)
    assert history is not None and newer_toll not in [f.sentence for f in history.figures]


@pytest.mark.parametrize(
    "wounded",
    ["وأسفر الهجوم عن إصابة 20 جنديا أمريكيا في سوريا.", "أصيب 3 جنود أمريكيين بجروح في سوريا.",
     "20 US soldiers were wounded in Syria.", "The blast injured 20 US troops in Syria."],
)
def test_a_count_of_wounded_is_not_a_count_of_the_group(wounded):
    assert not states_count_of(wounded, "troops") and states_count_of(wounded, "wounded")
    newer = sentence(wounded, 0.86, "2025-06-01", doc="wounded")
    history = history_of([newer, *RANKED], QUESTION_AR)
    assert history is not None and history.lead.sentence is NEW


@pytest.mark.parametrize(
    "surveyed",
    ["أجرى مركز كارنيغي سلسلة من اللقاءات، شملت 320 لاجئا سوريا في كل من لبنان والأردن.",
     "A poll of 1,000 Syrian refugees in Jordan found most want to return."],
)
def test_the_people_a_survey_reached_are_not_a_count_of_the_group(surveyed):
    """BBC Arabic, 2018-04-07: 320 interviewed refugees was listed as an earlier figure for Jordan's 650,000."""
    assert not states_count_of(surveyed, "refugees")
    assert states_count_of("ويستضيف الأردن نحو 650 ألف لاجئ سوري.", "refugees")
    assert states_count_of("شملت العملية نحو 5000 جندي.", "troops")  # "included", not a survey


def test_a_count_followed_later_by_wounded_words_still_counts_the_group():
    assert states_count_of("ينتشر 2000 جندي أمريكي في سوريا أصيب منهم 3 في هجوم.", "troops")
    assert asked_source("كم عدد الأصوات التي يحسب لها المرشح؟") == set()  # يحسب is not بحسب


@pytest.mark.parametrize(
    "text",
    ["About 900 US troops, two of whom died in a blast, remain in Syria.",
     "ينتشر نحو 2000 جندي أمريكي في سوريا لقي اثنان منهم مصرعهم."],
)
def test_a_toll_of_some_of_a_group_does_not_make_its_count_a_toll(text):
    """The death words belong to the number before them ("two of whom died"), not to the group's count."""
    assert states_count_of(text, "troops") and states_count_of(text, "dead")


def test_a_count_near_a_word_that_only_starts_like_a_death_word_is_still_a_count():
    assert states_count_of("Some 900 US troops stay in Syria past the deadline.", "troops")
    assert not states_count_of("Some 900 US troops stay in Syria past the deadline.", "dead")


def test_the_first_line_states_the_figure_what_it_counts_and_its_dated_source():
    history = history_of(RANKED)
    assert history is not None
    assert figure_lines(history, "en") == [
        "About 900 troops (Al-Monitor, 2024-09-27) [1].",
        "Earlier: 2,000 (BBC Arabic, 2018-10-11) [2]; about 350 (BBC Arabic, 2018-04-05) [3].",
    ]
    assert figure_lines(history, "ar")[0] == "نحو 900 جندي (Al-Monitor، 2024-09-27) [1]."
    assert figure_lines(history, "ar")[1].startswith("وقبل ذلك: 2,000 (BBC Arabic، 2018-10-11) [2]؛ ")


def test_the_extractive_answer_cites_the_lead_as_1_and_numbers_match_the_first_line():
    history = history_of(RANKED)
    draft = extractive_draft("en", RANKED, max_quotes=3, quantity=True, history=history)
    assert draft.sentences[:3] == [NEW, OLD, OLDER]
    assert draft.text.splitlines()[0] == "About 900 troops (Al-Monitor, 2024-09-27) [1]."
    assert f"«{NEW.text}» (Al-Monitor, 2024-09-27) [1]" in draft.text
    assert f"«{OLD.text}» (BBC Arabic, 2018-10-11) [2]" in draft.text
    points = figure_points(history, draft.sentences, "en")
    assert [(p.value, p.published, p.n) for p in points] == [(350, "2018-04-05", 3), (2000, "2018-10-11", 2),
                                                            (900, "2024-09-27", 1)]
    assert points[-1].to_dict()["source"] == "Al-Monitor" and points[-1].approximate


def test_a_model_answer_must_lead_with_the_newest_figure():
    history = history_of(RANKED)
    assert history is not None
    assert lead_figure_problem(Draft("Some 900 US troops remain [1].", [NEW], "llm"), history) == ""
    stale = lead_figure_problem(Draft("2000 US troops are deployed [1].", [OLD], "llm"), history)
    assert "led with 2000" in stale and "900, Al-Monitor, 2024-09-27" in stale
    assert "no figure" in lead_figure_problem(Draft("Troops remain [1].", [NEW], "llm"), history)


def test_a_checked_model_answer_gets_the_figures_it_did_not_cite():
    history = history_of(RANKED)
    draft = with_figures(Draft("Some 900 US troops remain [1].", [NEW], "llm"), RANKED, "en", 3, history)
    assert draft.sentences == [NEW, OLDER, OLD]  # oldest first after the answer's own
    assert "(BBC Arabic, 2018-10-11) [3]" in draft.text


def test_a_figure_the_sentence_dates_to_an_earlier_year_is_dated_by_that_year():
    as_of_2015 = sentence("وفي عام 2015 كان هناك 50 جنديا أمريكيا في سوريا.", 0.84, "2018-10-12", doc="y2015")
    since_2015 = sentence("ومنذ عام 2015 ينتشر 2000 جندي أمريكي في سوريا.", 0.84, "2018-10-11", doc="since")
    history = history_of([as_of_2015, since_2015])
    assert history is not None
    assert history.lead.sentence is since_2015  # "since 2015" starts a period: dated by its article
    assert [f.when for f in history.figures] == ["2015", "2018-10-11"]
    assert figure_lines(history, "en")[1] == "Earlier: 50 (BBC Arabic, 2018-10-12; figure for 2015) [2]."
    assert figure_points(history, [since_2015, as_of_2015], "en")[0].as_of == "2015"


def test_a_model_answer_stating_the_newest_figure_later_is_reordered_to_lead_with_it():
    history = history_of(RANKED)
    assert history is not None
    draft = Draft("In 2018 there were 2000 US troops [1]. Some 900 remain now [2].", [OLD, NEW], "llm")
    first = lead_first(draft, history)
    assert first.text == "Some 900 remain now [1]. In 2018 there were 2000 US troops [2]."
    assert first.sentences == [NEW, OLD] and lead_figure_problem(first, history) == ""
    assert lead_first(first, history) == first


def test_a_year_in_a_model_answer_is_supported_by_the_date_of_a_source_it_cites():
    draft, reason = check_llm_answer("In 2018 there were 2000 US troops [1].", "en", [OLD])
    assert reason == "" and draft is not None
    draft, reason = check_llm_answer("In 2016 there were 2000 US troops [1].", "en", [OLD])
    assert draft is None and "2016" in reason
