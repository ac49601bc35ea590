"""Crash safety: `isnad ingest` killed with SIGKILL midway, a crash inside the write of a batch, and
a damaged or missing BM25 cache. After each, the index is consistent (Chroma and BM25 hold the same
committed chunks, no half-indexed article is visible) and re-running the ingest completes it."""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from conftest import bbc_records, make_settings
from reliability_helpers import BIN, SYRIA_QUESTION_AR, isnad_env, run_isnad, wait_until, write_bbc_corpus

from assistant.evaluation.audit import audit_index
from assistant.service import IsnadService
from vectorstore.lexical import LexicalIndex

pytestmark = pytest.mark.reliability
BATCH = 64  # NewsIndex.ingest commits this many articles at a time
# tqdm: "embedding: 128 chunks [00:09, 13.2 chunks/s]" or "embedding:  60%|██   | 128/212 [00:09<00:06, …]";
# anchored on "embedding:" so other bars on stderr ("Loading weights: 100%|…| 199/199 [") never count.
_PROGRESS = re.compile(r"embedding:[^\r\n\[]*?(\d+)(?: chunks|/\d+) \[")


def short_articles(path: Path, count: int) -> Path:
    """``count`` real BBC Arabic articles cut to their first two sentences (one chunk each), so a
    run commits several batches in seconds."""
    with path.open("w", encoding="utf-8") as out:
        for n, record in enumerate(bbc_records(limit=count, about_syria=0)):
            lines = [line for line in record["text"].split("\n") if line.strip()][:2]
            record["text"] = "\n".join(lines)[:400] + f" ({n})"
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    return path


def open_service(data: Path, embedder) -> IsnadService:
    return IsnadService.from_settings(make_settings(data), embedder=embedder)


def visible_doc_ids(service: IsnadService) -> set[str]:
    """Doc ids of every chunk the queries can return (dense and BM25, far past the usual depth)."""
    index = service.index
    seen = set()
    for article in service.library()[:5]:
        text = service.article(article.doc_id).text  # type: ignore[union-attr]
        vector = service.embedder.encode_query(text[:300]).tolist()
        seen |= {h.chunk.doc_id for h in index.dense_search(vector, 500)}
        seen |= {h.chunk.doc_id for h in index.lexical_search(text[:300], 500)}
    return seen


def added_unchanged(stderr: str) -> tuple[int, int]:
    match = re.search(r"added (\d+), unchanged (\d+)", stderr)
    assert match, stderr
    return int(match.group(1)), int(match.group(2))


def test_ingest_killed_midway_leaves_a_consistent_index(tmp_path: Path, embedder) -> None:
    corpus = short_articles(tmp_path / "short.jsonl", 3 * BATCH + 20)
    data = tmp_path / "index"
    env = isnad_env(data)
    progress = tmp_path / "progress.txt"
    with progress.open("wb") as err:
        process = subprocess.Popen([str(BIN / "isnad"), "ingest", str(corpus)], env=env, cwd=tmp_path,
                                   stdout=subprocess.DEVNULL, stderr=err)

    def embedded() -> int:
        counts = _PROGRESS.findall(progress.read_text(errors="replace"))
        return int(counts[-1]) if counts else 0

    # Past the first batch (committed) and inside the second: kill -9.
    wait_until(lambda: embedded() > BATCH or process.poll() is not None, "the ingest to pass one batch", 600)
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert process.returncode == -signal.SIGKILL, "the ingest finished before it could be killed"

    service = open_service(data, embedder)
    audit = audit_index(service.index)
    assert audit.consistent, audit.summary()
    assert 0 < audit.articles < 3 * BATCH + 20 and audit.articles % BATCH == 0, audit.summary()
    committed = {a.doc_id for a in service.library()}
    assert visible_doc_ids(service) <= committed

    rerun = run_isnad(["ingest", str(corpus)], env, cwd=tmp_path)
    assert rerun.returncode == 0, rerun.stderr
    assert added_unchanged(rerun.stderr) == (3 * BATCH + 20 - audit.articles, audit.articles)
    final = audit_index(open_service(data, embedder).index)
    assert final.consistent and not final.orphan_chunks, final.summary()
    assert final.articles == 3 * BATCH + 20 and final.chunks == final.articles  # one chunk each, none twice


