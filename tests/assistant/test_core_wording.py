"""What the core writes for people, worded in the interface language (issue 13, part 3): notices keep
their English text for the CLI and JSON and are worded in Arabic from their code; a claim's explanation
is worded again in either language; the Markdown export and the figure table speak Arabic. Pure logic
over hand-made answers and evidence (the real path is tests/browser/test_newsroom.py)."""

from __future__ import annotations

import copy
import json
import pickle
import re

import pytest
from test_chat_ui import citation, troops_answer
from test_claims import BBC_2000, SEED_900, sentence

from assistant.answering import Draft, check_llm_answer, lead_figure_problem
from assistant.claims import ClaimCheck, Explanation, verdict_from_evidence
from assistant.figure_history import figure_history, relevant_figures
from assistant.notices import NOTICES, Notice, joined
from assistant.ui.chat import Turn, conversation_markdown
from assistant.ui.figures_chart import chart_frame, charted, figures_markdown
from assistant.ui.notices import ARABIC_NOTICES, explanation_text, notice_text
from assistant.ui.render import answer_chat_markdown, answer_html, claim_html
from vectorstore.records import SearchFilter

pytestmark = pytest.mark.unit
ARABIC = "العربية"
LATIN_WORD = re.compile(r"[A-Za-z]{2,}")


def english_left(text: str, *allowed: str) -> list[str]:
    """Latin-letter words of ``text`` once the ``allowed`` names (outlets, URLs) are taken out."""
    for name in allowed:
        text = text.replace(name, " ")
    return LATIN_WORD.findall(text)


def test_every_notice_has_an_arabic_wording_with_the_same_parameters():
    assert set(ARABIC_NOTICES) == set(NOTICES)
    for code, english in NOTICES.items():
        fields = lambda template: set(re.findall(r"{(\w+)", template))  # noqa: E731
        assert fields(ARABIC_NOTICES[code]) == fields(english), code


def test_a_notice_is_its_english_text_everywhere_a_string_was_and_keeps_its_code_through_copies():
    reason = Notice("unsupported_figures", figures="42")
    notice = Notice("answer_fallback", reason=reason)
    assert notice == "Showing quoted evidence instead of a generated answer: the model stated 42, which its " \
                     "cited evidence does not contain."
    assert json.dumps({"notice": notice}) == json.dumps({"notice": str(notice)})
    for copied in (copy.deepcopy(notice), pickle.loads(pickle.dumps(notice))):  # Gradio's state copies it
        assert copied == notice and copied.code == "answer_fallback" and copied.params["reason"].code == reason.code
    assert joined(None, reason) is reason and joined(reason, None) is reason and joined(None, None) is None


def test_a_fallback_notice_is_worded_in_arabic_and_an_error_is_quoted_after_an_arabic_lead_in():
    _, reason = check_llm_answer("About 42 US troops remain in Syria [1].", "en", [sentence(SEED_900)])
    arabic = notice_text(Notice("answer_fallback", reason=reason), ARABIC)
    assert "42" in arabic and not english_left(arabic), arabic
    down = notice_text(Notice("answer_fallback", reason=Notice("llm_unavailable", error="Connection refused")), "ar")
    assert down.startswith("تُعرض الأدلة المقتبسة") and "بنصه الإنجليزي: Connection refused" in down
    assert notice_text("a note from elsewhere", ARABIC) == "بنصه الإنجليزي: a note from elsewhere"
    assert notice_text(reason, "English") == reason  # English: as the CLI prints it


def test_a_stale_lead_notice_is_worded_in_arabic():
    old, new = sentence(BBC_2000, 0.92, "2018-04-05", "BBC Arabic"), sentence(SEED_900, 0.9, "2024-09-27")
    history = figure_history(relevant_figures("How many US troops remain in Syria?", [old, new]), 0.92)
    assert history is not None
    problem = lead_figure_problem(Draft("About 2000 US troops remain [1].", [old], "llm"), history)
    assert problem.startswith("the model led with 2000")
    arabic = notice_text(problem, ARABIC)
    assert "2000" in arabic and "900" in arabic and not english_left(arabic, "Al-Monitor"), arabic


def claim_check(claim: str, language: str) -> ClaimCheck:
    old = sentence(BBC_2000, 0.92, "2018-04-05", "BBC Arabic")
    new = sentence(SEED_900, 0.88, "2024-09-27", "Al-Monitor")
    draft = verdict_from_evidence(claim, language, [old, new], [("neutral", 0.8), ("supports", 0.7)], "stance-v9")
    cited = [citation(1, BBC_2000, "BBC Arabic", "2018-04-05"), citation(2, SEED_900, "Al-Monitor", "2024-09-27")]
    return ClaimCheck(claim, language, "extractive", draft.verdict, draft.explanation, cited,
                      notice=Notice("no_stance_model", error="no file"), searched="all outlets")


