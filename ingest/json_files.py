"""JSON and JSON Lines files to articles: one record, a list or {"articles": [...]}, or one record a line.

JSON Lines is streamed line by line, so a bad line becomes its own rejection (``origin:LINE``) and
the lines after it still load.
"""

from __future__ import annotations

import codecs
import gzip
import io
import json
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Protocol

from ingest.decoding import decode_bytes, refuse_binary
from ingest.errors import LoadError
from ingest.models import Article, LoadResult, Rejection
from ingest.reading import GZIP_EXPANSION_LIMIT, TooBig, human_size, read_error_reason, too_big_reason
from ingest.records import load_records, record_article

TOO_DEEP = "malformed JSON: nested too deeply to be an article (arrays or objects inside each other thousands deep)"


class _ByteLines(Protocol):
    def readline(self, size: int = -1, /) -> bytes: ...


def load_json(text: str, data: bytes, origin: str, max_file_bytes: int) -> LoadResult:
    """The articles in a .json file's decoded ``text`` (``data``: its bytes, re-read as JSON Lines
    when the file holds one object per line)."""
    try:
        value = json.loads(text)
    except json.JSONDecodeError as error:
        if error.msg == "Extra data":  # one object per line: JSON Lines under a .json name
            return _jsonl_from_stream(io.BytesIO(data), origin, max_file_bytes, None)
        reason = f"malformed JSON at line {error.lineno}, column {error.colno}: {error.msg}"
        return LoadResult(rejections=[Rejection(origin, reason)])
    except RecursionError:
        return LoadResult(rejections=[Rejection(origin, TOO_DEEP)])
    if isinstance(value, dict) and isinstance(value.get("articles"), list):
        value = value["articles"]
    if isinstance(value, dict):
        return load_records([(origin, origin, value)])
    if isinstance(value, list):
        return load_records((f"{origin}#{i}", f"{origin}#{i}", rec) for i, rec in enumerate(value, start=1))
    reason = 'not an article: expected a JSON object, a list of them, or {"articles": [...]}'
    return LoadResult(rejections=[Rejection(origin, reason)])


def load_jsonl(path: Path, origin: str, max_file_bytes: int, gzipped: bool) -> LoadResult:
    """The articles in a .jsonl/.ndjson file (gzipped or not), streamed; each line at most ``max_file_bytes``."""
    with gzip.open(path, "rb") if gzipped else path.open("rb") as stream:
        total_limit = max_file_bytes * GZIP_EXPANSION_LIMIT if gzipped else None
        return _jsonl_from_stream(stream, origin, max_file_bytes, total_limit)


def _jsonl_from_stream(stream: _ByteLines, origin: str, max_line: int, total_limit: int | None) -> LoadResult:
    """Records one per line; a rejection per bad line (``origin:LINE``), the rest still load."""
    result = LoadResult()
    try:
        for lineno, raw in _lines(stream, max_line, total_limit):
            line_origin = f"{origin}:{lineno}"
            if raw is None:
                reason = f"line is longer than the {human_size(max_line)} limit"
                result.rejections.append(Rejection(line_origin, reason))
                continue
            if lineno == 1:
                raw = raw.removeprefix(codecs.BOM_UTF8)
            if not raw.strip():
                continue
            record = _parse_line(raw, line_origin)
            if isinstance(record, Rejection):
                result.rejections.append(record)
                continue
            article = record_article(record, line_origin, f"{origin}#{lineno}")
            if isinstance(article, Article):
                result.articles.append(article)
            else:
                result.rejections.append(Rejection(line_origin, article))
    except LoadError as error:  # binary content: the whole file is refused
        return LoadResult(rejections=[Rejection(origin, error.reason)])
    except TooBig:
        return LoadResult(rejections=[Rejection(origin, too_big_reason(max_line))])
    except (OSError, EOFError, zlib.error) as error:
        read = len(result.articles) + len(result.rejections)
        reason = read_error_reason(error, gzipped=True)
        if read:
            reason += f"; records after the first {read} were not read"
        result.rejections.append(Rejection(origin, reason))
    return result


def _parse_line(raw: bytes, origin: str) -> Any:
    """A JSON value, or a ``Rejection`` naming the line."""
    try:
        line = raw.decode("utf-8")
    except UnicodeDecodeError:
        try:
            line = decode_bytes(raw, origin)
        except LoadError as error:
            return Rejection(origin, error.reason)
    try:
        return json.loads(line)
    except json.JSONDecodeError as error:
        return Rejection(origin, f"malformed JSON: {error.msg} (column {error.colno})")
    except RecursionError:
        return Rejection(origin, TOO_DEEP)


def _lines(stream: _ByteLines, max_line: int, total_limit: int | None) -> Iterator[tuple[int, bytes | None]]:
    """(line number, bytes) from 1; ``None`` for a line longer than ``max_line`` (skipped without
    holding it in memory). Raises ``TooBig`` once more than ``total_limit`` bytes were read, and
    ``LoadError`` when the file starts with binary content."""
    total = 0

    def count(chunk: bytes) -> None:
        nonlocal total
        total += len(chunk)
        if total_limit is not None and total > total_limit:
            raise TooBig

    lineno = 0
    while raw := stream.readline(max_line + 1):
        count(raw)
        lineno += 1
        if lineno == 1:
            refuse_binary(raw)  # a binary file is refused whole, before it is read through
        if len(raw) > max_line and not raw.endswith(b"\n"):
            while not raw.endswith(b"\n") and (raw := stream.readline(1 << 20)):
                count(raw)
            yield lineno, None
        else:
            yield lineno, raw
