"""The browser UI (Gradio): one module per tab, rendering, wording and progress; only app.py and the CLI import it."""
