"""The page's CSS: citation cards, badges, verdicts, quiet progress, the conversation's turns, figure table, counter."""

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
.isnad-card .quote-pair { display: grid; grid-template-columns: 1fr 1fr; gap: 12px; align-items: start; }
.isnad-card .translation { font-size: 0.95em; color: #444; margin: 6px 0; padding: 4px 10px;
  border-inline-start: 3px dashed #8c959f; }
.isnad-card .mt-label { display: block; font-size: 0.75em; text-transform: uppercase; color: #8c959f; }
.isnad-card .stance-supports { color: #1a7f37; font-weight: 600; }
.isnad-card .stance-contradicts { color: #cf222e; font-weight: 600; }
.isnad-card .decisive { font-weight: 700; }
.isnad-card .earlier { color: #57606a; font-style: italic; }
.isnad-translation-note { font-size: 0.85em; color: #57606a; margin: 4px 0; }
.isnad-verdict { border-radius: 8px; padding: 8px 12px; margin: 6px 0; border: 1px solid #d0d7de; }
.isnad-verdict .verdict-name { font-size: 1.3em; font-weight: 700; }
.isnad-verdict .explanation { margin: 4px 0 0 0; unicode-bidi: plaintext; text-align: start; }
.verdict-supported { background: #dafbe1; border-color: #1a7f37; }
.verdict-contradicted { background: #ffebe9; border-color: #cf222e; }
.verdict-not_enough_info { background: #f6f8fa; }
.isnad-progress { font-size: 0.85em; color: #57606a; }
.isnad-progress ol { margin: 2px 0; padding-inline-start: 18px; }
.isnad-progress li.current { color: #57606a; font-style: italic; }
#chat .message p, #chat .message li { unicode-bidi: plaintext; text-align: start; }
#library-table [role=gridcell] span { unicode-bidi: plaintext; font-family: var(--font); }
/* Gradio's table keeps left-to-right columns inside a right-to-left page: mirror it in Arabic */
.gradio-container[dir=rtl] #library-table table { direction: rtl; }
.gradio-container[dir=rtl] #library-table th, .gradio-container[dir=rtl] #library-table td { text-align: right; }
/* the conversation: one section per turn (newest first), the figure's history, what was searched */
.isnad-turn { border-top: 1px solid #d0d7de; padding-top: 6px; margin-top: 10px; }
.isnad-turn-question { font-weight: 600; margin: 4px 0; unicode-bidi: plaintext; text-align: start; }
.isnad-card { scroll-margin-top: 80px; }
.isnad-card:target { outline: 3px solid #0969da; outline-offset: 2px; }
.isnad-figures { margin: 6px 0; font-size: 0.9em; }
.isnad-figures table { border-collapse: collapse; }
.isnad-figures th, .isnad-figures td { border: 1px solid #d0d7de; padding: 2px 8px; text-align: start; }
.isnad-closest { border: 2px dashed #8c959f; border-radius: 8px; padding: 6px 10px; margin: 8px 0;
  background: #f6f8fa; }
.isnad-closest .closest-title { font-weight: 700; color: #57606a; }
.isnad-closest .isnad-card { background: #fff; border-style: dashed; opacity: 0.9; }
/* typed text follows its own direction; the counter shows near the question length limit */
#question textarea, #claim textarea { text-align: start; unicode-bidi: plaintext; }
.isnad-counter { font-size: 0.8em; color: #57606a; }
.isnad-counter.isnad-over { color: #cf222e; font-weight: 600; }
/* Gradio's own untranslated "processing | 0.1s" timers and "N chunks" counts: each panel says what it does */
.gradio-container .meta-text, .gradio-container .meta-text-center, .gradio-container .progress-text {
  display: none !important; }
.isnad-card .no-link, .isnad-card .undated { font-style: italic; }
.isnad-card button.copy-quote-only { border: 1px solid #d0d7de; border-radius: 6px; padding: 1px 8px;
  background: #fff; cursor: pointer; font-size: 0.95em; margin-inline-start: 4px; }
"""
