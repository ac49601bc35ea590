"""What the core wrote for people, worded in the interface language: its notices (why a model's answer or
verdict was not used) and a claim's explanation. Text from elsewhere (an error's own words) is kept as
written, after an Arabic lead-in. No Gradio here."""

from __future__ import annotations

from assistant.claims import Explanation
from assistant.notices import Notice
from assistant.ui.i18n import code, is_arabic, number

# code -> Arabic wording, for every code of assistant.notices.NOTICES.
ARABIC_NOTICES: dict[str, str] = {
    "answer_fallback": "تُعرض الأدلة المقتبسة بدل إجابة مكتوبة: {reason}.",
    "llm_unavailable": "النموذج اللغوي غير متاح ({error})",
    "empty_answer": "أعاد النموذج إجابة فارغة",
    "found_nothing": "لم يجد النموذج إجابة في الأدلة",
    "cited_nothing": "لم تستشهد إجابة النموذج بأي دليل",
    "cited_missing": "استشهد النموذج بدليل غير موجود",
    "unsupported_figures": "ذكر النموذج {figures}، ولا ترد في الأدلة التي استشهد بها",
    "figures_of_another": "ذكر النموذج {figures}، والأدلة التي استشهد بها تذكرها عن أمر آخر",
    "wrong_language": "لم يُجب النموذج بلغة السؤال",
    "stale_lead": "بدأ النموذج بالرقم {said}، لا برقم أحدث مصدر ({figure}، {source})",
    "stale_lead_none": "لم يبدأ النموذج برقم أحدث مصدر ({figure}، {source})",
    "claim_fallback": "يُعرض حكم الأرقام والمواقف بدل حكم النموذج اللغوي: {reason}.",
    "no_stance_model": "نموذج الموقف غير متاح ({error})؛ الحكم مبني على أرقام الجمل وصياغتها.",
    "verdict_cut_off": "انقطع حكم النموذج عند حد الرموز",
    "verdict_not_json": "لم يكن حكم النموذج بصيغة JSON صحيحة",
    "verdict_unknown": "أعطى النموذج حكما غير معروف ({verdict})",
    "verdict_without_evidence": "لم يستشهد حكم النموذج بأي دليل عليه",
    "verdict_disagrees": "يخالف حكم النموذج ({verdict}) أرقام أفضل الأدلة وموقفها ({base})",
    "reading_disagrees": "تخالف قراءة النموذج للدليل [{n}] أرقامه أو موقفه",
    "translation_unavailable": "الترجمة الآلية غير متاحة: لم يُجب النموذج اللغوي ({error})",
    "translation_unusable": "بعض الاقتباسات بلا ترجمة آلية: لم يكن ناتج النموذج ترجمة صالحة",
    "sample_indexing": "ما زالت فهرسة مجموعة المقالات النموذجية جارية ({done} من {total} مقالا): قد تفوت هذه "
    "الإجابة بعض المصادر.",
    "sample_incomplete": "توقفت فهرسة مجموعة المقالات النموذجية عند {done} من {total} مقالا: قد تفوت هذه الإجابة "
    "بعض المصادر.",
    "both": "{first} {second}",
}
VERDICT_NAMES = {"supported": "تدعمه المصادر", "contradicted": "تناقضه المصادر", "not_enough_info": "لا تكفي المعلومات"}
QUOTED = "بنصه الإنجليزي: "  # before text Isnad did not write (an error's own words)


def notice_text(notice: str, language: str) -> str:
    """``notice`` in ``language``: a Notice worded from its code and parameters (each worded in turn),
    other text as written (after a lead-in, in Arabic)."""
    if not is_arabic(language):
        return str(notice)
    if not isinstance(notice, Notice):
        return f"{QUOTED}{notice}"
    values = {name: _value(name, value) for name, value in notice.params.items()}
    return ARABIC_NOTICES[notice.code].format(**values)


def _value(name: str, value: object) -> str:
    if isinstance(value, Notice):
        return notice_text(value, "ar")
    if name in ("verdict", "base"):
        return VERDICT_NAMES.get(str(value), str(value))
    if name == "error":
        return f"{QUOTED}{value}"
    if name in ("done", "total") and isinstance(value, int):
        return number(value, "ar")
    return str(value)


def explanation_text(explanation: str, language: str) -> str:
    """A claim's explanation in the interface ``language`` (without the stance model's name, which the
    technical details give); as written when it cannot be worded again."""
    if isinstance(explanation, Explanation):
        return explanation.worded(code(language), name_model=False)
    return explanation
