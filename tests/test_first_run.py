"""The first run with real parts (e5, embedded Chroma, a background thread) over a small sample corpus
(the seed article and 12 BBC Arabic articles, laid out as the shipped one): the seed is indexed before
the start returns, a question asked while the rest is indexed says so, the complete marker is written
once all are in and a second start indexes nothing; an interrupted run resumes with what is missing,
and a failing one is logged, said in the answers, and picked up by the next start."""

from __future__ import annotations

import gzip
import json
import logging
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import SAMPLE, bbc_records, make_settings

from assistant.first_run import COMPLETE_MARKER, STARTED_MARKER, begin_first_run, sample_plan
from assistant.service import SAMPLE_FILES, IsnadService
from vectorstore.errors import StoreUnavailableError

pytestmark = pytest.mark.integration
TROOPS_AR = "كم عدد الجنود الأمريكيين الذين بقوا في سوريا؟"
BBC = 12
TOTAL = 1 + BBC
BATCH = 4
WAIT_S = 300


@pytest.fixture(scope="module")
def sample_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seed article and 12 BBC Arabic articles (4 on US forces in Syria), under the shipped names."""
    folder = tmp_path_factory.mktemp("sample")
    seed_name, bbc_name = SAMPLE_FILES
    (folder / seed_name).write_bytes((SAMPLE / seed_name).read_bytes())
    with gzip.open(folder / bbc_name, "wt", encoding="utf-8") as out:
        for record in bbc_records(limit=BBC, about_syria=4):
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    return folder


def start(data_dir: Path, sample_dir: Path, embedder) -> IsnadService:
    return IsnadService.from_settings(make_settings(data_dir, sample_dir=sample_dir), embedder=embedder)


class Ingests:
    """The index's ingest, called through: each call's articles and report; ``before(n)`` runs before
    the n-th call (1-based: the seed article's is the first), in the ingesting thread."""

    def __init__(self, service: IsnadService, before: Callable[[int], None] = lambda n: None) -> None:
        self.real = service.index.ingest
        self.before = before
        self.calls: list[Any] = []

    def __call__(self, articles: Any, **kwargs: Any) -> Any:
        self.before(len(self.calls) + 1)
        batch = list(articles)
        report = self.real(batch, **kwargs)
        self.calls.append((batch, report))
        return report

    @property
    def added(self) -> int:
        return sum(report.added for _, report in self.calls)


def test_the_seed_first_then_the_rest_in_the_background_then_never_again(tmp_path, sample_dir, embedder,
                                                                        monkeypatch):
    service = start(tmp_path / "index", sample_dir, embedder)
    reached, release = threading.Event(), threading.Event()

    def hold_second_batch(n: int) -> None:  # the test asks its question while the ingest is under way
        if n == 3:  # the seed, a batch, then this one
            reached.set()
            assert release.wait(WAIT_S)

    ingests = Ingests(service, hold_second_batch)
    monkeypatch.setattr(service.index, "ingest", ingests)
    thread = begin_first_run(service, batch_articles=BATCH)
    assert thread is not None
    assert (tmp_path / "index" / STARTED_MARKER).exists() and not (tmp_path / "index" / COMPLETE_MARKER).exists()
    try:
        assert reached.wait(WAIT_S), "the background ingest did not reach its second batch"
        state = service.sample_ingest.snapshot()
        assert state.running and (state.done, state.total) == (1 + BATCH, TOTAL)
        assert service.index.stats()["articles"] == 1 + BATCH  # the seed (before the start returned) and a batch

        meanwhile = service.ask(TROOPS_AR, mode="extractive")
        assert any("900" in c.quote and c.verified for c in meanwhile.citations), meanwhile.answer
        assert meanwhile.notice == (
            f"The sample corpus is still being indexed ({1 + BATCH} of {TOTAL} articles): this answer may miss sources."
        )
        assert meanwhile.to_dict()["notice"] == meanwhile.notice  # the CLI/JSON carry it
        check = service.check("About 900 US troops remain in Syria.", mode="extractive")
        assert check.notice is not None and "still being indexed" in check.notice
    finally:
        release.set()
        thread.join(WAIT_S)
    assert not thread.is_alive()

    state = service.sample_ingest.snapshot()
    assert state.finished is not None and state.error is None and state.done == TOTAL
    assert (tmp_path / "index" / COMPLETE_MARKER).exists()
    assert service.index.stats()["articles"] == TOTAL and ingests.added == TOTAL
    assert [len(batch) for batch, _ in ingests.calls] == [1, BATCH, BATCH, BATCH]
    after = service.ask(TROOPS_AR, mode="extractive")
    assert after.notice is None and any("900" in c.quote and c.verified for c in after.citations)

    again = start(tmp_path / "index", sample_dir, embedder)  # a second start: nothing indexed again
    monkeypatch.setattr(again, "ingest_paths", lambda *a, **k: pytest.fail("the seed was indexed again"))
    monkeypatch.setattr(again.index, "ingest", lambda *a, **k: pytest.fail("the sample was indexed again"))
    assert begin_first_run(again, batch_articles=BATCH) is None
    assert not again.sample_ingest.snapshot().incomplete and again.ask(TROOPS_AR, mode="extractive").notice is None


def test_an_interrupted_first_run_indexes_only_what_is_missing(tmp_path, sample_dir, embedder, monkeypatch):
    data = tmp_path / "index"
    service = start(data, sample_dir, embedder)
    # What an interrupted first run leaves: its marker, the seed and the first 5 BBC articles.
    data.mkdir(parents=True, exist_ok=True)
    (data / STARTED_MARKER).touch()
    first = tmp_path / "first.jsonl"
    first.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in bbc_records(BBC, 4)[:5]), "utf-8")
    assert service.ingest_paths([sample_dir / SAMPLE_FILES[0], first]).added == 6
    assert sample_plan(data, service.index.stats()["articles"]) == "resume"

    resumed = start(data, sample_dir, embedder)
    ingests = Ingests(resumed)
    monkeypatch.setattr(resumed.index, "ingest", ingests)
    thread = begin_first_run(resumed, batch_articles=BATCH)
    assert thread is not None
    thread.join(WAIT_S)
    state = resumed.sample_ingest.snapshot()
    assert (state.resumed_from, state.done, state.total, state.error) == (6, TOTAL, TOTAL, None)
    seed, *rest = [report for _, report in ingests.calls]  # the seed is held already: skipped
    assert (seed.added, seed.unchanged) == (0, 1)
    assert sum(r.added for r in rest) == TOTAL - 6 and not any(r.unchanged for r in rest)
    assert resumed.index.stats()["articles"] == TOTAL and (data / COMPLETE_MARKER).exists()


