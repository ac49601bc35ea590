"""Answers rendered for people in the interface language: answer and claim panels (their cards are
in cards.py; all article text escaped), chat text, ingest reports and the Markdown export. Pure
functions: no Gradio here."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from html import escape
from pathlib import Path

from assistant.answering import Answer
from assistant.claims import ClaimCheck
from assistant.evidence import Citation
from assistant.ui.cards import citation_card, text_dir
from assistant.ui.i18n import core_text, is_arabic, text, verdict_name
from assistant.ui.notices import explanation_text, notice_text
from assistant.web_library import FeedReport, FollowedFeed
from vectorstore.records import IngestReport, StoredArticle

# Every character CommonMark lets a backslash escape, less the ones html.escape already replaced.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~$:])")


def escape_markdown(text: str) -> str:
    """Text shown literally by a Markdown renderer: HTML escaped, Markdown punctuation backslashed."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", escape(text, quote=False))


def searched_html(where: str, language: str) -> str:
    """What was searched (the outlets and dates), in the interface language."""
    return f'<div class="isnad-searched">{escape(text("searched", language, where=where))}</div>'


def answer_html(
    answer: Answer,
    articles: Mapping[str, str] | None = None,
    asked: str | None = None,
    translations: Mapping[str, str] | None = None,
    translation_note: str | None = None,
    card_ids: str = "",
    language: str = "en",
    searched: str | None = None,
) -> str:
    """The notice banner (if any), what was searched, and one card per citation, worded in
    ``language``. ``articles`` maps doc ids to full texts for the cards' "open article" panels;
    ``asked`` is the question as typed, when a follow-up was rewritten into ``answer.question``
    before searching; ``translations`` maps quotes to machine translations shown beside them
    (``translation_note`` says what failed); ``card_ids`` prefixes the cards' HTML ids
    (``{card_ids}{n}``), none when empty; ``searched`` says what was searched in ``language``
    (the answer's own description when None)."""
    texts = articles or {}
    english = translations or {}
    parts = []
    if asked and asked != answer.question:
        parts.append(
            f'<div class="isnad-searched-for">{escape(text("searched_for", language))} '
            f'<q dir="{text_dir(answer.question)}">{escape(answer.question)}</q></div>'
        )
    if answer.notice:
        parts.append(notice_html(answer.notice, language))
    where = searched if searched is not None else answer.searched
    if where:
        parts.append(searched_html(where, language))
    if translation_note:
        note = escape(notice_text(translation_note, language))
        parts.append(f'<div class="isnad-translation-note" role="status">{note}</div>')
    parts.extend(
        citation_card(c, texts.get(c.doc_id), english.get(c.quote), f"{card_ids}{c.n}" if card_ids else "", language)
        for c in answer.citations
    )
    return "\n".join(parts)


def claim_html(
    check: ClaimCheck, articles: Mapping[str, str] | None = None, language: str = "en", searched: str | None = None
) -> str:
    """A claim check, worded in ``language``: the verdict (what the sources say, never "true" or
    "false"), its explanation, the notice, what was searched, and the evidence cards, each with its stance."""
    texts = articles or {}
    explanation = explanation_text(check.explanation, language)
    parts = [
        f'<div class="isnad-verdict verdict-{escape(check.verdict)}" data-verdict="{escape(check.verdict)}">'
        f'<div class="verdict-name">{escape(verdict_name(check.verdict, language))}</div>'
        f'<p class="explanation" dir="{text_dir(explanation)}">{escape(explanation)}</p>'
        f"{technical_html(check, language)}</div>"
    ]
    if check.notice:
        parts.append(notice_html(check.notice, language))
    parts.append(searched_html(searched or check.searched or text("all_outlets", language), language))
    parts.extend(citation_card(c, texts.get(c.doc_id), language=language) for c in check.citations)
    return "\n".join(parts)


def progress_html(lines: Sequence[str]) -> str:
    """The steps of an answer being made, for the citation panel (the last one is under way)."""
    last = len(lines) - 1
    items = "".join(f'<li class="{"current" if i == last else "done"}">{escape(x)}</li>' for i, x in enumerate(lines))
    return f'<div class="isnad-progress" role="status"><ol>{items}</ol></div>'


def progress_chat_markdown(line: str, draft: str = "", draft_label: str = "") -> str:
    """A chat bubble for an answer under way: the current step, and the model's unchecked draft
    so far, labelled as such and set apart as a quotation."""
    text = f"⏳ _{escape_markdown(line)}_"
    if draft.strip():
        quoted = "\n".join(f"> {escape_markdown(row)}" for row in draft.strip().splitlines())
        text += f"\n\n> **{escape_markdown(draft_label)}:**\n>\n{quoted}"
    return text


def error_html(message: str) -> str:
    """A failed question, for the citation panel."""
    return f'<div class="isnad-error" role="alert">⚠️ {escape(message)}</div>'


def answer_chat_markdown(
    answer: Answer, asked: str | None = None, language: str = "en", searched: str | None = None
) -> str:
    """The answer for a Markdown chat bubble: its text shown literally (quotes come from articles),
    then the notice and what was searched (and, for a rewritten follow-up, the question searched for)."""
    lines = [escape_markdown(answer.answer).replace("\n", "  \n")]
    if asked and asked != answer.question:
        lines.insert(0, f"_{escape_markdown(text('searched_for', language))} {escape_markdown(answer.question)}_")
    if answer.notice:
        lines.append(f"⚠️ _{escape_markdown(notice_text(answer.notice, language))}_")
    where = searched or answer.searched or text("all_outlets", language)
    lines.append(f"_{escape_markdown(text('searched', language, where=where))}_")
    return "\n\n".join(lines)


