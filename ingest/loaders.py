"""Files and folders to articles: .txt, .md, .html/.htm, .json, .jsonl/.ndjson, and gzipped JSON.

A bad file or record never stops a load: it becomes a ``Rejection`` with a reason a journalist can act
on, and everything else still loads. Stored text is the decoded original, never normalised.

Size limits (``max_file_bytes``, 20 MB by default):
- .txt, .md, .html, .json: the file may be at most ``max_file_bytes``;
- .jsonl/.ndjson (plain or gzipped) is streamed line by line: each line may be at most
  ``max_file_bytes``; a plain file has no total limit;
- anything gzipped may expand to at most ``10 * max_file_bytes``, else the whole file is rejected
  (a "zip bomb" guard) and none of its articles are kept.
"""

from __future__ import annotations

import codecs
import gzip
import io
import json
import os
import re
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlsplit

from ingest.arabic import detect_language
from ingest.chunking import split_sentences
from ingest.dates import parse_date
from ingest.decoding import decode_bytes, refuse_binary
from ingest.errors import LoadError
from ingest.models import Article, LoadResult, Rejection

DEFAULT_MAX_FILE_BYTES = 20_000_000
GZIP_EXPANSION_LIMIT = 10  # a gzipped file may expand to this many times max_file_bytes

_TEXT, _HTML, _JSON, _JSONL = "text", "html", "json", "jsonl"
_KINDS: dict[str, tuple[str, bool]] = {  # extension -> (kind, gzipped); longest match wins
    ".txt": (_TEXT, False),
    ".md": (_TEXT, False),
    ".html": (_HTML, False),
    ".htm": (_HTML, False),
    ".json": (_JSON, False),
    ".jsonl": (_JSONL, False),
    ".ndjson": (_JSONL, False),
    ".json.gz": (_JSON, True),
    ".jsonl.gz": (_JSONL, True),
    ".ndjson.gz": (_JSONL, True),
}
SUPPORTED_EXTENSIONS: tuple[str, ...] = tuple(_KINDS)

# ANT corpus source codes (its `src` field, matched case-insensitively) to outlet names.
ANT_SOURCES: dict[str, str] = {
    "bbc": "BBC Arabic",
    "skynews": "Sky News Arabia",
    "cnn": "CNN Arabic",
    "france24": "France 24",
    "alarabiya": "Al Arabiya",
    "alarabia": "Al Arabiya",
}

# Record fields, first non-empty one wins.
TEXT_FIELDS = ("text", "content", "body")
TITLE_FIELDS = ("title", "headline")
DATE_FIELDS = ("time", "date", "published", "published_at", "pubDate")
SOURCE_FIELDS = ("src", "source", "outlet", "publisher")
URL_FIELDS = ("url", "link")

TITLE_MAX_CHARS = 120
_LONG_FIRST_LINE = 200
TOO_DEEP = "malformed JSON: nested too deeply to be an article (arrays or objects inside each other thousands deep)"
_MD_HEADING = re.compile(r"#{1,6}(?:\s+(.*?))?(?:\s+#+)?\s*$")


class _TooBig(Exception):
    pass


class _ByteLines(Protocol):
    def readline(self, size: int = -1, /) -> bytes: ...


def load_paths(paths: Iterable[Path | str], *, max_file_bytes: int = DEFAULT_MAX_FILE_BYTES) -> LoadResult:
    """Load several files and folders, in the order given."""
    result = LoadResult()
    for path in paths:
        result.extend(load_path(Path(path), max_file_bytes=max_file_bytes))
    return result


def load_path(path: Path | str, *, max_file_bytes: int = DEFAULT_MAX_FILE_BYTES) -> LoadResult:
    """Load one file, or every supported file under a folder (recursively, in sorted order).

    In a folder, hidden files and folders are skipped silently; links are followed only to files
    inside the folder, and a link pointing outside it is rejected.
    """
    path = Path(path)
    if not path.exists():
        return LoadResult(rejections=[Rejection(str(path), "no such file or folder")])
    if path.is_dir():
        return _load_folder(path.resolve(), max_file_bytes)
    return _load_file(path.resolve(), max_file_bytes)


