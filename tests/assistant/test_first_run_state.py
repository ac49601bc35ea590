"""The first run's pure logic: the background ingest's state (thread-safe counts, pace, time left, the
notice an answer carries meanwhile), the decision a start makes from the data folder's markers, and
the status line's wording in both languages. The real path (real e5, real Chroma, a thread) is
tests/test_first_run.py; the UI's is tests/browser/test_first_run_ui.py."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from assistant.first_run import COMPLETE_MARKER, STARTED_MARKER, IngestProgress, SampleIngest, sample_plan
from assistant.notices import Notice, joined
from assistant.ui.forms import Catalog
from assistant.ui.notices import notice_text
from assistant.ui.status import indexing_markdown, status_markdown

pytestmark = pytest.mark.unit
ARABIC = "العربية"


class Clock:
    """Seconds that move only when a test says so."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_the_state_counts_articles_and_gives_the_pace_and_time_left_of_this_run():
    clock = Clock()
    ingest = SampleIngest(clock=clock)
    assert not ingest.snapshot().running and ingest.notice() is None  # nothing under way

    ingest.start(total=1133, done=100)  # a resumed run: 100 were indexed before
    state = ingest.snapshot()
    assert state.running and state.incomplete and state.per_minute is None and state.seconds_left is None

    clock.now += 120
    ingest.advance(212)
    state = ingest.snapshot()
    assert (state.done, state.total, state.resumed_from) == (312, 1133, 100)
    assert state.per_minute == pytest.approx(106.0)  # 212 articles in 2 minutes, not counting the 100 before
    assert state.seconds_left == pytest.approx(60 * 821 / 106.0)

    ingest.advance(5000)  # never past the total
    clock.now += 60
    ingest.finish()
    state = ingest.snapshot()
    assert state.done == 1133 and not state.running and not state.incomplete and ingest.notice() is None
    assert state.per_minute == pytest.approx(1033 / 3)  # 1,033 articles in 3 minutes: the pace stops with the run
    clock.now += 600
    assert ingest.snapshot().per_minute == pytest.approx(1033 / 3)


def test_concurrent_advances_are_all_counted():
    ingest = SampleIngest()
    ingest.start(total=8 * 500, done=0)

    def advance() -> None:
        for _ in range(500):
            ingest.advance(1)

    threads = [threading.Thread(target=advance) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert ingest.snapshot().done == 4000


def test_an_answer_made_meanwhile_says_how_far_the_indexing_is_in_english_and_arabic():
    ingest = SampleIngest()
    ingest.start(total=1133, done=312)
    notice = ingest.notice()
    assert isinstance(notice, Notice) and notice.code == "sample_indexing"
    assert notice == ("The sample corpus is still being indexed (312 of 1,133 articles): this answer may miss "
                      "sources.")
    arabic = notice_text(notice, ARABIC)
    assert "٣١٢ من ١٬١٣٣" in arabic and "فهرسة" in arabic and not any(c.isascii() and c.isalpha() for c in arabic)

    both = joined(Notice("empty_answer"), notice)  # after another notice, worded too
    assert both is not None and "٣١٢" in notice_text(both, ARABIC) and "أعاد النموذج إجابة فارغة" in notice_text(
        both, ARABIC)

    ingest.fail("StoreUnavailableError: the store went away")
    stopped = ingest.notice()
    assert stopped is not None and stopped.code == "sample_incomplete" and "stopped at 312 of 1,133" in stopped
    assert "توقفت" in notice_text(stopped, ARABIC)


@pytest.mark.parametrize(
    ("markers", "articles", "plan"),
    [
        ((), 0, "first"),  # a fresh machine
        ((STARTED_MARKER,), 0, "resume"),  # stopped before even the seed was in
        ((STARTED_MARKER,), 412, "resume"),  # stopped part way: index the rest
        ((STARTED_MARKER, COMPLETE_MARKER), 1133, "complete"),
        ((COMPLETE_MARKER,), 1000, "complete"),  # articles deleted since: not indexed again
        ((), 4, "keep"),  # filled by `isnad ingest` or an older version: left alone
    ],
)
def test_a_start_decides_from_the_markers_and_the_index(tmp_path: Path, markers: tuple[str, ...], articles: int,
                                                          plan: str):
    for marker in markers:
        (tmp_path / marker).touch()
    assert sample_plan(tmp_path, articles) == plan


def test_the_status_line_shows_the_progress_with_pace_and_time_left_in_both_languages():
    catalog = Catalog((("2018-01-02", "BBC Arabic"), ("2018-12-30", "BBC Arabic")))
    state = IngestProgress(total=1133, done=312, resumed_from=0, started=0.0, now=240.0)  # 78 a minute
    english = status_markdown(catalog, "English", "extractive", state)
    assert english.startswith("**2 articles** from 1 outlets")
    assert "**312 of 1,133 articles** · 78 articles/min · about 11 min left" in english
    assert "may miss sources" in english
    arabic = status_markdown(catalog, ARABIC, "extractive", state)
    assert "**٣١٢ من ١٬١٣٣ مقالا** · ٧٨ مقالا في الدقيقة · يتبقى نحو ١١ دقيقة" in arabic
    assert not any(c in "0123456789" for c in indexing_markdown(state, ARABIC))  # Arabic-Indic digits only

    start = IngestProgress(total=1133, done=1, resumed_from=1, started=0.0, now=3.0)
    assert "estimating the time left" in indexing_markdown(start, "English")
    almost = IngestProgress(total=1133, done=1100, resumed_from=0, started=0.0, now=600.0)
    assert "less than a minute left" in indexing_markdown(almost, "English")
    assert "أقل من دقيقة" in indexing_markdown(almost, ARABIC)


def test_the_status_line_says_where_the_indexing_stopped_and_nothing_once_it_is_done():
    catalog = Catalog((("2018-01-02", "BBC Arabic"),))
    stopped = IngestProgress(total=1133, done=312, started=0.0, error="StoreUnavailableError: *gone*", now=9.0)
    english = status_markdown(catalog, "English", "extractive", stopped)
    assert "stopped at **312 of 1,133 articles**" in english and r"\*gone\*" in english  # escaped, as written
    assert "restart Isnad" in english
    assert "توقفت" in status_markdown(catalog, ARABIC, "extractive", stopped)

    done = IngestProgress(total=1133, done=1133, started=0.0, finished=500.0, now=900.0)
    assert status_markdown(catalog, "English", "extractive", done) == status_markdown(catalog, "English", "extractive")
    assert status_markdown(catalog, "English", "extractive", IngestProgress()) == status_markdown(
        catalog, "English", "extractive")
