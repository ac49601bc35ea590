"""An answer's progress as it is made, for a UI that streams it: the service call runs in a worker
thread and reports stages (see ``AskProgress`` in service.py); ``Job.events`` hands them to the
UI thread as they come (with a tick each second of silence, so elapsed time can be shown), and
``Steps`` turns them into the lines a person reads. No Gradio here."""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from assistant.ui.i18n import progress_text

T = TypeVar("T")
Report = Callable[[str, dict[str, Any]], None]
_DONE = "__done__"


class Job(Generic[T]):
    """``call(report)`` running in a daemon thread; its reports queue up for ``events``."""

    def __init__(self, call: Callable[[Report], T], tick_s: float = 1.0) -> None:
        self._events: queue.Queue[tuple[str, dict[str, Any]]] = queue.Queue()
        self._tick_s = tick_s
        self._value: T | None = None
        self._error: BaseException | None = None
        self.started = time.monotonic()
        self._thread = threading.Thread(target=self._run, args=(call,), daemon=True, name="isnad-job")
        self._thread.start()

    def _run(self, call: Callable[[Report], T]) -> None:
        try:
            self._value = call(lambda stage, detail: self._events.put((stage, detail)))
        except BaseException as exc:  # handed to the UI thread by result()
            self._error = exc
        finally:
            self._events.put((_DONE, {}))

    def events(self) -> Iterator[tuple[str, dict[str, Any]]]:
        """Reports in order until the call ends; runs of "draft" reports collapse to the latest,
        and ("tick", {}) comes after each ``tick_s`` without a report."""
        while True:
            try:
                batch = [self._events.get(timeout=self._tick_s)]
            except queue.Empty:
                yield "tick", {}
                continue
            while True:
                try:
                    batch.append(self._events.get_nowait())
                except queue.Empty:
                    break
            for i, (stage, detail) in enumerate(batch):
                if stage == _DONE:
                    return
                if stage == "draft" and i + 1 < len(batch) and batch[i + 1][0] == "draft":
                    continue  # a newer draft follows at once
                yield stage, detail

    def result(self) -> T:
        """The call's value (after ``events`` ended), or its exception raised here."""
        self._thread.join()
        if self._error is not None:
            raise self._error
        return self._value  # type: ignore[return-value]

    @property
    def elapsed_s(self) -> int:
        return int(time.monotonic() - self.started)


@dataclass
class Steps:
    """The progress lines of one answer in the interface language; ``draft`` is the model's
    unchecked text so far (shown only as a labelled draft)."""

    language: str
    claim: bool = False  # a claim check: the model weighs evidence rather than drafting an answer
    lines: list[str] = field(default_factory=list)
    draft: str = ""
    searched_for: str = ""

    def add(self, stage: str, **values: Any) -> None:
        self.lines.append(progress_text(stage, self.language, **values))

    def update(self, stage: str, detail: dict[str, Any]) -> None:
        """Take one report from the service."""
        if stage == "draft":
            self.draft = str(detail.get("text", ""))
        elif stage == "rewritten":
            self.searched_for = str(detail.get("question", ""))
        elif stage == "searching":
            self.add("translating" if detail.get("translating") else "searching")
        elif stage == "found":
            self.add("found", passages=detail.get("passages", 0), articles=detail.get("articles", 0))
        elif stage in ("drafting", "quotes", "rewriting"):
            self.draft = ""
            self.add("judging" if self.claim and stage == "drafting" else stage)

    def timed(self, seconds: int) -> list[str]:
        """The lines so far, the one under way with the elapsed time."""
        lines = self.lines or [progress_text("searching", self.language)]
        return [*lines[:-1], f"{lines[-1]} ({progress_text('elapsed', self.language, seconds=seconds)})"]

    @property
    def draft_label(self) -> str:
        return progress_text("draft", self.language)
