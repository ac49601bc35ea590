import json
from itertools import pairwise
from pathlib import Path

import pytest

from ingest.chunking import chunk_article, split_sentences
from ingest.models import Article

pytestmark = pytest.mark.unit
SEED_RECORD = Path(__file__).resolve().parents[2] / "sample_corpus" / "seed_article_ar.json"


def words(text: str) -> int:
    return len(text.split())


def test_sentences_end_at_arabic_and_latin_punctuation():
    text = "قال المسؤول: هل انتهت المهمة؟ لا؛ ستستمر. The U.S. has 2.5 million troops! Yes…\nNew line"
    spans = split_sentences(text)
    pieces = [text[a:b] for a, b in spans]
    assert pieces == [
        "قال المسؤول: هل انتهت المهمة؟",
        "لا؛",
        "ستستمر.",
        "The U.S. has 2.5 million troops!",
        "Yes…",
        "New line",
    ]


def test_closing_quote_stays_with_its_sentence():
    text = "وقال: “الولايات المتحدة لن تنسحب من العراق”. ثم غادر."
    pieces = [text[a:b] for a, b in split_sentences(text)]
    assert pieces[0].endswith("”.")


@pytest.mark.parametrize("limit", [20, 60, 150])
def test_chunks_keep_exact_offsets_and_respect_the_budget(limit):
    text = json.loads(SEED_RECORD.read_text(encoding="utf-8"))["text"]
    article = Article(key="seed", title="t", text=text)
    chunks = chunk_article(article, words, max_tokens=limit, overlap_sentences=1)
    assert chunks, "no chunks"
    for chunk in chunks:
        assert chunk.text == text[chunk.start : chunk.end]
        assert words(chunk.text) <= limit
        assert chunk.doc_id == article.doc_id
    covered: set[int] = set()
    for chunk in chunks:
        covered.update(range(chunk.start, chunk.end))
    # every visible character of every sentence is in some chunk
    for a, b in split_sentences(text):
        assert {i for i in range(a, b) if not text[i].isspace()} <= covered


def test_consecutive_chunks_overlap_by_a_sentence():
    text = " ".join(f"Sentence number {i} is here." for i in range(40))
    chunks = chunk_article(Article(key="k", title="t", text=text), words, max_tokens=30, overlap_sentences=1)
    assert len(chunks) > 2
    for first, second in pairwise(chunks):
        assert second.start < first.end


def test_a_sentence_longer_than_the_budget_is_cut_at_words():
    text = " ".join(["كلمة"] * 100) + "."
    chunks = chunk_article(Article(key="k", title="t", text=text), words, max_tokens=30, overlap_sentences=0)
    assert len(chunks) >= 4
    assert all(words(c.text) <= 30 and c.text == text[c.start : c.end] for c in chunks)
