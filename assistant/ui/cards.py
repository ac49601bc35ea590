"""Citation cards in the interface language: the source (outlet, date or "undated", link or "no link",
a short title), the quote with its copy actions, the passage and the whole article. No Gradio here."""

from __future__ import annotations

from html import escape

from assistant.evidence import Citation
from assistant.ui.i18n import stance_name, text
from ingest.arabic import detect_language

TITLE_CHARS = 80  # a longer title (an untitled article's first sentence) is cut to its first words

# Runs once when a citation panel mounts (Gradio's js_on_load); handles clicks on every card it will
# ever show: copy the quote with its source (or alone), scroll the opened article to the quote.
CARDS_JS = """
element.addEventListener('click', async (event) => {
  const button = event.target.closest('button.copy-quote, button.copy-quote-only');
  if (!button) return;
  const copy = button.dataset.copy || '';
  try {
    await navigator.clipboard.writeText(copy);
  } catch (err) {  // no clipboard API (plain http on another host): copy through a hidden text box
    const box = document.createElement('textarea');
    box.value = copy;
    document.body.appendChild(box);
    box.select();
    document.execCommand('copy');
    box.remove();
  }
  const label = button.dataset.label || button.textContent;
  button.dataset.label = label;
  button.textContent = button.dataset.copied || '✓';
  setTimeout(() => { button.textContent = label; }, 1500);
});
element.addEventListener('toggle', (event) => {
  const box = event.target;
  if (box.matches && box.matches('details.article') && box.open) {
    box.querySelector('mark')?.scrollIntoView({block: 'nearest'});
  }
}, true);
"""


def text_dir(words: str) -> str:
    return "rtl" if detect_language(words) == "ar" else "ltr"


