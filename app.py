"""Isnad in the browser: `python app.py` (or `make run`, `isnad serve`) serves the Gradio UI.

Settings come from ISNAD_* variables or `.env`; the UI itself is the `assistant.ui` package.
"""

from assistant.settings import Settings
from assistant.ui.page import serve


def main() -> None:
    serve(Settings())  # every field has a default or an ISNAD_ variable


if __name__ == "__main__":
    main()
