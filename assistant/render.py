"""Answers rendered for people: HTML citation cards (all article text escaped) and Markdown export."""

from __future__ import annotations

from html import escape

from assistant.answering import Answer
from assistant.evidence import Citation
from ingest.arabic import detect_language

CARD_CSS = """
.isnad-card { border: 1px solid #d0d7de; border-radius: 8px; padding: 10px 12px; margin: 8px 0; }
.isnad-card .meta { font-size: 0.85em; color: #57606a; }
.isnad-card .quote { font-size: 1.1em; margin: 6px 0; padding: 4px 10px; border-inline-start: 3px solid #0969da;
  unicode-bidi: plaintext; }
.isnad-card .passage { font-size: 0.9em; color: #444; unicode-bidi: plaintext; }
.isnad-card mark { background: #fff3b0; }
.isnad-badge-ok { color: #1a7f37; font-weight: 600; }
.isnad-badge-bad { color: #cf222e; font-weight: 600; }
.isnad-notice { background: #fff8c5; border: 1px solid #d4a72c; border-radius: 6px; padding: 6px 10px; }
"""


def _dir(text: str) -> str:
    return "rtl" if detect_language(text) == "ar" else "ltr"


def highlighted_passage(c: Citation) -> str:
    """The passage with the quote marked, every piece escaped."""
    at = c.passage.find(c.quote) if c.quote else -1
    if at < 0:
        return escape(c.passage)
    before, after = c.passage[:at], c.passage[at + len(c.quote) :]
    return f"{escape(before)}<mark>{escape(c.quote)}</mark>{escape(after)}"


def citation_card(c: Citation) -> str:
    badge = (
        '<span class="isnad-badge-ok">✓ verified quote</span>'
        if c.verified
        else '<span class="isnad-badge-bad">✗ not verified</span>'
    )
    safe_url = c.url.lower().startswith(("http://", "https://"))
    link = (
        f'<a href="{escape(c.url, quote=True)}" target="_blank" rel="noopener noreferrer">link</a>' if safe_url else ""
    )
    meta = " · ".join(escape(x) for x in (c.source, c.published[:10]) if x)
    stance = f' · <span class="stance">{escape(c.stance)}</span>' if c.stance else ""
    lang = detect_language(c.quote)
    return (
        f'<div class="isnad-card" data-n="{c.n}" data-doc="{escape(c.doc_id)}">'
        f'<div class="meta"><b>[{c.n}]</b> <span class="title" dir="{_dir(c.title)}">{escape(c.title)}</span>'
        f" — {meta} {link} {badge}{stance}</div>"
        f'<blockquote class="quote" dir="{_dir(c.quote)}" lang="{lang}">{escape(c.quote)}</blockquote>'
        f'<details><summary>passage</summary><p class="passage" dir="{_dir(c.passage)}">'
        f"{highlighted_passage(c)}</p></details></div>"
    )


def answer_html(answer: Answer) -> str:
    parts = []
    if answer.notice:
        parts.append(f'<div class="isnad-notice">{escape(answer.notice)}</div>')
    parts.extend(citation_card(c) for c in answer.citations)
    return "\n".join(parts)


def answer_markdown(answer: Answer) -> str:
    """The answer and its sources, ready to paste into a story draft or a fact-check note."""
    lines = [f"**Q:** {answer.question}", "", answer.answer, ""]
    if answer.notice:
        lines += [f"> {answer.notice}", ""]
    if answer.citations:
        lines.append("**Sources**")
    for c in answer.citations:
        status = "verified quote" if c.verified else "NOT verified"
        head = f"[{c.n}] {c.title} — {c.source}, {c.published[:10] or 'undated'}"
        lines.append(f"- {head} ({status})" + (f" <{c.url}>" if c.url else ""))
        lines.append(f"  > {c.quote}")
    lines.append(f"\n_Searched: {answer.searched}_")
    return "\n".join(lines)