def test_a_failing_background_ingest_is_logged_and_said_and_the_next_start_finishes_it(
    tmp_path, sample_dir, embedder, monkeypatch, caplog
):
    data = tmp_path / "index"
    service = start(data, sample_dir, embedder)

    def store_gone(n: int) -> None:
        if n == 3:  # after the seed and a batch
            raise StoreUnavailableError("the Chroma store went away")

    monkeypatch.setattr(service.index, "ingest", Ingests(service, store_gone))
    with caplog.at_level(logging.ERROR, logger="assistant.first_run"):
        thread = begin_first_run(service, batch_articles=BATCH)
        assert thread is not None
        thread.join(WAIT_S)
    assert "Indexing the sample corpus stopped" in caplog.text and "went away" in caplog.text
    state = service.sample_ingest.snapshot()
    assert state.error is not None and "went away" in state.error and state.done == 1 + BATCH
    assert not (data / COMPLETE_MARKER).exists()
    answer = service.ask(TROOPS_AR, mode="extractive")  # still answered, from what is indexed
    assert any("900" in c.quote for c in answer.citations)
    assert answer.notice == (
        f"Indexing the sample corpus stopped at {1 + BATCH} of {TOTAL} articles: this answer may miss sources."
    )

    restarted = start(data, sample_dir, embedder)
    thread = begin_first_run(restarted, batch_articles=BATCH)
    assert thread is not None
    thread.join(WAIT_S)
    assert restarted.sample_ingest.snapshot().resumed_from == 1 + BATCH
    assert restarted.index.stats()["articles"] == TOTAL and (data / COMPLETE_MARKER).exists()
