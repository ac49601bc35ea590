"""Answers rendered for people: HTML citation cards (all article text escaped), chat text, ingest
reports and the Markdown export. Pure functions: no Gradio here."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from html import escape
from pathlib import Path

from assistant.answering import Answer
from assistant.evidence import Citation
from ingest.arabic import detect_language
from vectorstore.records import IngestReport, StoredArticle

CARD_CSS = """
.isnad-card { border: 1px solid #d0d7de; border-radius: 8px; padding: 10px 12px; margin: 8px 0; }
.isnad-card .meta { font-size: 0.85em; color: #57606a; }
.isnad-card blockquote.quote { font-size: 1.1em; margin: 6px 0; padding: 4px 10px; border: none;
  border-inline-start: 3px solid #0969da; unicode-bidi: plaintext; }
.isnad-card .passage { font-size: 0.9em; color: #444; unicode-bidi: plaintext; }
.isnad-card mark { background: #fff3b0; }
.isnad-card .actions { font-size: 0.85em; margin-top: 4px; }
.isnad-card .actions details { display: inline-block; margin-inline-start: 12px; }
.isnad-card .actions details[open] { display: block; margin: 6px 0 0 0; }
.isnad-card .actions summary { cursor: pointer; color: #0969da; }
.isnad-card button.copy-quote { border: 1px solid #d0d7de; border-radius: 6px; padding: 1px 8px; background: #f6f8fa;
  cursor: pointer; font-size: 0.95em; }
.isnad-card .article-text { white-space: pre-wrap; max-height: 420px; overflow-y: auto; padding: 8px 10px;
  border: 1px solid #eaeef2; border-radius: 6px; background: #fcfcfd; unicode-bidi: plaintext; line-height: 1.6;
  font-size: 1.1em; }
.isnad-badge-ok { color: #1a7f37; font-weight: 600; }
.isnad-badge-bad { color: #cf222e; font-weight: 600; }
.isnad-notice { background: #fff8c5; border: 1px solid #d4a72c; border-radius: 6px; padding: 6px 10px; margin: 4px 0; }
.isnad-error { background: #ffebe9; border: 1px solid #cf222e; border-radius: 6px; padding: 6px 10px; margin: 4px 0; }
.isnad-searched { font-size: 0.85em; color: #57606a; margin: 4px 0; }
.isnad-searched-for { font-size: 0.9em; margin: 4px 0; unicode-bidi: plaintext; }
#chat .message p, #chat .message li { unicode-bidi: plaintext; text-align: start; }
#library-table [role=gridcell] span { unicode-bidi: plaintext; font-family: var(--font); }
"""

# Every character CommonMark lets a backslash escape, less the ones html.escape already replaced.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~$:])")


def _dir(text: str) -> str:
    return "rtl" if detect_language(text) == "ar" else "ltr"


def escape_markdown(text: str) -> str:
    """Text shown literally by a Markdown renderer: HTML escaped, Markdown punctuation backslashed."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", escape(text, quote=False))


def highlighted_passage(c: Citation) -> str:
    """The passage with the quote marked, every piece escaped."""
    at = c.passage.find(c.quote) if c.quote else -1
    if at < 0:
        return escape(c.passage)
    before, after = c.passage[:at], c.passage[at + len(c.quote) :]
    return f"{escape(before)}<mark>{escape(c.quote)}</mark>{escape(after)}"


def highlighted_article(text: str, quote: str, start: int, end: int) -> str:
    """The whole article, escaped, with the quote marked: at its offsets when they hold it, else
    where it first occurs, else not at all."""
    if not (quote and 0 <= start < end <= len(text) and text[start:end] == quote):
        start = text.find(quote) if quote else -1
        end = start + len(quote)
    if start < 0:
        return escape(text)
    return f'{escape(text[:start])}<mark class="cited">{escape(text[start:end])}</mark>{escape(text[end:])}'


def citation_card(c: Citation, article_text: str | None = None) -> str:
    """One citation: outlet, date, link, the quote (right-to-left when Arabic) with a copy button,
    its passage, and (given ``article_text``) the whole article with the quote highlighted."""
    badge = (
        '<span class="isnad-badge-ok">✓ verified quote</span>'
        if c.verified
        else '<span class="isnad-badge-bad">✗ not verified</span>'
    )
    safe_url = c.url.lower().startswith(("http://", "https://"))
    link = (
        f'<a href="{escape(c.url, quote=True)}" target="_blank" rel="noopener noreferrer">link</a>' if safe_url else ""
    )
    meta = " · ".join(
        f'<span class="{cls}">{escape(x)}</span>' for cls, x in (("outlet", c.source), ("date", c.published[:10])) if x
    )
    stance = f' · <span class="stance">{escape(c.stance)}</span>' if c.stance else ""
    lang = detect_language(c.quote)
    article = ""
    if article_text:
        article = (
            f'<details class="article"><summary>open article</summary><div class="article-text" '
            f'dir="{_dir(article_text)}">{highlighted_article(article_text, c.quote, c.start, c.end)}</div></details>'
        )
    return (
        f'<div class="isnad-card" data-n="{c.n}" data-doc="{escape(c.doc_id)}">'
        f'<div class="meta"><b>[{c.n}]</b> <span class="title" dir="{_dir(c.title)}">{escape(c.title)}</span>'
        f" — {meta} {link} {badge}{stance}</div>"
        f'<blockquote class="quote" dir="{_dir(c.quote)}" lang="{lang}">{escape(c.quote)}</blockquote>'
        f'<div class="actions"><button type="button" class="copy-quote">copy quote</button>'
        f'<details class="passage-box"><summary>passage</summary><p class="passage" dir="{_dir(c.passage)}">'
        f"{highlighted_passage(c)}</p></details>{article}</div></div>"
    )


def answer_html(answer: Answer, articles: Mapping[str, str] | None = None, asked: str | None = None) -> str:
    """The notice banner (if any), what was searched, and one card per citation. ``articles`` maps
    doc ids to full texts for the cards' "open article" panels; ``asked`` is the question as typed,
    when a follow-up was rewritten into ``answer.question`` before searching."""
    texts = articles or {}
    parts = []
    if asked and asked != answer.question:
        parts.append(
            f'<div class="isnad-searched-for">Searched for: <q dir="{_dir(answer.question)}">'
            f"{escape(answer.question)}</q></div>"
        )
    if answer.notice:
        parts.append(f'<div class="isnad-notice" role="status">⚠️ {escape(answer.notice)}</div>')
    if answer.searched:
        parts.append(f'<div class="isnad-searched">searched: {escape(answer.searched)}</div>')
    parts.extend(citation_card(c, texts.get(c.doc_id)) for c in answer.citations)
    return "\n".join(parts)


def error_html(message: str) -> str:
    """A failed question, for the citation panel."""
    return f'<div class="isnad-error" role="alert">⚠️ {escape(message)}</div>'


def answer_chat_markdown(answer: Answer, asked: str | None = None) -> str:
    """The answer for a Markdown chat bubble: its text shown literally (quotes come from articles),
    then the notice and what was searched (and, for a rewritten follow-up, the question searched for)."""
    lines = [escape_markdown(answer.answer).replace("\n", "  \n")]
    if asked and asked != answer.question:
        lines.insert(0, f"_Searched for: {escape_markdown(answer.question)}_")
    if answer.notice:
        lines.append(f"⚠️ _{escape_markdown(answer.notice)}_")
    lines.append(f"_searched: {escape_markdown(answer.searched or 'all outlets')}_")
    return "\n\n".join(lines)


def answer_markdown(answer: Answer) -> str:
    """The answer and its sources, ready to paste into a story draft or a fact-check note."""
    lines = [f"**Q:** {answer.question}", "", answer.answer, ""]
    if answer.notice:
        lines += [f"> {answer.notice}", ""]
    if answer.citations:
        lines.append("**Sources**")
    for c in answer.citations:
        status = "verified quote" if c.verified else "NOT verified"
        where = ", ".join(x for x in (c.source, c.published[:10] or "undated") if x)
        head = f"[{c.n}] {c.title} — {where}"
        lines.append(f"- {head} ({status})" + (f" <{c.url}>" if c.url else ""))
        lines.append(f"  > {c.quote}")
    lines.append(f"\n_Searched: {answer.searched}_")
    return "\n".join(lines)


def library_rows(articles: list[StoredArticle]) -> list[list[str | int]]:
    """Rows for the library table: id, title, outlet, date, chunks (plain text; the table escapes)."""
    return [[a.doc_id, a.title, a.source, a.published[:10], a.chunks] for a in articles]


def _origin_name(origin: str) -> str:
    """``/tmp/gradio/…/feed.jsonl:12`` -> ``feed.jsonl:12``: the file a person uploaded, not our temp path."""
    return Path(origin).name or origin


def ingest_report_markdown(report: IngestReport, refused: Sequence[tuple[str, str]] = ()) -> str:
    """What an upload did, as Markdown: counts, then each rejected file (or line) and why; ``refused``
    names files turned away before loading (name, reason)."""
    rejected = [(_origin_name(r.origin), r.reason) for r in report.rejected] + list(refused)
    lines = [
        f"**added {report.added} · unchanged {report.unchanged} · replaced {report.replaced} · "
        f"rejected {len(rejected)}** ({report.chunks} chunks indexed in {report.seconds:.1f} s)"
    ]
    lines += [f"- ✗ **{escape_markdown(name)}**: {escape_markdown(reason)}" for name, reason in rejected]
    return "\n".join(lines)
