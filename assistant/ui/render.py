"""Answers rendered for people: HTML citation cards (all article text escaped), chat text, ingest
reports and the Markdown export. Pure functions: no Gradio here."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from html import escape
from pathlib import Path

from assistant.answering import Answer
from assistant.claims import ClaimCheck
from assistant.evidence import Citation
from assistant.ui.i18n import ARABIC, stance_name, verdict_name
from assistant.web_library import FeedReport, FollowedFeed
from ingest.arabic import detect_language
from vectorstore.records import IngestReport, StoredArticle

# Runs once when a citation panel mounts (Gradio's js_on_load); handles clicks on every card it will
# ever show: copy the quote, scroll the opened article to the highlighted quote.
CARDS_JS = """
element.addEventListener('click', async (event) => {
  const button = event.target.closest('button.copy-quote');
  if (!button) return;
  const quote = button.closest('.isnad-card')?.querySelector('.quote');
  if (!quote) return;
  try {
    await navigator.clipboard.writeText(quote.textContent);
  } catch (err) {  // no clipboard API (plain http on another host): copy the selection instead
    const range = document.createRange();
    range.selectNodeContents(quote);
    const selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
    document.execCommand('copy');
  }
  button.textContent = 'copied ✓';
  setTimeout(() => { button.textContent = 'copy quote'; }, 1500);
});
element.addEventListener('toggle', (event) => {
  const box = event.target;
  if (box.matches && box.matches('details.article') && box.open) {
    box.querySelector('mark')?.scrollIntoView({block: 'nearest'});
  }
}, true);
"""
# The page chrome follows the interface language (answers and quotes carry their own direction).
LANGUAGE_JS = f"""(language, mode) => {{
  const arabic = language === '{ARABIC}';
  const root = document.querySelector('.gradio-container') || document.body;
  root.setAttribute('dir', arabic ? 'rtl' : 'ltr');
  document.documentElement.setAttribute('lang', arabic ? 'ar' : 'en');
  return [language, mode];
}}"""

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


def citation_card(
    c: Citation, article_text: str | None = None, translation: str | None = None, card_id: str = ""
) -> str:
    """One citation: outlet, date, link, the quote (right-to-left when Arabic) with a copy button,
    its passage, and (given ``article_text``) the whole article with the quote highlighted.
    ``translation`` (a machine translation of the quote) is shown beside the quote, labelled;
    ``card_id`` is the card's HTML id, for links to it (a chart's points)."""
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
    stance = stance_html(c)
    anchor = f' id="{escape(card_id, quote=True)}"' if card_id else ""
    lang = detect_language(c.quote)
    quote = f'<blockquote class="quote" dir="{_dir(c.quote)}" lang="{lang}">{escape(c.quote)}</blockquote>'
    if translation:
        quote = (
            f'<div class="quote-pair">{quote}<div class="translation" dir="ltr" lang="en">'
            f'<span class="mt-label">machine translation</span> {escape(translation)}</div></div>'
        )
    article = ""
    if article_text:
        article = (
            f'<details class="article"><summary>open article</summary><div class="article-text" '
            f'dir="{_dir(article_text)}">{highlighted_article(article_text, c.quote, c.start, c.end)}</div></details>'
        )
    return (
        f'<div class="isnad-card"{anchor} data-n="{c.n}" data-doc="{escape(c.doc_id)}">'
        f'<div class="meta"><b>[{c.n}]</b> <span class="title" dir="{_dir(c.title)}">{escape(c.title)}</span>'
        f" — {meta} {link} {badge}{stance}</div>{quote}"
        f'<div class="actions"><button type="button" class="copy-quote">copy quote</button>'
        f'<details class="passage-box"><summary>passage</summary><p class="passage" dir="{_dir(c.passage)}">'
        f"{highlighted_passage(c)}</p></details>{article}</div></div>"
    )


def answer_html(
    answer: Answer,
    articles: Mapping[str, str] | None = None,
    asked: str | None = None,
    translations: Mapping[str, str] | None = None,
    translation_note: str | None = None,
    card_ids: str = "",
) -> str:
    """The notice banner (if any), what was searched, and one card per citation. ``articles`` maps
    doc ids to full texts for the cards' "open article" panels; ``asked`` is the question as typed,
    when a follow-up was rewritten into ``answer.question`` before searching; ``translations`` maps
    quotes to machine translations shown beside them (``translation_note`` says what failed);
    ``card_ids`` prefixes the cards' HTML ids (``{card_ids}{n}``), none when empty."""
    texts = articles or {}
    english = translations or {}
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
    if translation_note:
        parts.append(f'<div class="isnad-translation-note" role="status">{escape(translation_note)}</div>')
    parts.extend(
        citation_card(c, texts.get(c.doc_id), english.get(c.quote), f"{card_ids}{c.n}" if card_ids else "")
        for c in answer.citations
    )
    return "\n".join(parts)


