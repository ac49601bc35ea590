"""``python -m assistant``: the ``isnad`` command line."""

from assistant.cli import main

main()
