"""Bytes to text for ingest: UTF-8 first, Windows-1256 (Arabic Windows code page) as a checked fallback.

Binary files and text in any other encoding are refused with a reason instead of being loaded as
mojibake: a wrongly decoded article would later be quoted wrongly.
"""

from __future__ import annotations

import codecs
import re

from ingest.errors import LoadError

EMPTY = "empty file"
BINARY = "binary file (not text)"
UNDECODABLE = "cannot decode: not UTF-8 or Windows-1256 text"

_SAMPLE = 8192  # bytes inspected for binary content
_MAX_CONTROL_SHARE = 0.10

_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive or Office document"),
    (b"PK\x05\x06", "a ZIP archive"),
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\x1f\x8b", "gzip-compressed data"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old Microsoft Office document"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"Rar!\x1a\x07", "a RAR archive"),
    (b"\xfd7zXZ\x00", "xz-compressed data"),
    (b"\x7fELF", "a program"),
)

# Bytes that are not control characters (tab, LF, VT, FF, CR and everything from space up, minus DEL).
_TEXT_BYTES = bytes([9, 10, 11, 12, 13, *range(32, 127), *range(128, 256)])
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")

# For judging a Windows-1256 decoding.
_ARABIC_LETTER = re.compile(r"[\u0620-\u065F\u066E-\u06D5]")
_LATIN_LETTER = re.compile(r"[A-Za-z]")
_ARABIC_BLOCK = re.compile(r"[\u0600-\u06FF]")
_NORMAL_PUNCT = set("\u00a0\u200c\u200d\u200e\u200f«»–—‘’“”…•°")
_MAX_ODD_SHARE = 0.05


def decode_bytes(data: bytes, origin: str) -> str:
    """Decode a text file's bytes, or raise ``LoadError`` (its ``origin`` set to ``origin``; the
    reason itself does not repeat it).

    Order: refuse empty and binary input; strip a UTF-8 BOM; strict UTF-8; a UTF-16 file with a BOM
    (Windows Notepad's "Unicode"); then Windows-1256, accepted only when the result reads as Arabic.
    """
    try:
        return _decode(data)
    except LoadError as error:
        error.origin = origin
        raise


def _decode(data: bytes) -> str:
    if not data:
        raise LoadError(EMPTY)
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) and not data.startswith(codecs.BOM_UTF32_LE):
        return _decode_utf16(data)
    _refuse_binary(data)
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
        if not data:
            raise LoadError(EMPTY)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    text = data.decode("cp1256", errors="replace")
    if _reads_as_arabic(text):
        return text
    raise LoadError(UNDECODABLE)


def refuse_binary(data: bytes, origin: str = "") -> None:
    """Raise ``LoadError`` when ``data`` (a file's start) is binary: known magic bytes, a NUL byte
    anywhere, or more than 10% control characters in the first 8 KB."""
    try:
        _refuse_binary(data)
    except LoadError as error:
        error.origin = origin
        raise


def _refuse_binary(data: bytes) -> None:
    for magic, kind in _MAGIC:
        if data.startswith(magic):
            raise LoadError(f"{BINARY}: it looks like {kind}")
    sample = data[:_SAMPLE]
    if b"\x00" in sample:
        raise LoadError(BINARY)
    control = len(sample.translate(None, _TEXT_BYTES))
    if control > _MAX_CONTROL_SHARE * len(sample):
        raise LoadError(BINARY)
    late_nul = data.find(b"\x00", _SAMPLE)
    if late_nul >= 0:  # e.g. a file a crash left padded with zeros: its text would be quoted with junk
        raise LoadError(f"{BINARY}: it holds NUL bytes from byte {late_nul:,} on (a damaged or partly binary file)")


def _decode_utf16(data: bytes) -> str:
    try:
        text = data.decode("utf-16")  # uses and drops the BOM
    except UnicodeDecodeError:
        raise LoadError(UNDECODABLE) from None
    if not text:
        raise LoadError(EMPTY)
    sample = text[:_SAMPLE]
    if len(_CONTROL_CHARS.findall(sample)) > _MAX_CONTROL_SHARE * len(sample):
        raise LoadError(BINARY)
    return text


def _reads_as_arabic(text: str) -> bool:
    """True when a Windows-1256 decoding looks like real Arabic, not another code page's mojibake.

    Wrongly decoded Latin-1/Windows-1252 text shows accented Latin letters and symbols ("odd"
    characters) and Arabic letters glued inside Latin words ("Espaٌol").
    """
    if "\ufffd" in text or not _ARABIC_LETTER.search(text):
        return False
    non_ascii = [c for c in text if ord(c) > 127]
    odd = sum(1 for c in non_ascii if not _ARABIC_BLOCK.match(c) and c not in _NORMAL_PUNCT)
    if odd > _MAX_ODD_SHARE * len(non_ascii):
        return False
    words = [w for w in text.split() if _ARABIC_LETTER.search(w)]
    mixed = sum(1 for w in words if _LATIN_LETTER.search(w))
    return mixed <= _MAX_ODD_SHARE * len(words)
