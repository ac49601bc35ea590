"""The page's language in the browser: the direction of the page and of the text boxes, and Gradio's
own strings (drop zone, footer, table menus) switched with the interface language."""

from __future__ import annotations

import gradio as gr

from assistant.ui.i18n import ARABIC

# Text boxes a person types in follow what is typed (Arabic right-to-left, English left-to-right).
TYPED_BOXES = "#question textarea, #claim textarea, #library-search textarea, #add-url textarea, #feed-url textarea"
DIR_AUTO_JS = f"document.querySelectorAll('{TYPED_BOXES}').forEach(box => box.setAttribute('dir', 'auto'));"

# Gradio keeps its own wording (the upload drop zone, the footer…) in a locale of its front end; the
# switch asks Gradio's own module for the locale, then waits until the page says it changed.
LANGUAGE_JS = f"""async (language, mode) => {{
  const arabic = language === '{ARABIC}';
  const root = document.querySelector('.gradio-container') || document.body;
  root.setAttribute('dir', arabic ? 'rtl' : 'ltr');
  {DIR_AUTO_JS}
  const wanted = arabic ? 'ar' : 'en';
  try {{
    const url = performance.getEntriesByType('resource').map(e => e.name)
      .find(name => /\\/assets\\/core-[\\w-]+\\.js$/.test(name));
    if (url) {{
      (await import(url)).changeLocale(wanted);
      for (let i = 0; i < 40 && document.documentElement.getAttribute('lang') !== wanted; i++) {{
        await new Promise(resolve => setTimeout(resolve, 50));
      }}
    }}
  }} catch (err) {{ console.warn('Gradio locale not switched', err); }}
  document.documentElement.setAttribute('lang', wanted);
  return [language, mode];
}}"""

# On load, and whenever Gradio draws a tab for the first time.
PAGE_JS = f"""() => {{
  const follow = () => {{ {DIR_AUTO_JS} }};
  follow();
  new MutationObserver(follow).observe(document.body, {{childList: true, subtree: true}});
}}"""

# Gradio strings its Arabic locale lacks or words otherwise (keys of Gradio's front end).
GRADIO_STRINGS = gr.I18n(ar={
    "upload_text.drop_file": "أسقط الملفات هنا",
    "upload_text.click_to_upload": "انقر للاختيار",
    "common.or": "أو",
    "common.complete": "اكتمل",
    "status.queue_position": "في الانتظار: {position} من {size}",
})

# Gradio's launch options for this page: its strings, and a footer without the run-history link
# (its label is not translated by Gradio).
LAUNCH_OPTIONS = {"i18n": GRADIO_STRINGS, "footer_links": ["api", "gradio", "settings"]}
