"""Answer evaluation arithmetic on tiny known cases (no models)."""

import json

import pytest

from assistant.evaluation.answer_eval import load_claims, majority_baseline, verbatim_share, verdict_scores
from assistant.evidence import Citation
from vectorstore.records import StoredArticle

pytestmark = pytest.mark.unit


def test_verdict_scores_on_a_known_confusion():
    gold = ["supported", "supported", "contradicted", "contradicted"]
    predicted = ["supported", "contradicted", "contradicted", "not_enough_info"]
    scores = verdict_scores(gold, predicted)
    assert scores["accuracy"] == 0.5
    # supported: P 1/1, R 1/2 → F1 2/3; contradicted: P 1/2, R 1/2 → F1 1/2
    assert scores["macro_f1"] == pytest.approx((2 / 3 + 1 / 2) / 2)


def test_majority_baseline_predicts_the_commonest_label():
    base = majority_baseline(["supported"] * 3 + ["contradicted"])
    assert base["label"] == "supported"
    assert base["accuracy"] == 0.75
    assert base["macro_f1"] == pytest.approx((2 * 0.75 / 1.75) / 2)


def test_claims_are_filtered_by_split_and_indexed_source_and_limited_with_the_label_mix(tmp_path):
    rows = [
        {"claim": f"c{i}", "label": label, "ans_split": split, "urls": [url], "ant_docnos": []}
        for i, (label, split, url) in enumerate(
            [("agree", "dev", "u1"), ("agree", "dev", "u2"), ("agree", "dev", "u3"), ("disagree", "dev", "u4"),
             ("disagree", "train", "u1"), ("agree", "dev", "elsewhere")]
        )
    ]
    path = tmp_path / "claims.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows), encoding="utf-8")
    indexed = {"u1", "u2", "u3", "u4"}
    assert [c.claim for c in load_claims(path, indexed, "dev")] == ["c0", "c1", "c2", "c3"]
    assert [c.label for c in load_claims(path, indexed, "dev", limit=2)] == ["agree", "disagree"]
    assert len(load_claims(path, indexed, "all")) == 5


def _citation(quote: str, start: int, verified: bool = True) -> Citation:
    return Citation(1, "d1", "t", "s", "2018-01-01", "u", quote, start, start + len(quote), "", verified)


def test_verbatim_share_rereads_the_stored_article():
    article = StoredArticle("d1", "u", "t", "نص المقال كاملا.", "s", "2018-01-01", "u", "ar", 1)
    stored = {"d1": article}
    good, shifted, unverified = _citation("المقال", 3), _citation("المقال", 4), _citation("x", 0, verified=False)
    share = verbatim_share([good, shifted, unverified], lambda ids: stored)
    assert share == {"verified": 2, "verbatim": 1, "share": 0.5}


def test_verbatim_share_rereads_a_headline_against_the_stored_title():
    article = StoredArticle("d1", "u", "عنوان المقال", "نص المقال كاملا.", "s", "2018-01-01", "u", "ar", 1)
    title = Citation(1, "d1", "t", "s", "2018-01-01", "u", "عنوان المقال", 0, 0, "", True, headline=True)
    retitled = Citation(1, "d1", "t", "s", "2018-01-01", "u", "عنوان آخر", 0, 0, "", True, headline=True)
    share = verbatim_share([title, retitled], lambda ids: {"d1": article})
    assert share == {"verified": 2, "verbatim": 1, "share": 0.5}
