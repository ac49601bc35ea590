"""Streaming progress: the worker-thread job and its reports, the progress lines, the streamed
(unchecked) draft of llm_draft, and the reports IsnadService.ask/check make with the real models."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from assistant.answering import llm_draft
from assistant.settings import PROJECT_ROOT
from assistant.ui.progress import Job, Steps

PROMPTS = PROJECT_ROOT / "prompts"


@pytest.mark.unit
def test_job_hands_over_reports_in_order_then_the_result():
    def call(report: Any) -> str:
        report("searching", {"translating": False})
        report("found", {"passages": 3, "articles": 2})
        return "answer"

    job = Job(call)
    assert list(job.events()) == [("searching", {"translating": False}), ("found", {"passages": 3, "articles": 2})]
    assert job.result() == "answer"


@pytest.mark.unit
def test_job_collapses_queued_drafts_and_ticks_while_quiet():
    release = threading.Event()

    def call(report: Any) -> int:
        for text in ("A", "A b", "A b c"):
            report("draft", {"text": text})
        report("drafting", {})
        release.wait(5)
        return 1

    job = Job(call, tick_s=0.05)
    job._thread.join(0.2)  # let the reports queue up before reading them
    events = job.events()
    assert next(events) == ("draft", {"text": "A b c"})  # the two older drafts were superseded
    assert next(events) == ("drafting", {})
    assert next(events) == ("tick", {})  # nothing new for a while: a tick, so elapsed time can show
    release.set()
    assert [stage for stage, _ in events if stage != "tick"] == []
    assert job.result() == 1


@pytest.mark.unit
def test_job_raises_the_calls_error_in_the_caller():
    def call(report: Any) -> None:
        report("searching", {})
        raise ValueError("The from date '2018-13-01' is not a date")

    job = Job(call)
    assert [stage for stage, _ in job.events()] == ["searching"]
    with pytest.raises(ValueError, match="not a date"):
        job.result()


@pytest.mark.unit
def test_steps_in_english_and_arabic():
    steps = Steps("English")
    steps.update("searching", {"translating": True})
    steps.update("found", {"passages": 20, "articles": 7})
    steps.update("drafting", {})
    steps.update("draft", {"text": "About 900 [1]"})
    assert steps.lines[1] == "20 passages found in 7 articles; ranking the evidence…"
    assert steps.timed(12)[-1] == "Drafting an answer with the LLM… (12 s)"
    assert steps.draft == "About 900 [1]" and "Unchecked draft" in steps.draft_label

    arabic = Steps("العربية", claim=True)
    arabic.update("found", {"passages": 20, "articles": 7})
    arabic.update("drafting", {})
    assert arabic.lines == ["عُثر على 20 مقطعا في 7 مقالا؛ ترتيب الأدلة…", "موازنة الأدلة…"]
    assert "مسودة" in arabic.draft_label


class StreamingChat:
    """Streams ``pieces`` one by one (a scripted stand-in for ChatOpenAI.stream)."""

    def __init__(self, pieces: list[str]) -> None:
        self.pieces = pieces

    def invoke(self, input: Any, **kwargs: Any) -> Any:
        raise AssertionError("a streaming caller must stream")

    def stream(self, messages: Any, **_: Any) -> Any:
        for piece in self.pieces:
            yield type("Chunk", (), {"content": piece})()


@pytest.mark.unit
def test_llm_draft_streams_the_unchecked_text_then_checks_it(indexed_sentences):
    seen: list[str] = []
    chat = StreamingChat(["About 900 ", "US troops ", "remain [1]."])
    draft, reason = llm_draft(chat, PROMPTS, "How many US troops remain in Syria?", "en", indexed_sentences,
                              budget_tokens=900, max_evidence=3, on_text=seen.append)
    assert seen == ["About 900 ", "About 900 US troops ", "About 900 US troops remain [1]."]
    assert draft is not None and draft.text == "About 900 US troops remain [1]." and reason == ""

    seen.clear()
    chat = StreamingChat(["About 5000 ", "remain [1]."])  # a figure the evidence does not state
    draft, reason = llm_draft(chat, PROMPTS, "How many US troops remain in Syria?", "en", indexed_sentences,
                              budget_tokens=900, max_evidence=3, on_text=seen.append)
    assert draft is None and "5000" in reason and seen[-1] == "About 5000 remain [1]."


@pytest.fixture
def indexed_sentences():
    from assistant.evidence import EvidenceSentence
    from vectorstore.records import StoredChunk

    text = "قال مسؤول إن نحو 900 جندي أمريكي ما زالوا في سوريا."
    chunk = StoredChunk("d:0", "d", text, 0, len(text), "عنوان", "Al-Monitor", "2024-09-27", "", "ar")
    return [EvidenceSentence(chunk, 0, len(text), text, 0.9)]


@pytest.mark.integration
def test_ask_and_check_report_their_progress(indexed_service):
    reports: list[tuple[str, dict[str, Any]]] = []
    answer = indexed_service.ask("كم عدد الجنود الأمريكيين الذين بقوا في سوريا؟", mode="extractive",
                                 progress=lambda stage, detail: reports.append((stage, detail)))
    assert [stage for stage, _ in reports] == ["searching", "found"]
    assert reports[0][1] == {"translating": False}
    found = reports[1][1]
    assert found["passages"] > 0 and 0 < found["articles"] <= found["passages"]
    assert answer.citations

    reports.clear()
    indexed_service.check("بقي نحو 900 جندي أمريكي في سوريا", mode="extractive",
                          progress=lambda stage, detail: reports.append((stage, detail)))
    assert [stage for stage, _ in reports] == ["searching", "found"]
