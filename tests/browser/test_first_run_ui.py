"""The first run in a real Chromium: the UI is served while the sample corpus is indexed in the
background; its status line shows the articles done of all (in both languages), an answer made
meanwhile says the sample is still being indexed, and once the ingest is done the status line says
what is indexed and nothing more. The background ingest (real e5, real Chroma) is held before its
second batch until the page has been checked, so the test does not race it. Fixtures come from test_ui.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import test_ui
from playwright.sync_api import expect
from test_first_run import BATCH, TOTAL, TROOPS_AR, WAIT_S, Ingests, sample_dir, start
from test_ui import UI_MS, opened, served

from assistant.first_run import COMPLETE_MARKER, begin_first_run
from assistant.service import IsnadService

pytestmark = pytest.mark.browser
browser = test_ui.browser  # a shared fixture
sample = sample_dir  # the small sample corpus (seed + 12 BBC Arabic articles), a fixture
ARABIC = "العربية"


@pytest.fixture
def indexing(tmp_path: Path, sample: Path, embedder, monkeypatch) -> Iterator[tuple[IsnadService, threading.Event]]:
    """A first run under way: the seed and one batch indexed, the rest held until the event is set."""
    if not Path(test_ui.CHROMIUM).exists():
        pytest.skip(f"{test_ui.CHROMIUM} is not installed (apt-get install chromium)")
    service = start(tmp_path / "index", sample, embedder)
    reached, release = threading.Event(), threading.Event()

    def hold(n: int) -> None:  # the seed, one batch, then this one waits
        if n == 3:
            reached.set()
            assert release.wait(WAIT_S)

    monkeypatch.setattr(service.index, "ingest", Ingests(service, hold))
    thread = begin_first_run(service, batch_articles=BATCH)
    assert thread is not None and reached.wait(WAIT_S)
    try:
        yield service, release
    finally:
        release.set()
        thread.join(WAIT_S)
        service.close()


def test_the_status_line_shows_the_background_ingest_and_answers_say_it_is_under_way(browser, indexing):
    service, release = indexing
    done = 1 + BATCH
    with served(service) as url, opened(browser, url) as ui:
        status = ui.page.locator("#status")
        expect(status).to_contain_text(f"Indexing the sample corpus in the background: {done} of {TOTAL} articles")
        expect(status).to_contain_text(f"{done} articles")  # what is searchable now

        ui.ask("How many US troops remain in Syria?")
        chat = ui.page.locator("#chat")
        expect(chat).to_contain_text(f"The sample corpus is still being indexed ({done} of {TOTAL} articles)")

        ui.page.locator("#ui-language").get_by_text(ARABIC).click()
        expect(status).to_contain_text("تجري فهرسة مجموعة المقالات النموذجية في الخلفية: ٥ من ١٣ مقالا")
        ui.ask(TROOPS_AR)
        expect(chat).to_contain_text("ما زالت فهرسة مجموعة المقالات النموذجية جارية (٥ من ١٣ مقالا)")

        release.set()  # the rest is indexed; the status line follows without a reload
        expect(status).to_contain_text("١٣ مقالا", timeout=UI_MS * 3)
        expect(status).not_to_contain_text("فهرسة", timeout=UI_MS)
        assert (service.settings.data_dir / COMPLETE_MARKER).exists()
        assert service.sample_ingest.snapshot().done == TOTAL
