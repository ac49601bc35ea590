"""Interface wording in English and Arabic: the labels of the controls, the cards, the status line and
filter messages, the progress lines of an answer being made, and the names of verdicts and stances.
Plain data and lookups, no Gradio.

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
    "date_from": ("From (YYYY-MM-DD)", "من تاريخ"),
    "date_to": ("To (YYYY-MM-DD)", "إلى تاريخ"),
    "mode": ("Answer mode", "طريقة الإجابة"),
    "mode_info": (
        "a written answer is checked against its sources; quotes only is the fastest",
        "الإجابة المكتوبة يُتحقق منها مقابل مصادرها؛ الاقتباسات وحدها أسرع",
    ),
    "translate": ("English translation of Arabic quotes", "ترجمة إنجليزية للاقتباسات العربية"),
    "translate_info": (
        "machine translation by the LLM, shown beside the original quote",
        "ترجمة آلية بالنموذج اللغوي، تُعرض بجانب الاقتباس الأصلي",
    ),
    "translate_off": (
        "needs the LLM: switch the answer mode to a written answer (LLM)",
        "تحتاج إلى النموذج اللغوي: اختر «إجابة مكتوبة»",
    ),
    "sources": ("### Sources", "### المصادر"),
    "new_chat": ("New conversation", "محادثة جديدة"),
    "figure_chart": ("The figure over time (one point per source)", "الرقم عبر الزمن (نقطة لكل مصدر)"),
    "closest": ("Closest passages — not an answer", "أقرب المقاطع — ليست إجابة"),
    "export": ("Export as Markdown", "تصدير المحادثة (نص ماركداون)"),
    "download": ("Download .md", "تنزيل الملف"),
    "library_search": ("Search title / outlet / URL", "ابحث في العنوان أو المصدر أو الرابط"),
    "refresh": ("Refresh", "تحديث"),
    "upload": (
        "Add articles: {types} (.jsonl.gz), up to {limit} each",
        "أضف مقالات: {types} (.jsonl.gz)، حتى {limit_ar} لكل ملف",
    ),
    "delete_id": ("Article id to delete (click a row to fill it in)", "رقم المقال المراد حذفه (انقر صفا لملئه)"),
    "delete": ("Delete article…", "احذف المقال…"),
    "delete_yes": ("Yes, remove it", "نعم، احذفه"),
    "delete_no": ("Cancel", "إلغاء"),
    "add_url": ("Add a web page (URL)", "أضف صفحة ويب (رابط)"),
    "add_url_button": ("Add page", "أضف الصفحة"),
    "feed_url": ("Follow an RSS/Atom feed (URL)", "تابع خلاصة أخبار (رابط)"),
    "add_feed": ("Follow feed", "تابع الخلاصة"),
    "refresh_feeds": ("Fetch new items", "اجلب الجديد"),
    "claim": ("Claim to check", "الادعاء المراد التحقق منه"),
    "check": ("Check", "تحقق"),
    "claim_outlets": ("Outlets (empty = all)", "المصادر (فارغ = الكل)"),
    "evidence": ("### Evidence", "### الأدلة"),
    "examples": ("Examples", "أمثلة"),
    "placeholder": (
        "How many US troops remain in Syria? · كم عدد الجنود…؟",
        "كم عدد الجنود الأمريكيين الذين بقوا في سوريا؟ · How many US troops…?",
    ),
    "claim_placeholder": (
        "About 900 US troops remain in Syria. · انسحبت القوات…",
        "انسحبت جميع القوات الأمريكية من سوريا. · About 900 US troops…",
    ),
    "mode_llm": ("written answer (LLM)", "إجابة مكتوبة (نموذج لغوي)"),
    "mode_extractive": ("quotes only (extractive)", "اقتباسات فقط"),
    "date_info": (
        "YYYY-MM-DD, e.g. 2018-04-13 · the index covers {span}",
        "اكتب التاريخ هكذا: 2018-04-13 · المقالات المفهرسة من {span}",
    ),
    "technical": ("About / technical details", "حول إسناد / تفاصيل تقنية"),
    "question_count": ("{count} / {limit} characters", "{count} / {limit} حرفا"),
    "too_long": (
        "The question is too long: {count} characters, the limit is {limit}. Shorten it and ask again.",
        "السؤال طويل جدا: {count} حرفا، والحد {limit}. اختصره واسأل من جديد.",
    ),
}

# The citation cards, the figure table, the status line and the library, key -> (English, Arabic).
TEXTS: dict[str, tuple[str, str]] = {
    "verified": ("✓ verified quote", "✓ اقتباس موثق"),
    "not_verified": ("✗ not verified", "✗ غير موثق"),
    "link": ("link", "الرابط"),
    "no_link": ("no link", "بلا رابط"),
    "undated": ("undated", "غير مؤرخ"),
    "copy_cited": ("copy quote", "انسخ الاقتباس مع مصدره"),
    "copy_quote_only": ("copy quote only", "انسخ الاقتباس وحده"),
    "copied": ("copied ✓", "نُسخ ✓"),
    "passage": ("passage", "المقطع"),
    "open_article": ("open article", "افتح المقال"),
    "machine_translation": ("machine translation", "ترجمة آلية"),
    "searched": ("searched: {where}", "نطاق البحث: {where}"),
    "searched_for": ("Searched for:", "بحثنا عن:"),
    "all_outlets": ("all outlets", "كل المصادر"),
    "closest": ("Closest passages — not an answer", "أقرب المقاطع — ليست إجابة"),
    "decisive": ("decided the verdict", "حسمت الحكم"),
    "earlier": ("earlier figure", "رقم أقدم"),
    "headline": ("the article's headline", "عنوان المقال"),
    "figures_title": (
        "The figure over time, one point per source (chart above): {unit}",
        "الرقم عبر الزمن، نقطة لكل مصدر (الرسم أعلاه): {unit}",
    ),
    "figure_date": ("date", "التاريخ"),
    "figure_value": ("figure", "الرقم"),
    "figure_source": ("source", "المصدر"),
    "figure_for": ("figure for {year}", "رقم عام {year}"),
    "published": ("published", "تاريخ النشر"),
    "no_feeds": ("No feeds followed.", "لا خلاصات متابعة."),
    "followed_feeds": ("Followed feeds", "الخلاصات المتابعة"),
    "status": (
        "**{articles} articles** from {outlets} outlets · {span} · answers: {mode}",
        "**{articles} مقالا** من {outlets} مصادر · {span} · الإجابات: {mode}",
    ),
    "status_empty": ("**No articles indexed yet**: add some in the Library tab.",
                     "**لا مقالات مفهرسة بعد**: أضفها من تبويب المكتبة."),
    "span": ("{first} to {last}", "{first} إلى {last}"),
    "no_dates": ("no dated articles", "لا مقالات مؤرخة"),
    "col_id": ("id", "المعرف"),
    "col_title": ("title", "العنوان"),
    "col_outlet": ("outlet", "المصدر"),
    "col_date": ("date", "التاريخ"),
    "col_chunks": ("chunks", "المقاطع"),
    "delete_confirm": (
        "Remove **{title}** ({where}, {chunks} chunks) from the index? It will no longer be searched or cited.",
        "هل تحذف **{title}** ({where}، {chunks} مقاطع) من الفهرس؟ لن يُبحث فيه ولن يُستشهد به بعد ذلك.",
    ),
    "deleted": ("Removed **{title}** ({where}) from the index.", "حُذف **{title}** ({where}) من الفهرس."),
    "no_such_article": ("No article with id **{doc_id}** is indexed.", "لا مقال مفهرسا بالمعرف **{doc_id}**."),
    "ingest_counts": (
        "**added {added} · unchanged {unchanged} · replaced {replaced} · rejected {rejected}** "
        "({chunks} chunks indexed in {seconds} s)",
        "**أُضيف {added} · دون تغيير {unchanged} · استُبدل {replaced} · رُفض {rejected}** "
        "(فُهرس {chunks} مقطعا في {seconds} ث)",
    ),
    "enter_id": ("Click a row of the table (or type an article id) first.",
                 "انقر صفا في الجدول (أو اكتب معرف المقال) أولا."),
}

# What is wrong with the filter fields, key -> (English, Arabic).
FILTER_ERRORS: dict[str, tuple[str, str]] = {
    "not_a_date": (
        "The {field} date {value!r} is not a date: write it as YYYY-MM-DD, e.g. 2018-04-13.",
        "تاريخ «{field}» ({value}) ليس تاريخا: اكتبه هكذا 2018-04-13.",
    ),
    "from": ("from", "من"),
    "to": ("to", "إلى"),
    "reversed": (
        "From ({start}) is after To ({end}): swap the two dates.",
        "تاريخ «من» ({start}) بعد تاريخ «إلى» ({end}): بدّل التاريخين.",
    ),
    "empty_range": (
        "No indexed article{outlets} falls between {start} and {end} (the index covers {span}).",
        "لا مقال مفهرسا{outlets} بين {start} و{end} (المقالات المفهرسة من {span}).",
    ),
    "from_outlets": (" from {outlets}", " من {outlets}"),
}

# The Markdown export, the chart and the claim's technical details: what Isnad's core wrote, worded
# in the interface language (its notices and explanations: assistant/ui/notices.py), key -> (English, Arabic).
CORE_TEXTS: dict[str, tuple[str, str]] = {
    "export_question": ("Q:", "السؤال:"),
    "export_sources": ("Sources", "المصادر"),
    "export_verified": ("verified quote", "اقتباس موثق"),
    "export_not_verified": ("NOT verified", "غير موثق"),
    "export_searched": ("Searched: {where}", "نطاق البحث: {where}"),
    "export_figures": ("The figure over time ({unit})", "الرقم عبر الزمن ({unit})"),
    "technical_details": ("technical details", "تفاصيل تقنية"),
    "stance_model": ("Isnad's stance model: {name}", "نموذج الموقف في إسناد: {name}"),
}


# The upload form (what was detected in the dropped files, the fields a person can edit, what was
# wrong with them), key -> (English, Arabic).
UPLOAD: dict[str, tuple[str, str]] = {
    "title": ("Title", "العنوان"),
    "source": ("Outlet", "المصدر"),
    "published": ("Published date", "تاريخ النشر"),
    "url": ("Link", "الرابط"),
    "keep_info": ("as detected in the file; empty = keep the file's own", "كما في الملف؛ فارغ = يبقى ما في الملف"),
    "date_info": (
        "YYYY-MM-DD (13/04/2018, 13 April 2018 and Arabic-Indic digits are read too); empty = as in the file",
        "مثل 2018-04-13 أو ١٣/٠٤/٢٠١٨ أو ١٣ أبريل ٢٠١٨؛ فارغ = يبقى ما في الملف",
    ),
    "one_info": (
        "several articles: each keeps its own", "عدة مقالات: يبقى لكل منها ما في ملفه",
    ),
    "index": ("Index", "أضف إلى الفهرس"),
    "detected": (
        "**Found in {files} file(s): {articles} article(s).** Check the fields, edit them if needed, then *Index*.",
        "**في {files} ملف: {articles} مقال.** راجع الحقول وعدّلها إن لزم، ثم «أضف إلى الفهرس».",
    ),
    "several": (
        "Several articles: each keeps its own title and link; an outlet or a date typed here applies to all of them.",
        "عدة مقالات: يبقى لكل منها عنوانه ورابطه؛ والمصدر أو التاريخ المكتوب هنا يسري عليها كلها.",
    ),
    "no_outlet": ("no outlet", "بلا مصدر"),
    "more": ("… and {count} more", "… و{count} غيرها"),
    "not_a_date": (
        "The {field} {value!r} is not a date: write it as YYYY-MM-DD, e.g. 2018-04-13. Nothing was indexed.",
        "«{field}» ({value}) ليس تاريخا: اكتبه هكذا 2018-04-13. لم يُفهرس شيء.",
    ),
    "not_a_link": (
        "The {field} {value!r} is not a web address: it must start with http:// or https://. Nothing was indexed.",
        "«{field}» ({value}) ليس عنوان ويب: يجب أن يبدأ بـ http:// أو https://. لم يُفهرس شيء.",
    ),
    "one_article": (
        "A {field} names one article, but these files hold {value} articles: leave it empty (each keeps its own) "
        "or add the files one at a time. Nothing was indexed.",
        "«{field}» يخص مقالا واحدا، وهذه الملفات فيها {value} مقالات: اتركه فارغا (يبقى لكل منها ما في ملفه) "
        "أو أضف الملفات واحدا واحدا. لم يُفهرس شيء.",
    ),
    "kept": (
        "{count} article(s) were already indexed with the same text: their stored title, outlet, date and link "
        "were kept (delete one first to change them).",
        "{count} من المقالات مفهرسة من قبل بالنص نفسه: بقي عنوانها ومصدرها وتاريخها ورابطها كما حُفظت "
        "(احذف المقال أولا لتغييرها).",
    ),
}

# The first run's background ingest of the sample corpus, in the status line, key -> (English, Arabic).
FIRST_RUN: dict[str, tuple[str, str]] = {
    "indexing": (
        "Indexing the sample corpus in the background: **{done} of {total} articles** · {pace}. "
        "Answers meanwhile may miss sources.",
        "تجري فهرسة مجموعة المقالات النموذجية في الخلفية: **{done} من {total} مقالا** · {pace}. "
        "قد تفوت الإجابات بعض المصادر حتى تكتمل.",
    ),
    "estimating": ("estimating the time left", "جارٍ تقدير الوقت المتبقي"),
    "pace": ("{rate} articles/min · about {minutes} min left", "{rate} مقالا في الدقيقة · يتبقى نحو {minutes} دقيقة"),
    "pace_short": ("{rate} articles/min · less than a minute left", "{rate} مقالا في الدقيقة · يتبقى أقل من دقيقة"),
    "stopped": (
        "⚠️ Indexing the sample corpus stopped at **{done} of {total} articles** ({error}). What is indexed can "
        "be searched; restart Isnad to index the rest.",
        "⚠️ توقفت فهرسة مجموعة المقالات النموذجية عند **{done} من {total} مقالا** (بنصه الإنجليزي: {error}). "
        "يمكن البحث فيما فُهرس؛ أعد تشغيل إسناد لفهرسة الباقي.",
    ),
}

PROGRESS: dict[str, tuple[str, str]] = {
    "rewriting": ("Reading the follow-up in the light of the conversation…", "قراءة سؤال المتابعة في ضوء المحادثة…"),
    "searching": ("Searching the indexed sources…", "البحث في المصادر المفهرسة…"),
    "translating": (
        "Reading the evidence again with the question in Arabic…",
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
    "supported": ("supported by the sources", "تدعمه المصادر"),
    "contradicted": ("contradicted by the sources", "تناقضه المصادر"),
    "not_enough_info": ("not enough information", "لا تكفي المعلومات"),
}
STANCES: dict[str, tuple[str, str]] = {
    "supports": ("supports", "يؤيد"),
    "contradicts": ("contradicts", "يناقض"),
    "neutral": ("neutral", "محايد"),
}


def _pick(pair: tuple[str, str], language: str) -> str:
    return pair[1] if is_arabic(language) else pair[0]


def label(key: str, language: str, **values: Any) -> str:
    """The wording of control ``key`` in ``language`` (``"English"``/``"العربية"`` or ``"en"``/``"ar"``)."""
    text = _pick(LABELS[key], language)
    return text.format(**values) if values else text


def text(key: str, language: str, **values: Any) -> str:
    """The wording of ``key`` (a card, the figure table, the status line, the library) in ``language``."""
    words = _pick(TEXTS[key], language)
    return words.format(**values) if values else words


def core_text(key: str, language: str, **values: Any) -> str:
    """The wording of ``key`` (the export, the chart, a claim's technical details) in ``language``."""
    words = _pick(CORE_TEXTS[key], language)
    return words.format(**values) if values else words


def filter_error(key: str, language: str, **values: Any) -> str:
    words = _pick(FILTER_ERRORS[key], language)
    return words.format(**values) if values else words


def upload_text(key: str, language: str, **values: Any) -> str:
    """The wording of the upload form's ``key`` in ``language``."""
    words = _pick(UPLOAD[key], language)
    return words.format(**values) if values else words


def first_run_text(key: str, language: str, **values: Any) -> str:
    """The wording of the first run's ``key`` (the sample corpus indexed in the background) in ``language``."""
    return _pick(FIRST_RUN[key], language).format(**values)


def is_arabic(language: str) -> bool:
    return language in (ARABIC, "ar")


def code(language: str) -> str:
    """"ar" or "en"."""
    return "ar" if is_arabic(language) else "en"


def number(n: int, language: str) -> str:
    """4,012 in English; ٤٬٠١٢ (Arabic-Indic digits) in Arabic."""
    western = f"{n:,}"
    if not is_arabic(language):
        return western
    return western.translate(str.maketrans("0123456789,", "٠١٢٣٤٥٦٧٨٩٬"))


def progress_text(stage: str, language: str, **values: Any) -> str:
    text = _pick(PROGRESS[stage], language)
    return text.format(**values) if values else text


def verdict_name(verdict: str, language: str) -> str:
    return _pick(VERDICTS.get(verdict, (verdict, verdict)), language)


def stance_name(stance: str, language: str) -> str:
    return _pick(STANCES.get(stance, (stance, stance)), language)


def direction(language: str) -> str:
    return "rtl" if is_arabic(language) else "ltr"
