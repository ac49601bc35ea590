"""Interface wording in English and Arabic: the labels of the main controls, the progress lines of
an answer being made, and the names of verdicts and stances. Plain data and lookups, no Gradio.

Only the interface is translated; answers keep the language of the question, and quotes are
always shown as published.
"""

from __future__ import annotations

from typing import Any

ENGLISH, ARABIC = "English", "العربية"
LANGUAGES = (ENGLISH, ARABIC)

# key -> (English, Arabic)
LABELS: dict[str, tuple[str, str]] = {
    "title": (
        "# Isnad · إسناد\nAsk in English or Arabic; every answer shows the exact quoted source.",
        "# إسناد · Isnad\nاسأل بالعربية أو بالإنجليزية؛ كل إجابة تعرض مصدرها مقتبسا كما نُشر.",
    ),
    "language": ("Interface language", "لغة الواجهة"),
    "tab_ask": ("Ask", "اسأل"),
    "tab_library": ("Library", "المكتبة"),
    "tab_claim": ("Check a claim", "تحقق من ادعاء"),
    "chat": ("Answer", "الإجابة"),
    "question": ("Question", "السؤال"),
    "ask": ("Ask", "اسأل"),
    "outlets": ("Outlets (empty = all)", "المصادر (فارغ = الكل)"),
    "date_from": ("From (YYYY-MM-DD)", "من تاريخ (YYYY-MM-DD)"),
    "date_to": ("To (YYYY-MM-DD)", "إلى تاريخ (YYYY-MM-DD)"),
    "mode": ("Answer mode", "طريقة الإجابة"),
    "mode_info": (
        "llm: a written answer, checked against its sources; extractive: quotes only",
        "llm: إجابة مكتوبة يُتحقق منها مقابل مصادرها؛ extractive: اقتباسات فقط",
    ),
    "translate": ("English translation of Arabic quotes", "ترجمة إنجليزية للاقتباسات العربية"),
    "translate_info": (
        "machine translation by the LLM, shown beside the original quote",
        "ترجمة آلية بالنموذج اللغوي، تُعرض بجانب الاقتباس الأصلي",
    ),
    "translate_off": (
        "needs the LLM: switch the answer mode to llm",
        "تحتاج إلى النموذج اللغوي: اختر طريقة الإجابة llm",
    ),
    "sources": ("### Sources", "### المصادر"),
    "new_chat": ("New conversation", "محادثة جديدة"),
    "figure_chart": ("The figure over time (one point per source)", "الرقم عبر الزمن (نقطة لكل مصدر)"),
    "closest": ("Closest passages — not an answer", "أقرب المقاطع — ليست إجابة"),
    "export": ("Export as Markdown", "تصدير بصيغة Markdown"),
    "download": ("Download .md", "تنزيل ‎.md"),
    "library_search": ("Search title / outlet / URL", "ابحث في العنوان أو المصدر أو الرابط"),
    "refresh": ("Refresh", "تحديث"),
    "upload": (
        "Add articles: {types} (.jsonl.gz), up to {limit} each",
        "أضف مقالات: {types} (.jsonl.gz)، حتى {limit} لكل ملف",
    ),
    "delete_id": ("Article id to delete (click a row to fill it in)", "رقم المقال المراد حذفه (انقر صفا لملئه)"),
    "delete": ("Delete article", "احذف المقال"),
    "add_url": ("Add a web page (URL)", "أضف صفحة ويب (رابط)"),
    "add_url_button": ("Add page", "أضف الصفحة"),
    "feed_url": ("Follow an RSS/Atom feed (URL)", "تابع خلاصة RSS/Atom (رابط)"),
    "add_feed": ("Follow feed", "تابع الخلاصة"),
    "refresh_feeds": ("Fetch new items", "اجلب الجديد"),
    "claim": ("Claim to check", "الادعاء المراد التحقق منه"),
    "check": ("Check", "تحقق"),
    "claim_outlets": ("Outlets (empty = all)", "المصادر (فارغ = الكل)"),
    "evidence": ("### Evidence", "### الأدلة"),
}

PROGRESS: dict[str, tuple[str, str]] = {
    "rewriting": ("Reading the follow-up in the light of the conversation…", "قراءة سؤال المتابعة في ضوء المحادثة…"),
    "searching": ("Searching the indexed sources…", "البحث في المصادر المفهرسة…"),
    "translating": (
        "Searching the indexed sources (also with the question in Arabic)…",
        "البحث في المصادر المفهرسة…",
    ),
    "found": (
        "{passages} passages found in {articles} articles; ranking the evidence…",
        "عُثر على {passages} مقطعا في {articles} مقالا؛ ترتيب الأدلة…",
    ),
    "drafting": ("Drafting an answer with the LLM…", "صياغة إجابة بالنموذج اللغوي…"),
    "judging": ("Weighing the evidence…", "موازنة الأدلة…"),
    "draft": (
        "Unchecked draft, being checked against its sources (not the answer)",
        "مسودة لم يُتحقق منها بعد، تُراجع مقابل مصادرها (ليست الإجابة)",
    ),
    "quotes": ("Translating the Arabic quotes (machine translation)…", "ترجمة الاقتباسات العربية (ترجمة آلية)…"),
    "elapsed": ("{seconds} s", "{seconds} ث"),
}

VERDICTS: dict[str, tuple[str, str]] = {
    "supported": ("Supported", "صحيح"),
    "contradicted": ("Contradicted", "غير صحيح"),
    "not_enough_info": ("Not enough information", "لا تكفي المعلومات"),
}
STANCES: dict[str, tuple[str, str]] = {
    "supports": ("supports", "يؤيد"),
    "contradicts": ("contradicts", "يناقض"),
    "neutral": ("neutral", "محايد"),
}


def _pick(pair: tuple[str, str], language: str) -> str:
    return pair[1] if language in (ARABIC, "ar") else pair[0]


def label(key: str, language: str, **values: Any) -> str:
    """The wording of control ``key`` in ``language`` (``"English"``/``"العربية"`` or ``"en"``/``"ar"``)."""
    text = _pick(LABELS[key], language)
    return text.format(**values) if values else text


def progress_text(stage: str, language: str, **values: Any) -> str:
    text = _pick(PROGRESS[stage], language)
    return text.format(**values) if values else text


def verdict_name(verdict: str, language: str) -> str:
    return _pick(VERDICTS.get(verdict, (verdict, verdict)), language)


def stance_name(stance: str, language: str) -> str:
    return _pick(STANCES.get(stance, (stance, stance)), language)


def direction(language: str) -> str:
    return "rtl" if language in (ARABIC, "ar") else "ltr"
