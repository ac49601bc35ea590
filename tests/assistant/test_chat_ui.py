"""The Ask tab's conversation, pure parts: which figures make a chart and how its points link to the
cards, the turns' sections (newest first, each with its own card ids), the "not an answer" closest
passages, the chat transcript, the whole-conversation Markdown export, and the handler showing the
quoted evidence first in llm mode (with a scripted service: the real path is in tests/browser)."""

from __future__ import annotations

import re
import threading
from typing import Any

import pytest

from assistant.answering import Answer, FigurePoint
from assistant.errors import LLMUnavailableError
from assistant.evidence import Citation
from assistant.settings import Settings
from assistant.ui.ask_tab import Asker
from assistant.ui.chat import Turn, conversation_html, conversation_markdown, transcript, turn_html
from assistant.ui.figures_chart import (
    chart_frame,
    chart_limits,
    charted,
    figure_text,
    figures_html,
    figures_markdown,
)

pytestmark = pytest.mark.unit
QUOTE_2018 = "وقال المسؤول إن نحو 2000 جندي أمريكي ما زالوا في سوريا."
QUOTE_2024 = "US officials said about 900 troops remain in Syria <b>now</b>."


def citation(n: int, quote: str, source: str, published: str) -> Citation:
    return Citation(n=n, doc_id=f"doc{n}", title=f"title {n}", source=source, published=published,
                    url=f"https://example.org/{n}", quote=quote, start=0, end=len(quote), passage=quote, verified=True)


def troops_answer(question: str = "How many US troops remain in Syria?", **overrides: Any) -> Answer:
    fields: dict[str, Any] = dict(
        question=question, language="en", mode="extractive", abstained=False, searched="all outlets",
        answer=f"«{QUOTE_2024}» (Al-Monitor, 2024-09-27) [1]\n«{QUOTE_2018}» (BBC Arabic, 2018-10-11) [2]",
        citations=[citation(1, QUOTE_2024, "Al-Monitor", "2024-09-27"),
                   citation(2, QUOTE_2018, "BBC Arabic", "2018-10-11T08:00:00+00:00")],
        figures=[FigurePoint(2000, "troops", "2018-10-11", "BBC Arabic", 2),
                 FigurePoint(900, "troops", "2024-09-27", "Al-Monitor", 1, approximate=True)],
    )
    fields.update(overrides)
    return Answer(**fields)


def test_a_chart_needs_two_dated_points_with_different_values_and_dates():
    points = charted(troops_answer())
    assert [(p.value, p.published) for p in points] == [(2000, "2018-10-11"), (900, "2024-09-27")]
    one = FigurePoint(900, "troops", "2024-09-27", "Al-Monitor", 1)
    assert charted(troops_answer(figures=[one])) == []
    assert charted(troops_answer(figures=[one, FigurePoint(900, "troops", "2018-10-11", "BBC Arabic", 2)])) == []
    assert charted(troops_answer(figures=[one, FigurePoint(2000, "troops", "2024-09-27", "BBC Arabic", 2)])) == []
    assert charted(troops_answer(figures=[one, FigurePoint(2000, "troops", "", "BBC Arabic", 2)])) == []  # undated
    assert charted(None) == []
    newest_last = charted(troops_answer(figures=list(reversed(troops_answer().figures))))
    assert [p.n for p in newest_last] == [2, 1]


def test_chart_points_are_labelled_with_outlet_and_date_and_linked_to_their_cards():
    points = charted(troops_answer())
    frame = chart_frame(points)
    assert list(frame["source"]) == ["[2] BBC Arabic, 2018-10-11", "[1] Al-Monitor, 2024-09-27"]
    assert list(frame["value"]) == [2000.0, 900.0] and str(frame["date"].dtype).startswith("datetime64")
    assert list(frame["figure"]) == [
        "[2] BBC Arabic, 2018-10-11: 2,000 troops", "[1] Al-Monitor, 2024-09-27: ≈ 900 troops"]
    (x_min, x_max), (y_min, y_max) = chart_limits(points)
    seconds = frame["date"].map(lambda day: day.timestamp())  # the points' dates, Unix seconds
    assert x_min < seconds.min() < seconds.max() < x_max and y_min == 0 < 2000 < y_max
    section = turn_html(Turn(3, "How many?", troops_answer(), done=True), translate=False)
    links = re.findall(r'<a class="figure-link" href="#([^"]+)">([^<]+)</a>', section)
    assert links == [("t3-c2", "[2] BBC Arabic, 2018-10-11"), ("t3-c1", "[1] Al-Monitor, 2024-09-27")]
    for anchor, _ in links:  # each link's target is this turn's card for that citation
        card = re.search(rf'<div class="isnad-card" id="{anchor}" data-n="(\d+)"', section)
        assert card is not None and anchor.endswith(f"-c{card.group(1)}")
    assert figures_html([], "t1-c") == "" and figures_markdown([]) == ""


