"""`isnad train fusion` end to end on a slice of the real ARCD (real e5, real Chroma and BM25): the model file
loads, its report holds the grouped cross-validation of every ordering, and a retriever built with it finds
a question's paragraph."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import CACHE_DIR, SHARED_DATA
from typer.testing import CliRunner

from assistant.cli import app
from assistant.fusion import FusionModel

pytestmark = pytest.mark.integration

PAGES = 8


@pytest.fixture(scope="module")
def arcd_slice(tmp_path_factory: pytest.TempPathFactory) -> Path:
    source = SHARED_DATA / "arcd" / "arcd-train.json"
    if not source.exists():
        pytest.skip(f"the shared data is not at {SHARED_DATA}")
    data = json.loads(source.read_text(encoding="utf-8"))
    out = tmp_path_factory.mktemp("arcd-data")
    (out / "arcd").mkdir()
    (out / "arcd" / "arcd-train.json").write_text(
        json.dumps({**data, "data": data["data"][:PAGES]}, ensure_ascii=False), encoding="utf-8")
    return out


@pytest.fixture(scope="module")
def trained(arcd_slice: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("fusion-model") / "fusion.json"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("ISNAD_CACHE_DIR", str(CACHE_DIR))
        result = CliRunner().invoke(app, ["train", "fusion", "--data-dir", str(arcd_slice), "--out", str(out),
                                          "--json"])
    assert result.exit_code == 0, result.output
    return out, json.loads(result.stdout.splitlines()[-1])


def test_the_trained_model_loads_with_its_cross_validated_scores(trained: tuple[Path, dict]):
    path, report = trained
    model = FusionModel.load(path)
    assert report["model"] == str(path)
    assert model.meta["trained_on"].startswith("arcd")
    cv = report["cross_validation_5_fold_by_page"]
    assert set(cv) == {"learned", "rrf", "dense", "bm25"}
    for scores in cv.values():
        assert 0.0 <= scores["recall@1"] <= scores["recall@5"] <= 1.0
    # On its own training questions a fitted model is not worse than both legs it combines.
    in_sample = report["in_sample"]
    assert in_sample["learned"]["recall@5"] >= min(in_sample["dense"]["recall@5"], in_sample["bm25"]["recall@5"])


def test_a_retriever_with_the_model_finds_a_question_paragraph(trained: tuple[Path, dict], arcd_slice: Path):
    from assistant.evaluation.retrieval_eval import article_ranking, eval_index, load_arcd
    from assistant.retrieval import Retriever
    from assistant.settings import Settings
    from vectorstore.embeddings import load_embedder

    settings = Settings(cache_dir=CACHE_DIR)
    eval_set = load_arcd(arcd_slice)
    embedder = load_embedder(settings.embedding_model, settings.cache_dir, dtype=settings.embedding_dtype)
    retriever_model = FusionModel.load(trained[0])
    with eval_index(eval_set, settings, embedder) as (index, _):
        retriever = Retriever(index, embedder, fusion=retriever_model)
        keys_by_doc = {a.doc_id: a.key for a in eval_set.articles}
        questions = eval_set.questions[:10]
        top5 = [article_ranking(retriever, q.text, keys_by_doc)[:5] for q in questions]
    assert sum(bool(q.gold & set(ranking)) for q, ranking in zip(questions, top5, strict=True)) >= 8
