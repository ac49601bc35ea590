"""Hostile input: 30+ broken, huge, binary, mis-encoded and sneaky files ingested together into an
index that already holds articles, and bad questions.

Every file gets a rejection naming it and the reason, or is loaded correctly; nothing already
indexed is lost; the ingest process's memory stays bounded.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import SAMPLE, make_settings
from hostile_files import (
    ARABIC_CP1256,
    ARABIC_UTF16,
    HTML_BODY,
    MIXED_LINE_CP1256,
    SCRIPT_MARKER,
    Case,
    write_hostile_set,
)
from reliability_helpers import SYRIA_QUESTION_AR, isnad_env, run_isnad, write_bbc_corpus

from assistant.errors import BadQuestionError
from assistant.service import IsnadService
from ingest.loaders import DEFAULT_MAX_FILE_BYTES, load_paths
from ingest.models import LoadResult

pytestmark = pytest.mark.reliability
GB = 1 << 30


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Case]]:
    root = tmp_path_factory.mktemp("hostile")
    secret = root / "outside" / "secret.txt"
    secret.parent.mkdir()
    secret.write_text("a file outside the ingested folder\n")
    folder = root / "inbox"
    return folder, write_hostile_set(folder, secret, DEFAULT_MAX_FILE_BYTES)


def outcome(result: LoadResult, folder: Path, case: Case) -> tuple[list[str], int]:
    """(rejection reasons, number of articles) for one hostile file."""
    path = str(folder.resolve() / case.name)
    mine = [r for r in result.rejections if r.origin == path or r.origin.startswith((path + ":", path + "#"))]
    articles = [a for a in result.articles if a.origin == path or a.origin.startswith(path + ":")]
    return [r.reason for r in mine], len(articles)


def test_each_hostile_file_is_rejected_with_its_reason_or_loaded(hostile: tuple[Path, list[Case]]) -> None:
    folder, cases = hostile
    assert len(cases) >= 20
    result = load_paths([folder])
    for case in cases:
        reasons, articles = outcome(result, folder, case)
        assert len(reasons) == len(case.rejected), (case.what, reasons)
        for reason, expected in zip(sorted(reasons), sorted(case.rejected), strict=True):
            assert expected in reason, (case.what, reason)
        if case.accepted >= 0:
            assert articles == case.accepted, (case.what, articles)
    named = {r.origin for r in result.rejections}
    assert all(o.startswith(str(folder.resolve())) for o in named), "every rejection names its file"
    by_origin = {a.origin: a for a in result.articles}
    assert by_origin[str(folder.resolve() / "arabic_cp1256.txt")].text == ARABIC_CP1256
    assert by_origin[str(folder.resolve() / "arabic_utf16.txt")].text == ARABIC_UTF16
    assert by_origin[str(folder.resolve() / "mixed_lines.jsonl") + ":2"].text == MIXED_LINE_CP1256
    page = by_origin[str(folder.resolve() / "script.html")]
    assert HTML_BODY in page.text
    assert SCRIPT_MARKER not in page.text and "alert" not in page.text and "document.cookie" not in page.text


def test_hostile_files_ingested_into_a_live_index(hostile: tuple[Path, list[Case]], tmp_path: Path, embedder) -> None:
    """`isnad ingest` of the whole hostile folder into an index that already holds articles."""
    folder, cases = hostile
    corpus = write_bbc_corpus(tmp_path / "corpus", bbc=4)
    data = tmp_path / "index"
    env = isnad_env(data)

    first = run_isnad(["ingest", str(corpus)], env, cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    kept = {a.doc_id for a in IsnadService.from_settings(make_settings(data), embedder=embedder).library()}
    assert len(kept) == 5

    second = run_isnad(["ingest", str(folder)], env, cwd=tmp_path)
    assert second.returncode == 1, second.stderr  # files were rejected; the rest was indexed
    rejected_lines = [line for line in second.stderr.splitlines() if line.startswith("rejected ")]
    for case in cases:
        first_line_of_name = case.name.split("\n")[0]
        for reason in case.rejected:
            assert any(first_line_of_name in line and reason in line for line in rejected_lines), case.what
    # Memory stays bounded: 50 MB files and a gzip bomb expanding to 240 MB are never read whole.
    assert second.peak_rss < first.peak_rss + 2 * GB, (first.peak_rss, second.peak_rss)

    after = IsnadService.from_settings(make_settings(data), embedder=embedder)
    now = {a.doc_id: a for a in after.library()}
    assert kept <= set(now), "nothing already indexed is lost"
    accepted = {a.doc_id: a for a in load_paths([folder]).articles}
    assert set(now) == kept | set(accepted)
    long_line = next(d for d, a in accepted.items() if a.origin.endswith("long_line.txt"))
    assert now[long_line].chunks > 3  # one long line is cut into several chunks, not truncated into one
    answer = after.ask(SYRIA_QUESTION_AR, mode="extractive")
    assert any("900" in c.quote and c.verified for c in answer.citations)
    assert json.loads(run_isnad(["status"], env, cwd=tmp_path).stdout)["articles"] == len(now)


@pytest.mark.parametrize(
    ("question", "message"),
    [
        ("", "empty"),
        ("   \n\t  ", "empty"),
        ("\x00\x01\x02\x1b\x7f", "empty"),
        ("س" * 100_000, "100,000 characters"),
        ("a" * 100_001 + "\x00", "100,001 characters"),
    ],
    ids=["empty", "whitespace", "only-control-characters", "100k-chars", "100k-chars-and-nul"],
)
def test_bad_questions_get_clear_errors(question: str, message: str, tmp_path: Path, embedder) -> None:
    service = IsnadService.from_settings(make_settings(tmp_path), embedder=embedder)
    with pytest.raises(BadQuestionError, match=message):
        service.ask(question)


def test_control_characters_are_removed_from_a_real_question(tmp_path: Path, embedder) -> None:
    service = IsnadService.from_settings(make_settings(tmp_path), embedder=embedder)
    service.ingest_paths([SAMPLE / "seed_article_ar.json"])
    answer = service.ask("\x1b[2J" + SYRIA_QUESTION_AR.replace(" ", "\x00 ", 1) + "\x07", mode="extractive")
    assert "\x00" not in answer.question and "\x1b" not in answer.question and "\x07" not in answer.question
    assert any("900" in c.quote and c.verified for c in answer.citations)