def test_the_export_carries_the_figure_as_a_dated_table():
    table = figures_markdown(charted(troops_answer()))
    assert "| date | figure | source |" in table
    assert "| 2018-10-11 | 2,000 troops | [2] BBC Arabic, 2018-10-11 |" in table
    assert table.index("2018-10-11") < table.index("2024-09-27")  # oldest first
    assert figure_text(FigurePoint(12.5, "%", "2020-01-01", "x", 1)) == "12.5 %"


def test_a_figure_given_for_an_earlier_year_is_charted_at_that_year():
    earlier = FigurePoint(300, "troops", "2018-10-11", "BBC Arabic", 2, as_of="2015")
    points = charted(troops_answer(figures=[FigurePoint(2000, "troops", "2018-03-01", "Reuters", 3), earlier]))
    assert [p.n for p in points] == [2, 3]  # 2015 comes before a source of 2018-03-01
    frame = chart_frame(points)
    assert frame["date"].iloc[0].year == 2015 and frame["source"].iloc[0] == "[2] BBC Arabic, 2018-10-11"
    assert figure_text(earlier) == "300 troops; figure for 2015"
    assert "| 2015 | 300 troops; figure for 2015 | [2] BBC Arabic, 2018-10-11 |" in figures_markdown(points)
    same_day = FigurePoint(900, "troops", "2015-07-01", "x", 1)
    assert charted(troops_answer(figures=[earlier, same_day])) == []  # both held mid-2015: no history


def test_an_abstention_shows_the_closest_passages_marked_not_an_answer():
    closest = [citation(1, "<img src=x onerror=alert(1)> a passage about bread prices", "BBC Arabic", "2018-03-01")]
    answer = Answer("What does bread cost in Tunis?", "en", "extractive", "Not found in the indexed sources.",
                    True, [], searched="all outlets", closest=closest)
    turn = Turn(2, answer.question, answer, done=True)
    html = turn_html(turn, translate=False)
    assert "Closest passages — not an answer" in html and "أقرب" not in html  # the interface's language
    arabic = turn_html(turn, translate=False, language="العربية")
    assert "أقرب المقاطع — ليست إجابة" in arabic and "not an answer" not in arabic and "نطاق البحث" in arabic
    assert 'class="isnad-closest"' in html and 'id="t2-p1"' in html
    assert "<img" not in html and "&lt;img src=x" in html
    bubble = transcript([turn])[1]["content"]
    assert "not an answer" in bubble and "↓ 1 · Closest passages" in bubble
    md = conversation_markdown([turn])
    assert "**Closest passages — not an answer" in md and "a passage about bread prices" in md
    answered = turn_html(Turn(1, "q", troops_answer(), done=True), translate=False)
    assert "isnad-closest" not in answered and "not an answer" not in answered


def test_each_turn_keeps_its_cards_newest_first_and_the_export_covers_the_conversation():
    first = Turn(1, "How many US troops remain in Syria?", troops_answer(), done=True)
    second = Turn(2, "and in Iraq?", troops_answer("How many US troops remain in Iraq?", figures=[]), done=True)
    failed = Turn(3, "and in 2019?", error="The from date 'x' is not a date")
    html = conversation_html([first, second, failed], translate=False)
    assert [int(n) for n in re.findall(r'<section[^>]* data-turn="(\d+)"', html)] == [3, 2, 1]
    assert re.findall(r'data-state="(\w+)"', html) == ["failed", "done", "done"]
    assert 'id="t1-c1"' in html and 'id="t2-c1"' in html  # each turn's own cards
    assert "Searched for:" in html and html.count("isnad-figures") == 1  # the second turn has no chart
    messages = transcript([first, second, failed])
    assert [m["role"] for m in messages] == ["user", "assistant"] * 3
    assert messages[2]["content"] == "and in Iraq?" and "not a date" in messages[5]["content"]
    md = conversation_markdown([first, second, failed])
    assert md.index("### 1. How many US troops") < md.index("### 2. and in Iraq?")
    assert md.count("**Sources**") == 2 and "---" in md and "and in 2019" not in md
    assert "| 2024-09-27 | ≈ 900 troops |" in md