def first_sentence(text: str, limit: int = TITLE_MAX_CHARS) -> str:
    """The text's first sentence (as the chunker splits them: at . ! ? ؟ ؛ … or a line break, not in
    "U.S." or "3.5"), a final "." dropped, at most ``limit`` characters: cut at a word boundary with
    "…" when longer."""
    spans = split_sentences(text, 0, min(len(text), max(4 * limit, 1000)))  # only the start matters
    if spans:
        text = text[spans[0][0] : spans[0][1]]
    text = " ".join(text.split()).removesuffix(".")
    if len(text) <= limit:
        return text
    cut = text.rfind(" ", 0, limit)
    return text[: cut if cut > limit // 2 else limit - 1].rstrip() + "…"


def source_name(value: str) -> str:
    """An outlet name for a record's source field: ANT codes mapped (``"skynews"`` -> ``"Sky News
    Arabia"``), anything else kept as written."""
    value = value.strip()
    return ANT_SOURCES.get(value.lower(), value)


# --- folders -----------------------------------------------------------------------------------


def _load_folder(root: Path, max_file_bytes: int) -> LoadResult:
    result = LoadResult()
    files: list[Path] = []

    def walk_error(error: OSError) -> None:
        result.rejections.append(Rejection(str(error.filename), f"cannot read folder: {error.strerror}"))

    for dirpath, dirnames, filenames in os.walk(root, onerror=walk_error):
        here = Path(dirpath)
        kept = []
        for name in sorted(dirnames):
            if name.startswith("."):
                continue
            if (here / name).is_symlink():  # never followed (loops); reported when it leaves the folder
                if not _inside(here / name, root):
                    result.rejections.append(Rejection(str(here / name), "link points outside the folder"))
                continue
            kept.append(name)
        dirnames[:] = kept
        files.extend(here / name for name in filenames if not name.startswith("."))

    loaded: set[Path] = set()
    for file in sorted(files, key=lambda f: f.relative_to(root).parts):
        if file.is_symlink():
            if not file.exists():
                result.rejections.append(Rejection(str(file), "broken link (its target does not exist)"))
                continue
            if not _inside(file, root):
                result.rejections.append(Rejection(str(file), "link points outside the folder"))
                continue
        target = file.resolve()
        if target in loaded:
            continue
        loaded.add(target)
        result.extend(_load_file(target, max_file_bytes))
    if not files and not result.rejections:
        result.rejections.append(Rejection(str(root), "empty folder: no files to load"))
    return result


def _inside(path: Path, root: Path) -> bool:
    return path.resolve().is_relative_to(root)


# --- files -------------------------------------------------------------------------------------


def _kind(path: Path) -> tuple[str, bool] | None:
    name = path.name.lower()
    for ext in sorted(_KINDS, key=len, reverse=True):
        if name.endswith(ext) and len(name) > len(ext):
            return _KINDS[ext]
    return None


def _unsupported(path: Path) -> str:
    suffixes = path.suffixes[-2:] if path.suffix.lower() == ".gz" else path.suffixes[-1:]
    ext = "".join(suffixes).lower()
    what = f"'{ext}'" if ext else "(no extension)"
    return f"unsupported file type {what} (supported: {', '.join(SUPPORTED_EXTENSIONS)})"


def _load_file(path: Path, max_file_bytes: int) -> LoadResult:
    origin = str(path)
    kind = _kind(path)
    if kind is None:
        return LoadResult(rejections=[Rejection(origin, _unsupported(path))])
    fmt, gzipped = kind
    if not path.is_file():
        return LoadResult(rejections=[Rejection(origin, "not a regular file")])
    try:
        if fmt == _JSONL:
            return _load_jsonl(path, origin, max_file_bytes, gzipped)
        if gzipped:
            data = _read_gzip(path, max_file_bytes * GZIP_EXPANSION_LIMIT)
        else:
            size = path.stat().st_size
            if size > max_file_bytes:
                reason = f"file is {_size(size)}, over the {_size(max_file_bytes)} limit"
                return LoadResult(rejections=[Rejection(origin, reason)])
            data = path.read_bytes()
        text = decode_bytes(data, origin)
    except LoadError as error:
        return LoadResult(rejections=[Rejection(origin, error.reason)])
    except _TooBig:
        return LoadResult(rejections=[Rejection(origin, _too_big(max_file_bytes))])
    except (OSError, EOFError, zlib.error) as error:
        return LoadResult(rejections=[Rejection(origin, _read_error(error, gzipped))])
    if fmt == _TEXT:
        return _text_article(text, origin)
    if fmt == _HTML:
        return html_article(text, origin)
    return _load_json(text, data, origin, max_file_bytes)


def _read_gzip(path: Path, limit: int) -> bytes:
    with gzip.open(path, "rb") as stream:
        data = stream.read(limit + 1)
    if len(data) > limit:
        raise _TooBig
    return data


def _too_big(max_file_bytes: int) -> str:
    limit = _size(max_file_bytes * GZIP_EXPANSION_LIMIT)
    return f"compressed file expands to more than {limit} (the limit); not loaded"


def _read_error(error: BaseException, gzipped: bool) -> str:
    if isinstance(error, gzip.BadGzipFile):
        return "not a valid gzip file"
    if gzipped and isinstance(error, EOFError | zlib.error):
        return "gzip file is truncated or corrupt"
    if isinstance(error, OSError) and error.strerror:
        return f"cannot read file: {error.strerror}"
    return f"cannot read file: {error}"


def _size(n: int) -> str:
    if n >= 1_000_000:
        return f"{n / 1_000_000:.1f}".removesuffix(".0") + " MB"
    if n >= 1_000:
        return f"{n / 1_000:.1f}".removesuffix(".0") + " KB"
    return f"{n} bytes"


def _no_text(detail: str) -> str:
    return f"no text ({detail})"


def _article(
    text: str, origin: str, key: str, title: str = "", source: str = "", published: str = "", url: str = ""
) -> Article:
    return Article(
        key=key,
        title=title or first_sentence(text),
        text=text,
        source=source,
        published=published,
        url=url,
        language=detect_language(text),
        origin=origin,
    )


# --- .txt / .md --------------------------------------------------------------------------------


def _text_article(text: str, origin: str) -> LoadResult:
    if not text.strip():
        return LoadResult(rejections=[Rejection(origin, _no_text("the file holds only whitespace"))])
    return LoadResult(articles=[_article(text, origin, key=origin, title=_text_title(text))])


def _text_title(text: str) -> str:
    """The first non-empty line without Markdown heading marks; its first sentence if it is long."""
    for line in text.splitlines():
        line = line.strip()
        if heading := _MD_HEADING.match(line):
            line = heading.group(1)
        if line:
            return line if len(line) <= _LONG_FIRST_LINE else first_sentence(line)
    return ""


# --- .html -------------------------------------------------------------------------------------


def html_article(html: str, origin: str, url: str = "") -> LoadResult:
    """The article in an HTML page (trafilatura): text, title, site name, date. ``url`` is where
    the page was fetched from, when it was (it beats the page's own canonical link)."""
    from trafilatura import bare_extraction  # heavy import, only when HTML is loaded

    try:
        doc = bare_extraction(
            html,
            url=url or None,
            with_metadata=True,
            include_comments=False,
            as_dict=True,
            date_extraction_params={"extensive_search": False, "original_date": True},
        )
    except Exception as error:  # a parser failure on one hostile page must not stop the load
        reason = f"cannot extract an article from this HTML page ({type(error).__name__})"
        return LoadResult(rejections=[Rejection(origin, reason)])
    meta: dict[str, Any] = doc if isinstance(doc, dict) else {}
    text = meta.get("text") or ""
    if not isinstance(text, str) or not text.strip():
        return LoadResult(rejections=[Rejection(origin, _no_text("no article text found in the page"))])
    url = url or _string(meta.get("url"))
    article = _article(
        text,
        origin,
        key=url or origin,
        title=_string(meta.get("title")),
        source=_string(meta.get("sitename")) or _string(meta.get("hostname")),
        published=parse_date(_string(meta.get("date"))),
        url=url,
    )
    return LoadResult(articles=[article])


# --- .json -------------------------------------------------------------------------------------


def _load_json(text: str, data: bytes, origin: str, max_file_bytes: int) -> LoadResult:
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
        return _records([(origin, origin, value)])
    if isinstance(value, list):
        return _records((f"{origin}#{i}", f"{origin}#{i}", rec) for i, rec in enumerate(value, start=1))
    reason = 'not an article: expected a JSON object, a list of them, or {"articles": [...]}'
    return LoadResult(rejections=[Rejection(origin, reason)])


def _records(items: Iterable[tuple[str, str, Any]]) -> LoadResult:
    """(origin, fallback key, record) triples to articles and rejections."""
    result = LoadResult()
    for origin, key, record in items:
        article = _record_article(record, origin, key)
        if isinstance(article, Article):
            result.articles.append(article)
        else:
            result.rejections.append(Rejection(origin, article))
    return result


def _record_article(record: Any, origin: str, key: str) -> Article | str:
    """An article from one JSON record, or the reason it is not one."""
    if not isinstance(record, dict):
        return "not an article: expected a JSON object"
    text = next((v for f in TEXT_FIELDS if isinstance(v := record.get(f), str) and v.strip()), None)
    if text is None:
        return _no_text(f"no non-empty {', '.join(repr(f) for f in TEXT_FIELDS)} field")
    url = _field(record, URL_FIELDS)
    return _article(
        text,
        origin,
        key=url or key,
        title=_field(record, TITLE_FIELDS),
        source=source_name(_field(record, SOURCE_FIELDS)) or _hostname(url),
        published=parse_date(_field(record, DATE_FIELDS)),
        url=url,
    )


def _field(record: dict[str, Any], names: tuple[str, ...]) -> str:
    for name in names:
        value = record.get(name)
        if isinstance(value, dict):  # e.g. {"source": {"id": "bbc-news", "name": "BBC News"}}
            value = value.get("name")
        if isinstance(value, str) and value.strip():
            return value.strip()
    return ""


def _string(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _hostname(url: str) -> str:
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:
        return ""
    return host.removeprefix("www.")


# --- .jsonl ------------------------------------------------------------------------------------


def _load_jsonl(path: Path, origin: str, max_file_bytes: int, gzipped: bool) -> LoadResult:
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
                reason = f"line is longer than the {_size(max_line)} limit"
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
            article = _record_article(record, line_origin, f"{origin}#{lineno}")
            if isinstance(article, Article):
                result.articles.append(article)
            else:
                result.rejections.append(Rejection(line_origin, article))
    except LoadError as error:  # binary content: the whole file is refused
        return LoadResult(rejections=[Rejection(origin, error.reason)])
    except _TooBig:
        return LoadResult(rejections=[Rejection(origin, _too_big(max_line))])
    except (OSError, EOFError, zlib.error) as error:
        read = len(result.articles) + len(result.rejections)
        reason = _read_error(error, gzipped=True)
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
    holding it in memory). Raises ``_TooBig`` once more than ``total_limit`` bytes were read, and
    ``LoadError`` when the file starts with binary content."""
    total = 0

    def count(chunk: bytes) -> None:
        nonlocal total
        total += len(chunk)
        if total_limit is not None and total > total_limit:
            raise _TooBig

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