CRASH_INSIDE_A_BATCH = textwrap.dedent("""
    import os, signal, sys
    from pathlib import Path
    from assistant.service import IsnadService
    from assistant.settings import Settings
    from vectorstore.chroma_store import ChromaStore

    bumps = 0
    bump = ChromaStore.bump_generation

    def bump_then_die(self):
        # Each batch bumps the generation twice: after its chunks are written (before its article
        # records), and at its end. The third bump is batch 2 with chunks written, records not.
        global bumps
        bumps += 1
        generation = bump(self)
        if bumps == 3:
            os.kill(os.getpid(), signal.SIGKILL)
        return generation

    ChromaStore.bump_generation = bump_then_die
    service = IsnadService.from_settings(Settings(_env_file=None))
    service.ingest_paths([Path(sys.argv[1])])
""")


def test_crash_between_chunks_and_article_record_hides_the_half_indexed_articles(tmp_path: Path, embedder) -> None:
    corpus = short_articles(tmp_path / "short.jsonl", BATCH + 10)
    data = tmp_path / "index"
    crashed = subprocess.run([sys.executable, "-c", CRASH_INSIDE_A_BATCH, str(corpus)], env=isnad_env(data),
                             cwd=tmp_path, capture_output=True, text=True, timeout=600)
    assert crashed.returncode == -signal.SIGKILL, crashed.stderr

    service = open_service(data, embedder)
    audit = audit_index(service.index)
    assert audit.articles == BATCH and audit.consistent, audit.summary()
    assert len(audit.orphan_chunks) == 10, "the second batch's chunks were written without their articles"
    orphans = service.index.get_chunks(audit.orphan_chunks)
    hidden = {c.doc_id for c in orphans.values()}
    for chunk in list(orphans.values())[:3]:  # its own text is the best possible query for it
        vector = service.embedder.encode_query(chunk.text).tolist()
        assert not {h.chunk.doc_id for h in service.index.dense_search(vector, 50)} & hidden
        assert not {h.chunk.doc_id for h in service.index.lexical_search(chunk.text, 50)} & hidden

    rerun = run_isnad(["ingest", str(corpus)], isnad_env(data), cwd=tmp_path)
    assert rerun.returncode == 0, rerun.stderr
    assert added_unchanged(rerun.stderr) == (10, BATCH)
    final = audit_index(open_service(data, embedder).index)
    assert final.consistent and not final.orphan_chunks and final.articles == BATCH + 10, final.summary()


@pytest.fixture(scope="module")
def bm25_index(tmp_path_factory: pytest.TempPathFactory, embedder) -> tuple[Path, list[str]]:
    """A small index and the BM25 ranking of an Arabic question over it."""
    data = tmp_path_factory.mktemp("bm25")
    corpus = write_bbc_corpus(data.parent / f"{data.name}-corpus", bbc=3)
    service = open_service(data, embedder)
    assert service.ingest_paths([corpus]).added == 4
    return data, [h.chunk.chunk_id for h in service.index.lexical_search(SYRIA_QUESTION_AR, 10)]


def _garbage_matrix(folder: Path) -> None:
    for npy in folder.glob("*.npy"):
        npy.write_bytes(b"\x93NUMPY garbage" + os.urandom(64))


def _truncated_meta(folder: Path) -> None:
    meta = folder / "isnad_meta.json"
    meta.write_text(meta.read_text()[:20])


def _other_chunk_list(folder: Path) -> None:
    meta = folder / "isnad_meta.json"
    record = json.loads(meta.read_text())
    record["chunk_ids"] = record["chunk_ids"][:-1]
    meta.write_text(json.dumps(record))


def _emptied_folder(folder: Path) -> None:
    for file in folder.iterdir():
        file.unlink()


@pytest.mark.parametrize(
    "damage", [_garbage_matrix, _truncated_meta, _other_chunk_list, _emptied_folder, shutil.rmtree],
    ids=["garbage-matrix", "truncated-meta", "chunk-list-mismatch", "emptied-folder", "missing-folder"],
)
def test_damaged_or_missing_bm25_cache_is_rebuilt_with_a_warning(
    bm25_index: tuple[Path, list[str]], damage, embedder, caplog: pytest.LogCaptureFixture
) -> None:
    data, ranking = bm25_index
    folder = next(data.glob("bm25-*"))
    assert LexicalIndex.load(folder) is not None
    damage(folder)
    caplog.set_level(logging.WARNING)
    service = open_service(data, embedder)
    assert [h.chunk.chunk_id for h in service.index.lexical_search(SYRIA_QUESTION_AR, 10)] == ranking
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any("BM25" in w and str(folder) in w and "rebuil" in w for w in warnings), warnings
    assert LexicalIndex.load(folder) is not None, "the rebuilt index was saved again"
    assert audit_index(service.index).consistent