def test_a_turn_under_way_shows_its_steps_and_the_quoted_evidence_found_so_far():
    working = Turn(1, "How many US troops remain in Syria?", troops_answer())
    html = conversation_html([working], translate=False, progress=["Searching…", "Drafting an answer with the LLM…"])
    assert 'data-state="working"' in html and "isnad-progress" in html and 'id="t1-c1"' in html
    bubble = transcript([working], "⏳ _Drafting…_")[1]["content"]
    assert bubble.startswith("⏳ _Drafting…_") and "2000 جندي" in bubble
    assert "isnad-progress" not in conversation_html([Turn(1, "q", troops_answer(), done=True)], False, ["x"])


class ScriptedService:
    """Stands in for IsnadService.ask in llm mode: reports the quoted evidence, then waits for the test."""

    def __init__(self, final: Answer | Exception) -> None:
        self.final = final
        self.release = threading.Event()
        self.index = self
        self.settings = Settings()

    def get_articles(self, ids: Any) -> dict[str, Any]:
        return {doc_id: type("Stored", (), {"text": f"article {doc_id}"})() for doc_id in ids}

    def ask(self, question: str, mode: str, flt: Any, progress: Any) -> Answer:
        progress("searching", {"translating": False})
        progress("extractive", {"answer": troops_answer(question)})
        progress("drafting", {})
        self.release.wait(10)
        if isinstance(self.final, Exception):
            raise self.final
        return self.final


@pytest.mark.parametrize("final", [
    troops_answer(mode="llm", answer="About 900 US troops remain [1]; 2000 in 2018 [2].", figures=[]),
    LLMUnavailableError("the LLM did not answer"),
])
def test_llm_mode_shows_the_quoted_evidence_first_then_the_final_answer(final: Answer | Exception):
    service = ScriptedService(final)
    replies = Asker(service).respond(  # type: ignore[arg-type]
        "How many US troops remain in Syria?", [], [], [], "", "", "llm", False, "English")
    shown = None
    for reply in replies:
        chat, panel, _chart, _export, _download, _previous, turns, _box = reply
        if 'id="t1-c1"' in panel and "isnad-progress" in panel:
            shown = (chat, panel)
            service.release.set()
    assert shown is not None, "the quoted evidence was not shown while the model drafted"
    assert "2000 جندي" in shown[0][-1]["content"] and "Drafting an answer with the LLM" in shown[1]
    assert turns[-1].state == ("done" if isinstance(final, Answer) else "failed")
    if isinstance(final, Answer):
        assert chat[-1]["content"].startswith("About 900 US troops remain") and "isnad-progress" not in panel
        assert _previous == [final.question] and "**Sources**" in _export
    else:
        assert "did not answer" in chat[-1]["content"] and "isnad-error" in panel


def test_exports_keep_only_the_newest_files_and_their_folder_goes_with_the_asker(monkeypatch: pytest.MonkeyPatch):
    """A server answering all day writes one export per answer: old ones are pruned, the folder removed."""
    import gc

    import assistant.ui.ask_tab as ask_tab

    monkeypatch.setattr(ask_tab, "KEPT_EXPORTS", 3)
    asker = Asker(ScriptedService(troops_answer()))  # type: ignore[arg-type]
    folder = asker.export_dir
    written = [asker._export_file(f"# export {n}") for n in range(5)]
    kept = sorted(folder.glob("*.md"))
    assert len(kept) == 3 and {str(p) for p in kept} == set(written[-3:])
    assert all(p.read_text(encoding="utf-8").startswith("# export") for p in kept)
    del asker
    gc.collect()
    assert not folder.exists()