def short_title(title: str, fallback: str = "", limit: int = TITLE_CHARS) -> str:
    """``title`` (or, when empty, ``fallback``: the quote), cut after its last whole word within
    ``limit`` characters and marked "…" when longer: never a whole first sentence."""
    words = " ".join((title or fallback).split())
    if len(words) <= limit:
        return words
    cut = words.rfind(" ", 0, limit)
    return words[: cut if cut > limit // 2 else limit].rstrip(" ,،.:;؛") + "…"


def is_link(url: str) -> bool:
    return url.lower().startswith(("http://", "https://"))


def attribution(c: Citation, language: str) -> str:
    """'BBC Arabic, 2018-04-13, https://…': the outlet, the date (or "undated"), the link (or "no link")."""
    comma = "، " if language in ("ar", "العربية") else ", "
    day = c.published[:10] or text("undated", language)
    link = c.url if is_link(c.url) else text("no_link", language)
    return comma.join(x for x in (c.source, day, link) if x)


def cited_quote(c: Citation, language: str, translation: str | None = None) -> str:
    """What "copy quote" copies: «quote» — outlet, date, link (and the English translation, when shown)."""
    cited = f"«{c.quote}» — {attribution(c, language)}"
    return f"{cited}\n({text('machine_translation', 'en')}: {translation})" if translation else cited


def highlighted_passage(c: Citation) -> str:
    """The passage with the quote marked, every piece escaped."""
    at = c.passage.find(c.quote) if c.quote else -1
    if at < 0:
        return escape(c.passage)
    before, after = c.passage[:at], c.passage[at + len(c.quote) :]
    return f"{escape(before)}<mark>{escape(c.quote)}</mark>{escape(after)}"


def highlighted_article(article: str, quote: str, start: int, end: int) -> str:
    """The whole article, escaped, with the quote marked: at its offsets when they hold it, else
    where it first occurs, else not at all."""
    if not (quote and 0 <= start < end <= len(article) and article[start:end] == quote):
        start = article.find(quote) if quote else -1
        end = start + len(quote)
    if start < 0:
        return escape(article)
    return f'{escape(article[:start])}<mark class="cited">{escape(article[start:end])}</mark>{escape(article[end:])}'


def stance_html(c: Citation, language: str = "en") -> str:
    """A claim-check card's stance (with the stance model's probability), and whether this sentence
    decided the verdict or is an earlier figure; empty for an answer's card."""
    if not c.stance:
        return ""
    confidence = f" ({c.stance_confidence:.0%})" if c.stance_confidence is not None else ""
    name = escape(stance_name(c.stance, language))
    marks = [f'<span class="stance stance-{escape(c.stance)}">{name}{confidence}</span>']
    if c.decisive:
        marks.append(f'<span class="decisive">{escape(text("decisive", language))}</span>')
    if c.earlier:
        marks.append(f'<span class="earlier">{escape(text("earlier", language))}</span>')
    if c.headline:
        marks.append(f'<span class="headline">{escape(text("headline", language))}</span>')
    return " · " + " · ".join(marks)


def _source_html(c: Citation, language: str) -> str:
    """The card's head: number, short title, outlet · date (or "undated"), link (or "no link"), badge."""
    badge = (f'<span class="isnad-badge-ok">{text("verified", language)}</span>' if c.verified
             else f'<span class="isnad-badge-bad">{text("not_verified", language)}</span>')
    if is_link(c.url):
        link = (f'<a href="{escape(c.url, quote=True)}" target="_blank" rel="noopener noreferrer">'
                f'{escape(text("link", language))}</a>')
    else:
        link = f'<span class="no-link">{escape(text("no_link", language))}</span>'
    day = (f'<span class="date">{escape(c.published[:10])}</span>' if c.published[:10]
           else f'<span class="undated">{escape(text("undated", language))}</span>')
    meta = " · ".join(x for x in (f'<span class="outlet">{escape(c.source)}</span>' if c.source else "", day) if x)
    title = short_title(c.title, c.quote)
    full = f' title="{escape(c.title, quote=True)}"' if title != c.title else ""
    return (f'<div class="meta"><b>[{c.n}]</b> <span class="title" dir="{text_dir(title)}"{full}>{escape(title)}</span>'
            f" — {meta} {link} {badge}{stance_html(c, language)}</div>")


def _copy_buttons(c: Citation, language: str, translation: str | None) -> str:
    copied = escape(text("copied", language), quote=True)
    both = escape(cited_quote(c, language, translation), quote=True)
    return (
        f'<button type="button" class="copy-quote" data-copy="{both}" data-copied="{copied}">'
        f'{escape(text("copy_cited", language))}</button> '
        f'<button type="button" class="copy-quote-only" data-copy="{escape(c.quote, quote=True)}" '
        f'data-copied="{copied}">{escape(text("copy_quote_only", language))}</button>'
    )


def citation_card(
    c: Citation, article_text: str | None = None, translation: str | None = None, card_id: str = "",
    language: str = "en",
) -> str:
    """One citation, worded in ``language``: its source, the quote (right-to-left when Arabic) with
    its copy actions, its passage, and (given ``article_text``) the whole article with the quote
    highlighted. ``translation`` (a machine translation of the quote) is shown beside the quote,
    labelled; ``card_id`` is the card's HTML id, for links to it (a chart's points)."""
    anchor = f' id="{escape(card_id, quote=True)}"' if card_id else ""
    quote = (f'<blockquote class="quote" dir="{text_dir(c.quote)}" lang="{detect_language(c.quote)}">'
             f"{escape(c.quote)}</blockquote>")
    if translation:
        quote = (
            f'<div class="quote-pair">{quote}<div class="translation" dir="ltr" lang="en">'
            f'<span class="mt-label">{text("machine_translation", language)}</span> {escape(translation)}</div></div>'
        )
    article = ""
    if article_text:
        article = (
            f'<details class="article"><summary>{escape(text("open_article", language))}</summary>'
            f'<div class="article-text" dir="{text_dir(article_text)}">'
            f"{highlighted_article(article_text, c.quote, c.start, c.end)}</div></details>"
        )
    return (
        f'<div class="isnad-card"{anchor} data-n="{c.n}" data-doc="{escape(c.doc_id)}">'
        f"{_source_html(c, language)}{quote}"
        f'<div class="actions">{_copy_buttons(c, language, translation)}'
        f'<details class="passage-box"><summary>{escape(text("passage", language))}</summary>'
        f'<p class="passage" dir="{text_dir(c.passage)}">{highlighted_passage(c)}</p></details>{article}</div></div>'
    )
