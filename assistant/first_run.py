"""The first run: the seed article indexed at once, the rest of the sample corpus in the background.

`begin_first_run` decides from two markers in the data folder (``.sample-started``, written before the
first article; ``.sample-complete``, written once every sample article is indexed) whether the sample
is to be indexed, indexes the seed article before returning, and starts a thread for the rest, whose
progress a `SampleIngest` (the service's ``sample_ingest``) keeps for the status line and for the
notice on answers made meanwhile. A restart after an interruption indexes only what is missing (the
index skips the articles it holds); a complete index is never indexed again.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from assistant.notices import Notice
from ingest.loaders import load_paths
from ingest.models import Article

if TYPE_CHECKING:  # the service imports this module for SampleIngest
    from assistant.service import IsnadService

log = logging.getLogger(__name__)
STARTED_MARKER = ".sample-started"
COMPLETE_MARKER = ".sample-complete"
BATCH_ARTICLES = 16  # the index's writer is free between batches (a Library upload need not wait)


@dataclass(frozen=True)
class IngestProgress:
    """A moment of the background ingest: articles ``done`` of ``total`` (``resumed_from`` of them were
    indexed before this run), when it ``started`` and ``finished`` (monotonic seconds), its ``error``."""

    total: int = 0
    done: int = 0
    resumed_from: int = 0
    started: float | None = None
    finished: float | None = None
    error: str | None = None
    now: float = 0.0

    @property
    def running(self) -> bool:
        return self.started is not None and self.finished is None and self.error is None

    @property
    def incomplete(self) -> bool:
        """Started and not (yet) done: answers may miss sample articles."""
        return self.started is not None and self.finished is None

    @property
    def per_minute(self) -> float | None:
        """Articles indexed per minute in this run; None before any."""
        if self.started is None:
            return None
        indexed = self.done - self.resumed_from
        elapsed = (self.now if self.finished is None else self.finished) - self.started
        return 60.0 * indexed / elapsed if indexed > 0 and elapsed > 0 else None

    @property
    def seconds_left(self) -> float | None:
        """The time left at this run's rate; None before any article."""
        rate = self.per_minute
        return 60.0 * (self.total - self.done) / rate if rate else None


@dataclass
class SampleIngest:
    """The background ingest's state, written by its thread and read by the service and the UI."""

    clock: Callable[[], float] = time.monotonic
    _state: IngestProgress = field(default_factory=IngestProgress)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def start(self, total: int, done: int) -> None:
        with self._lock:
            self._state = IngestProgress(total=total, done=done, resumed_from=done, started=self.clock())

    def advance(self, articles: int) -> None:
        with self._lock:
            self._state = replace(self._state, done=min(self._state.total, self._state.done + articles))

    def finish(self) -> None:
        with self._lock:
            self._state = replace(self._state, finished=self.clock())

    def fail(self, error: str) -> None:
        with self._lock:
            self._state = replace(self._state, error=error or "unknown error")

    def snapshot(self) -> IngestProgress:
        with self._lock:
            return replace(self._state, now=self.clock())

    def notice(self) -> Notice | None:
        """What an answer made now must say: the sample is still being indexed, or stopped part way."""
        state = self.snapshot()
        if not state.incomplete:
            return None
        code = "sample_indexing" if state.running else "sample_incomplete"
        return Notice(code, done=state.done, total=state.total)


# ---------------------------------------------------------------------------- the decision


def sample_plan(data_dir: Path, articles_indexed: int) -> str:
    """What a start does with the sample corpus: "complete" (indexed before: nothing), "resume" (a
    first run was interrupted: index what is missing), "first" (an empty index: index it all), or
    "keep" (an index filled otherwise, by `isnad ingest` or an older version: left as it is)."""
    if (data_dir / COMPLETE_MARKER).exists():
        return "complete"
    if (data_dir / STARTED_MARKER).exists():
        return "resume"
    return "first" if articles_indexed == 0 else "keep"


def begin_first_run(
    service: IsnadService, batch_articles: int = BATCH_ARTICLES, say: Callable[[str], None] = log.info
) -> threading.Thread | None:
    """Index the seed article now and the rest of the sample in a started background thread (returned),
    on a first run or after an interrupted one; None when the sample is not to be indexed. ``say``
    tells the operator how it goes (a line at the start, every tenth of the way and at the end)."""
    data_dir = service.settings.data_dir
    plan = sample_plan(data_dir, int(service.index.stats()["articles"]))
    if plan in ("complete", "keep"):
        return None
    data_dir.mkdir(parents=True, exist_ok=True)
    (data_dir / STARTED_MARKER).touch()
    paths = service.sample_paths()
    seed = service.ingest_paths(paths[:1])
    articles = _sample_articles(paths, service.settings.max_file_bytes)
    held = service.index.committed_ids(a.doc_id for a in articles)
    missing = [a for a in articles if a.doc_id not in held]
    service.sample_ingest.start(total=len(articles), done=len(articles) - len(missing))
    say(f"Sample corpus ({'first run' if plan == 'first' else 'resumed'}): the seed article indexed in "
        f"{seed.seconds:.1f} s; {len(missing):,} of {len(articles):,} articles are indexed in the background "
        "while the UI serves.")
    thread = threading.Thread(
        target=index_missing, args=(service, missing, batch_articles, say), name="isnad-sample-ingest", daemon=True
    )
    thread.start()
    return thread


def index_missing(
    service: IsnadService, missing: Sequence[Article], batch_articles: int = BATCH_ARTICLES,
    say: Callable[[str], None] = log.info,
) -> None:
    """Index the ``missing`` sample articles a batch at a time, counted into ``service.sample_ingest``
    (already started); the complete marker once all are in. A failure is logged and kept."""
    state = service.sample_ingest
    told = 0
    try:
        for begin in range(0, len(missing), batch_articles):
            batch = missing[begin : begin + batch_articles]
            service.index.ingest(batch)
            state.advance(len(batch))
            if (begin + len(batch)) * 10 // len(missing) > told:  # every tenth of the way
                told = (begin + len(batch)) * 10 // len(missing)
                progress = state.snapshot()
                say(f"  {progress.done:,} of {progress.total:,} articles ({progress.per_minute or 0:.0f}/min)")
        (service.settings.data_dir / COMPLETE_MARKER).touch()
        state.finish()
        say(f"The sample corpus is indexed ({state.snapshot().total:,} articles).")
    except Exception as exc:  # the UI keeps serving what is indexed; the status line says it stopped
        log.exception("Indexing the sample corpus stopped")
        state.fail(f"{type(exc).__name__}: {exc}")


def _sample_articles(paths: Sequence[Path], max_file_bytes: int) -> list[Article]:
    """The sample corpus's articles, each once (by doc id), in order; what cannot be read is logged."""
    loaded = load_paths(paths, max_file_bytes=max_file_bytes)
    for rejection in loaded.rejections:
        log.warning("Sample corpus: %s", rejection)
    first: dict[str, Article] = {}
    for article in loaded.articles:
        first.setdefault(article.doc_id, article)
    return list(first.values())