def notice_html(notice: str, language: str) -> str:
    """A notice of the core (why a model's answer or verdict was not used), worded in ``language``."""
    return f'<div class="isnad-notice" role="status">⚠️ {escape(notice_text(notice, language))}</div>'


def technical_html(check: ClaimCheck, language: str) -> str:
    """The stance model a verdict used, named under "technical details" (closed); empty when none was."""
    models = [values["model"] for kind, values in getattr(check.explanation, "parts", ()) if kind == "by_model"]
    if not models or not models[0]:
        return ""
    named = escape(core_text("stance_model", language, name=models[0]))
    return (f'<details class="isnad-technical"><summary>{escape(core_text("technical_details", language))}</summary>'
            f'<div class="technical-text" dir="auto">{named}</div></details>')


def source_line(c: Citation, language: str = "en") -> str:
    """'[2] title — outlet, date' (or "undated"), for the export."""
    comma = "، " if is_arabic(language) else ", "
    where = comma.join(x for x in (c.source, c.published[:10] or text("undated", language)) if x)
    return f"[{c.n}] {c.title} — {where}"


def answer_markdown(answer: Answer, language: str = "en", searched: str | None = None) -> str:
    """The answer and its sources, worded in ``language``, ready to paste into a story draft or a
    fact-check note; ``searched`` says what was searched (the answer's own description when None)."""
    lines = [f"**{core_text('export_question', language)}** {answer.question}", "", answer.answer, ""]
    if answer.notice:
        lines += [f"> {notice_text(answer.notice, language)}", ""]
    if answer.citations:
        lines.append(f"**{core_text('export_sources', language)}**")
    for c in answer.citations:
        status = core_text("export_verified" if c.verified else "export_not_verified", language)
        lines.append(f"- {source_line(c, language)} ({status})" + (f" <{c.url}>" if c.url else ""))
        lines.append(f"  > {c.quote}")
    where = searched if searched is not None else answer.searched
    lines.append(f"\n_{core_text('export_searched', language, where=where)}_")
    return "\n".join(lines)


LIBRARY_COLUMNS = ("col_id", "col_title", "col_outlet", "col_date", "col_chunks")


def library_headers(language: str) -> list[str]:
    return [text(key, language) for key in LIBRARY_COLUMNS]


def library_rows(articles: list[StoredArticle]) -> list[list[str | int]]:
    """Rows for the library table: id, title, outlet, date, chunks (plain text; the table escapes)."""
    return [[a.doc_id, a.title, a.source, a.published[:10], a.chunks] for a in articles]


def _origin_name(origin: str) -> str:
    """``/tmp/gradio/…/feed.jsonl:12`` -> ``feed.jsonl:12``: the file a person uploaded, not our temp
    path; a web address is kept whole."""
    if origin.startswith(("http://", "https://")):
        return origin
    return Path(origin).name or origin


def ingest_report_markdown(report: IngestReport, refused: Sequence[tuple[str, str]] = (), language: str = "en") -> str:
    """What an upload did, as Markdown in ``language``: counts, then each rejected file (or line) and
    why; ``refused`` names files turned away before loading (name, reason)."""
    rejected = [(_origin_name(r.origin), r.reason) for r in report.rejected] + list(refused)
    counts = {"added": report.added, "unchanged": report.unchanged, "replaced": report.replaced,
              "rejected": len(rejected), "chunks": report.chunks, "seconds": f"{report.seconds:.1f}"}
    lines = [text("ingest_counts", language, **counts)]
    lines += [f"- ✗ **{escape_markdown(name)}**: {escape_markdown(reason)}" for name, reason in rejected]
    return "\n".join(lines)


def feed_reports_markdown(reports: Sequence[FeedReport]) -> str:
    """What adding or refreshing feeds did: per feed, new items, items indexed from their summary
    (and why their page was not used), rejected items, or why the feed could not be read."""
    if not reports:
        return "No feeds are followed yet: add one above."
    blocks = []
    for r in reports:
        name = f"**{escape_markdown(r.title or r.url)}** ({escape_markdown(r.url)})"
        if r.error:
            blocks.append(f"- ✗ {name}: {escape_markdown(r.error)}")
            continue
        rows = [
            f"- {name}: **{r.new_items} new** · unchanged {r.ingest.unchanged} · rejected {len(r.ingest.rejected)}"
            f" ({r.ingest.chunks} chunks indexed in {r.ingest.seconds:.1f} s)"
        ]
        rows += [f"  - ↳ indexed the feed's summary of {escape_markdown(link)}: {escape_markdown(why)}"
                 for link, why in r.from_summary]
        rows += [f"  - ✗ {escape_markdown(x.origin)}: {escape_markdown(x.reason)}" for x in r.ingest.rejected]
        blocks.append("\n".join(rows))
    return "\n".join(blocks)


def followed_feeds_markdown(feeds: Sequence[FollowedFeed], language: str = "en") -> str:
    if not feeds:
        return f"_{text('no_feeds', language)}_"
    rows = [
        f"- {escape_markdown(f.title or f.url)} — {escape_markdown(f.url)}"
        + (f" (last fetched {escape_markdown(f.refreshed[:16].replace('T', ' '))} UTC)" if f.refreshed else "")
        for f in feeds
    ]
    return f"**{text('followed_feeds', language)}**\n" + "\n".join(rows)