def test_a_claims_explanation_is_worded_in_the_interface_language_and_names_the_model_only_in_details():
    check = claim_check("About 900 US troops are deployed in northeast Syria.", "en")
    assert isinstance(check.explanation, Explanation)
    assert "Supported by [2]" in check.explanation and "(stance-v9)" in check.explanation  # the CLI's text
    arabic = explanation_text(check.explanation, ARABIC)
    assert arabic.startswith("تؤيده الأدلة [2]") and "أرقام أقدم" in arabic and "BBC Arabic، 2018-04-05" in arabic
    assert not english_left(arabic, "BBC Arabic"), arabic
    english = explanation_text(check.explanation, "English")
    assert english.startswith("Supported by [2]") and "stance-v9" not in english
    html = claim_html(check, language=ARABIC)
    shown = re.sub(r"<[^>]+>", " ", html.split('<details class="isnad-technical">')[0])
    assert "تدعمه المصادر" in shown and not english_left(shown, "BBC Arabic", "Al-Monitor"), shown
    assert '<details class="isnad-technical"><summary>تفاصيل تقنية</summary>' in html and "stance-v9" in html
    assert "نموذج الموقف غير متاح" in html  # the notice, in Arabic
    assert copy.deepcopy(check.explanation).worded("ar") == Explanation("en", check.explanation.parts).worded("ar")


def test_an_arabic_claims_explanation_is_worded_in_english_for_the_english_interface():
    check = claim_check("ينتشر نحو 900 جندي أمريكي في شمال شرق سوريا.", "ar")
    assert check.explanation.startswith("تؤيده الأدلة [2]")  # the CLI: the claim's language
    english = explanation_text(check.explanation, "English")
    assert english.startswith("Supported by [2]. [2] decides it: its figure") and not re.search("[ء-ي]", english)


def test_the_export_and_the_figure_table_are_worded_in_arabic():
    answer = troops_answer(notice=Notice("answer_fallback", reason=Notice("wrong_language")))
    answer.citations.append(citation(3, "نص بلا تاريخ", "Upload", ""))
    turn = Turn(1, answer.question, answer, done=True, flt=SearchFilter())  # all outlets, as the Ask tab sets it
    md = conversation_markdown([turn], ARABIC)
    labels = re.sub(r"«[^»]*»|^ *> (?!تُعرض).*$|https?://\S+|title \d", " ", md, flags=re.M)  # article text
    left = english_left(labels, answer.question, "Al-Monitor", "BBC Arabic", "Upload")
    assert not left, (left, md)
    assert "**المصادر**" in md and "اقتباس موثق" in md and "غير مؤرخ" in md and "نطاق البحث: كل المصادر" in md
    assert "**الرقم عبر الزمن (جندي)**" in md and "| التاريخ | الرقم | المصدر |" in md and "≈ 900 جندي" in md
    assert "> تُعرض الأدلة المقتبسة بدل إجابة مكتوبة: لم يُجب النموذج بلغة السؤال." in md
    english = conversation_markdown([turn])
    assert "**Sources**" in english and "| date | figure | source |" in english and "_Searched: all outlets_" in english
    frame = chart_frame(charted(answer), ARABIC)
    assert list(frame["figure"]) == ["[2] BBC Arabic، 2018-10-11: 2,000 جندي", "[1] Al-Monitor، 2024-09-27: ≈ 900 جندي"]
    assert "troops" in figures_markdown(charted(answer))  # English stays English


def test_the_answers_notice_is_worded_in_the_interface_language_in_the_panel_and_the_chat():
    answer = troops_answer(notice=Notice("answer_fallback", reason=Notice("cited_nothing")))
    panel = answer_html(answer, language="ar")
    assert "تُعرض الأدلة المقتبسة بدل إجابة مكتوبة: لم تستشهد إجابة النموذج بأي دليل." in panel
    assert "Showing quoted evidence" in answer_html(answer, language="en")
    assert "لم تستشهد إجابة النموذج" in answer_chat_markdown(answer, language=ARABIC)


def test_a_quote_translation_note_is_worded_in_the_interface_language():
    note = Notice("translation_unavailable", error="LLMUnavailableError")
    assert note == "machine translation unavailable: the LLM did not answer (LLMUnavailableError)"
    arabic = answer_html(troops_answer(), translation_note=note, language="ar")
    assert "الترجمة الآلية غير متاحة: لم يُجب النموذج اللغوي (بنصه الإنجليزي: LLMUnavailableError)" in arabic
    assert "بعض الاقتباسات بلا ترجمة آلية" in notice_text(Notice("translation_unusable"), ARABIC)
