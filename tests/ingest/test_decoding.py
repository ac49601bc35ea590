"""decode_bytes: UTF-8, checked Windows-1256 fallback, binary and undecodable input refused."""

from __future__ import annotations

import codecs
import gzip

import pytest

from ingest.decoding import BINARY, EMPTY, UNDECODABLE, decode_bytes, refuse_binary
from ingest.errors import LoadError

pytestmark = pytest.mark.unit

ARABIC = "أعلنت الحكومة اليوم عن خطة جديدة للتعليم، وقال الوزير إن «الخطة» ستبدأ في 2025.\nهل تنجح؟"
ENGLISH = "The minister said the plan starts in 2025.\r\nIt will cost $3.5bn."


def _reason(data: bytes) -> str:
    with pytest.raises(LoadError) as info:
        decode_bytes(data, "f.txt")
    assert info.value.origin == "f.txt"
    return str(info.value)


@pytest.mark.parametrize("text", [ARABIC, ENGLISH, 'Mixed: قال الوزير "yes" — 2025'])
def test_utf8_round_trips_exactly(text: str) -> None:
    assert decode_bytes(text.encode("utf-8"), "f.txt") == text


def test_utf8_bom_is_stripped() -> None:
    assert decode_bytes(codecs.BOM_UTF8 + ARABIC.encode("utf-8"), "f.txt") == ARABIC


def test_windows_1256_arabic_is_decoded() -> None:
    data = ARABIC.encode("cp1256")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")  # the fallback is really exercised
    assert decode_bytes(data, "f.txt") == ARABIC


def test_utf16_with_bom_is_decoded() -> None:
    assert decode_bytes(ARABIC.encode("utf-16"), "f.txt") == ARABIC


@pytest.mark.parametrize(
    "data",
    [
        "Español: el año y la mañana en España.".encode("cp1252"),  # ñ would read as an Arabic mark
        "café, déjà vu, à la carte".encode("latin-1"),  # no Arabic at all
        ARABIC.encode("utf-8")[:-5] + b"\xd8",  # broken UTF-8
        bytes(range(0x80, 0x100)) * 4,
    ],
)
def test_other_encodings_are_refused(data: bytes) -> None:
    assert _reason(data) == UNDECODABLE


def test_empty_and_bom_only_are_empty() -> None:
    assert _reason(b"") == EMPTY
    assert _reason(codecs.BOM_UTF8) == EMPTY
    assert EMPTY == "empty file"


def test_nul_bytes_mean_binary() -> None:
    assert _reason(b"some text\x00\x00\x01 more") == BINARY == "binary file (not text)"


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "PDF"),
        (b"PK\x03\x04\x14\x00\x06\x00", "ZIP"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "PNG"),
        (gzip.compress(b"hello"), "gzip"),
    ],
)
def test_known_binary_formats_are_named(data: bytes, kind: str) -> None:
    reason = _reason(data)
    assert reason.startswith(BINARY)
    assert kind in reason


def test_many_control_characters_mean_binary() -> None:
    assert _reason(b"\x01\x02\x03\x04abc" * 100) == BINARY
    with pytest.raises(LoadError, match="binary"):
        refuse_binary(b"\x1b\x1c\x1d\x1e" * 10, "x")


def test_a_few_form_feeds_and_tabs_are_still_text() -> None:
    text = "col1\tcol2\fpage two\n" * 20
    assert decode_bytes(text.encode(), "f.txt") == text
