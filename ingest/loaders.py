"""Files and folders to articles: .txt, .md, .html/.htm, .json, .jsonl/.ndjson, and gzipped JSON.

A bad file or record never stops a load: it becomes a ``Rejection`` with a reason a journalist can act
on, and everything else still loads. Stored text is the decoded original, never normalised.

Size limits (``max_file_bytes``, 20 MB by default):
- .txt, .md, .html, .json: the file may be at most ``max_file_bytes``;
- .jsonl/.ndjson (plain or gzipped) is streamed line by line: each line may be at most
  ``max_file_bytes``; a plain file has no total limit;
- anything gzipped may expand to at most ``10 * max_file_bytes``, else the whole file is rejected
  (a "zip bomb" guard) and none of its articles are kept.

This module walks folders and hands each file to its reader by extension: ``ingest.documents``
(text, Markdown, HTML), ``ingest.json_files`` (JSON, JSON Lines), whose records become articles in
``ingest.records``.
"""

from __future__ import annotations

import os
import zlib
from collections.abc import Iterable
from pathlib import Path

from ingest.decoding import decode_bytes
from ingest.documents import html_article, text_article
from ingest.errors import LoadError
from ingest.json_files import load_json, load_jsonl
from ingest.models import LoadResult, Rejection
from ingest.reading import GZIP_EXPANSION_LIMIT, TooBig, human_size, read_error_reason, read_gzip, too_big_reason

DEFAULT_MAX_FILE_BYTES = 20_000_000

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
            return load_jsonl(path, origin, max_file_bytes, gzipped)
        if gzipped:
            data = read_gzip(path, max_file_bytes * GZIP_EXPANSION_LIMIT)
        else:
            size = path.stat().st_size
            if size > max_file_bytes:
                reason = f"file is {human_size(size)}, over the {human_size(max_file_bytes)} limit"
                return LoadResult(rejections=[Rejection(origin, reason)])
            data = path.read_bytes()
        text = decode_bytes(data, origin)
    except LoadError as error:
        return LoadResult(rejections=[Rejection(origin, error.reason)])
    except TooBig:
        return LoadResult(rejections=[Rejection(origin, too_big_reason(max_file_bytes))])
    except (OSError, EOFError, zlib.error) as error:
        return LoadResult(rejections=[Rejection(origin, read_error_reason(error, gzipped))])
    if fmt == _TEXT:
        return text_article(text, origin)
    if fmt == _HTML:
        return html_article(text, origin)
    return load_json(text, data, origin, max_file_bytes)
