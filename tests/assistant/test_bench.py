import json
import math

import pytest
from conftest import SHARED_DATA, make_settings

from assistant.evaluation.bench import (
    ANT_FILE,
    CLAIMS_FILE,
    bench_questions,
    format_report,
    parse_scales,
    percentiles_ms,
    run_isnad,
    run_naive,
    sample_articles,
)
from ingest.models import Article


def article(n: int, title: str = "") -> Article:
    return Article(key=f"http://example.org/{n}", title=title or f"عنوان {n}", text=f"نص المقال رقم {n}.")


@pytest.mark.unit
def test_scales_are_numbers_or_all():
    assert parse_scales("1000, 10k,all") == [1000, 10000, None]
    with pytest.raises(ValueError, match="--scales"):
        parse_scales("1000,lots")
    with pytest.raises(ValueError, match="--scales"):
        parse_scales("0")


@pytest.mark.unit
def test_smaller_scales_are_prefixes_of_larger_ones_and_all_is_everything():
    articles = [article(n) for n in range(50)]
    small, large, every = (sample_articles(articles, s) for s in (10, 30, None))
    assert large[:10] == small
    assert sorted(a.key for a in every) == sorted(a.key for a in articles)
    assert small != articles[:10]  # shuffled, not the file's first articles


@pytest.mark.unit
def test_queries_are_sampled_claims_then_titles_with_every_article_of_that_title_as_gold(tmp_path):
    sample = [article(1), article(2, "الخبر نفسه"), article(3, "الخبر نفسه"), article(4)]
    claims = tmp_path / "claims.jsonl"
    claims.write_text(
        "\n".join(json.dumps({"claim": c, "urls": urls}, ensure_ascii=False) for c, urls in [
            ("ادعاء عن المقال الأول", ["http://example.org/1"]),
            ("ادعاء عن مقال غير موجود", ["http://example.org/99"]),
        ]),
        encoding="utf-8",
    )
    questions = bench_questions(sample, claims, titles=4)
    assert questions[0].text == "ادعاء عن المقال الأول"
    assert questions[0].gold == {"http://example.org/1"}
    assert len(questions) == 1 + 4
    same = [q for q in questions if q.text == "الخبر نفسه"]
    assert same and all(q.gold == {"http://example.org/2", "http://example.org/3"} for q in same)


@pytest.mark.unit
def test_percentiles_in_milliseconds():
    assert percentiles_ms([0.1] * 19 + [1.1]) == {"p50_ms": 100.0, "p95_ms": 150.0}
    assert all(math.isnan(v) for v in percentiles_ms([]).values())


@pytest.mark.unit
def test_report_names_the_machine_both_pipelines_and_the_ratio():
    side = {"ingest_s": 10.0, "articles_per_s": 1.0, "chunks_per_s": 3.0, "tokens_per_s": 500, "chunks": 30,
            "index_mb": 1.0, "peak_rss_mb": 900.0, "retrieve": {"p50_ms": 50.0, "p95_ms": 80.0},
            "quality": {"recall@1": 0.5, "recall@5": 0.75, "mrr@10": 0.6}}
    isnad = side | {"reingest_s": 0.1, "reingest_unchanged": 10, "reingest_ratio": 0.01,
                    "answer_extractive": {"p50_ms": 900.0, "p95_ms": 1200.0},
                    "retrieve_with_sentence_stage": {"p50_ms": 2000.0, "p95_ms": 3000.0}}
    result = {
        "machine": {"date": "2026-11-29T10:00:00+00:00", "cpu": "AMD EPYC", "cores": 2, "avx512": False,
                    "amx": False, "memory_gb": 23.4, "torch": "2.13.0", "torch_threads": 2},
        "corpus": {"articles": 17796, "load_s": 6.0},
        "scales": [{"scale": 10, "articles": 10, "questions": 4, "isnad": isnad,
                    "naive": side | {"ingest_s": 20.0}, "speedup": 2.0}],
    }
    text = format_report(result)
    for expected in ("AMD EPYC", "2 cores", "2026-11-29", "isnad", "naive", "2.0×", "1.00% of the first ingest"):
        assert expected in text


@pytest.mark.integration
@pytest.mark.skipif(not (SHARED_DATA / ANT_FILE).exists(), reason="shared data not present")
def test_both_pipelines_on_a_few_ant_articles(tmp_path):
    """Real e5, real Chroma: Isnad's ingest, the re-ingest that skips everything, and the naive pipeline."""
    from ingest.loaders import load_paths
    from vectorstore.e5_offline import build_e5_model

    articles = [a for a in load_paths([SHARED_DATA / ANT_FILE]).articles[:400] if len(a.text) < 1500][:6]
    questions = bench_questions(articles, SHARED_DATA / CLAIMS_FILE, titles=6)
    settings = make_settings(tmp_path / "unused")
    ours = run_isnad(settings, articles, questions, latency_n=3, answers_n=2)
    assert ours["articles"] == 6 and ours["reingest_unchanged"] == 6 and ours["reingest_added"] == 0
    assert ours["tokens"] > ours["chunks"] >= 6
    assert ours["quality"]["recall@5"] > 0.5  # titles find their own article among six
    assert ours["retrieve"]["p50_ms"] > 0 and ours["answer_extractive"]["p50_ms"] > 0
    naive = run_naive(build_e5_model(settings.cache_dir / "multilingual-e5-small"), articles, questions, 3, 5)
    assert naive["chunks"] >= 6 and naive["quality"]["recall@5"] > 0.5