def stance_html(c: Citation) -> str:
    """A claim-check card's stance (with the stance model's probability), and whether this sentence
    decided the verdict or is an earlier figure; empty for an answer's card."""
    if not c.stance:
        return ""
    names = " · ".join(dict.fromkeys((stance_name(c.stance, "en"), stance_name(c.stance, "ar"))))
    confidence = f" ({c.stance_confidence:.0%})" if c.stance_confidence is not None else ""
    marks = [f'<span class="stance stance-{escape(c.stance)}">{escape(names)}{confidence}</span>']
    if c.decisive:
        marks.append('<span class="decisive">decided the verdict · حسمت الحكم</span>')
    if c.earlier:
        marks.append('<span class="earlier">earlier figure · رقم أقدم</span>')
    return " · " + " · ".join(marks)


def claim_html(check: ClaimCheck, articles: Mapping[str, str] | None = None) -> str:
    """A claim check: the verdict (in English and Arabic), its explanation, the notice, what was
    searched, and the evidence cards, each with its stance."""
    texts = articles or {}
    names = " · ".join(dict.fromkeys((verdict_name(check.verdict, "en"), verdict_name(check.verdict, "ar"))))
    parts = [
        f'<div class="isnad-verdict verdict-{escape(check.verdict)}" data-verdict="{escape(check.verdict)}">'
        f'<div class="verdict-name">{escape(names)}</div>'
        f'<p class="explanation" dir="{_dir(check.explanation)}">{escape(check.explanation)}</p></div>'
    ]
    if check.notice:
        parts.append(f'<div class="isnad-notice" role="status">⚠️ {escape(check.notice)}</div>')
    parts.append(f'<div class="isnad-searched">searched: {escape(check.searched or "all outlets")}</div>')
    parts.extend(citation_card(c, texts.get(c.doc_id)) for c in check.citations)
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
    """``/tmp/gradio/…/feed.jsonl:12`` -> ``feed.jsonl:12``: the file a person uploaded, not our temp
    path; a web address is kept whole."""
    if origin.startswith(("http://", "https://")):
        return origin
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


def followed_feeds_markdown(feeds: Sequence[FollowedFeed]) -> str:
    if not feeds:
        return "_No feeds followed._"
    rows = [
        f"- {escape_markdown(f.title or f.url)} — {escape_markdown(f.url)}"
        + (f" (last fetched {escape_markdown(f.refreshed[:16].replace('T', ' '))} UTC)" if f.refreshed else "")
        for f in feeds
    ]
    return "**Followed feeds**\n" + "\n".join(rows)


def status_markdown(status: Mapping[str, object]) -> str:
    """The status line: what is indexed, and which models and store answer."""
    st = status
    return (
        f"**{st['articles']:,} articles · {st['chunks']:,} chunks indexed** · embeddings: {st['embedding_model']}"
        f" · store: {st['vector_store']} · answers: {st['llm']}"
    )
