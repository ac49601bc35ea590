"""A BM25 index changed from its stored tokens scores and ranks exactly like one built from scratch.

Chunks are added and removed, before and after a save and a load."""

from __future__ import annotations

import pytest
from conftest import bbc_records

from ingest.arabic import lexical_tokens
from vectorstore.lexical import LexicalIndex

pytestmark = pytest.mark.unit
QUERIES = ("القوات الأمريكية في سوريا", "الحكومة العراقية والانتخابات", "مقتل مدنيين في غارات", "غزة")


@pytest.fixture(scope="module")
def paragraphs() -> dict[str, str]:
    """Real BBC Arabic paragraphs as chunks: id -> text."""
    chunks: dict[str, str] = {}
    for n, record in enumerate(bbc_records(limit=40, about_syria=10)):
        for i, text in enumerate(p for p in record["text"].split("\n") if p.strip()):
            chunks[f"{n:03d}:{i}"] = text
    return chunks


def ranking(index: LexicalIndex) -> list[list[tuple[str, float]]]:
    """Every query's full ranking: (chunk id, score) of each chunk scoring above zero."""
    return [[(h.chunk_id, h.score) for h in index.search(q, len(index))] for q in QUERIES]


def built(chunks: dict[str, str], generation: str = "g") -> LexicalIndex:
    return LexicalIndex.build(list(chunks), list(chunks.values()), generation)


def test_add_and_delete_give_the_scores_of_a_fresh_build(paragraphs: dict[str, str]) -> None:
    ids = sorted(paragraphs)
    first, added = ids[: len(ids) * 2 // 3], ids[len(ids) * 2 // 3 :]
    removed = [cid for cid in first if cid.startswith(("001:", "004:", "007:"))]
    assert removed and added
    start = built({cid: paragraphs[cid] for cid in first}, "g1")

    changed = start.changed({cid: paragraphs[cid] for cid in added}, removed, "g2")
    fresh = built({cid: paragraphs[cid] for cid in ids if cid not in removed}, "g2")

    assert changed.chunk_ids == fresh.chunk_ids and changed.generation == "g2"
    assert ranking(changed) == ranking(fresh)
    assert all(ranking(fresh)), "every query finds something"
    assert ranking(changed) != ranking(start), "the change moved the scores (N, avgdl, df)"


def test_the_change_is_exact_after_a_save_and_a_load(tmp_path, paragraphs: dict[str, str]) -> None:
    ids = sorted(paragraphs)
    built({cid: paragraphs[cid] for cid in ids[:-5]}, "g1").save(tmp_path / "bm25")
    loaded = LexicalIndex.load(tmp_path / "bm25")
    assert loaded is not None

    changed = loaded.changed({cid: paragraphs[cid] for cid in ids[-5:]}, ids[:3], "g2")
    changed.save(tmp_path / "bm25")
    reloaded = LexicalIndex.load(tmp_path / "bm25")

    fresh = built({cid: paragraphs[cid] for cid in ids[3:]}, "g2")
    assert reloaded is not None and reloaded.generation == "g2"
    assert ranking(changed) == ranking(reloaded) == ranking(fresh)


def test_a_word_only_removed_chunks_had_no_longer_matches(paragraphs: dict[str, str]) -> None:
    index = built({"a": "مباراة كرة القدم في الدوحة", "b": "أعلنت الحكومات عن خطة جديدة"})
    assert [h.chunk_id for h in index.search("الدوحة", 5)] == ["a"]
    changed = index.changed({"c": "القوات الأمريكية في سوريا"}, ["a"], "g2")
    assert changed.search("الدوحة", 5) == []
    assert [h.chunk_id for h in changed.search("سوريا", 5)] == ["c"]


def test_removing_every_chunk_and_adding_to_an_empty_index(paragraphs: dict[str, str]) -> None:
    two = dict(list(paragraphs.items())[:2])
    emptied = built(two).changed({}, list(two), "g2")
    assert len(emptied) == 0 and emptied.search("سوريا", 5) == []
    refilled = LexicalIndex.build([], [], "g0").changed(two, [], "g3")
    assert ranking(refilled) == ranking(built(two, "g3"))


def test_an_added_chunk_is_tokenised_once_with_the_shipped_analyzer(monkeypatch, paragraphs: dict[str, str]) -> None:
    index = built(dict(list(paragraphs.items())[:30]))
    calls: list[str] = []

    def counting(text: str) -> list[str]:
        calls.append(text)
        return lexical_tokens(text)

    monkeypatch.setattr("vectorstore.lexical.lexical_tokens", counting)
    index.changed({"new:0": "خبر جديد عن سوريا"}, [next(iter(paragraphs))], "g2")
    assert calls == ["خبر جديد عن سوريا"], "the other chunks keep their stored tokens"
