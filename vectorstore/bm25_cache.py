"""The BM25 cache beside the Chroma store, kept at the store's generation and saved atomically.

This process's writes change it in place; another process's writes make it load or rebuild in full.
A writer opens a ``PendingChange`` (which brings the cache up to date first), records the chunks it
adds and removes and the generations it sets, and ``finish`` applies the change to the cache. If
the store's generation or chunk count says someone else wrote meanwhile, ``finish`` rebuilds from
the stored chunks instead, so the cache never claims a generation it does not reflect.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from vectorstore.chroma_store import ChromaStore
from vectorstore.lexical import LexicalIndex

log = logging.getLogger(__name__)


@dataclass
class PendingChange:
    """One writer's changes since the cache was current at ``base.generation``."""

    base: LexicalIndex
    generation: str  # the store's generation as this writer last read or set it
    chunks: int  # the store's chunk count this writer expects
    added: dict[str, str] = field(default_factory=dict)  # chunk id -> text
    removed: set[str] = field(default_factory=set)
    foreign: bool = False  # another writer moved the generation: rebuild in full

    def add(self, chunks: Mapping[str, str]) -> None:
        self.added.update(chunks)
        self.chunks += len(chunks)

    def remove(self, chunk_ids: Iterable[str]) -> None:
        for chunk_id in chunk_ids:
            self.added.pop(chunk_id, None)
            self.removed.add(chunk_id)
            self.chunks -= 1

    def bump(self, store: ChromaStore) -> str:
        """Move the store's generation on, noting whether someone else had moved it since we did."""
        if store.generation() != self.generation:
            self.foreign = True
        self.generation = store.bump_generation()
        return self.generation


class Bm25Cache:
    """The lexical index of the store's committed chunks, on disk in ``folder``."""

    def __init__(self, store: ChromaStore, folder: Path, refresh_s: float = 30.0) -> None:
        self.store = store
        self.folder = folder
        self.refresh_s = refresh_s
        self._lock = threading.Lock()
        self._index: LexicalIndex | None = None
        self._checked = 0.0

    def current(self) -> LexicalIndex:
        """The index, loaded from disk or rebuilt when the store's generation moved on.

        The generation is read at most every ``refresh_s`` seconds (another process's writes show
        up within that time; this process's own writes update the cache at once)."""
        index = self._index
        if index is not None and time.monotonic() - self._checked < self.refresh_s:
            return index
        with self._lock:
            return self._up_to_date()

    def rebuild(self) -> None:
        """Rebuild from the stored chunks now."""
        with self._lock:
            self._install(self._rebuilt(self.store.generation()))

    def start_change(self) -> PendingChange:
        """Bring the cache up to date and open a change against it (call under the writer's lock)."""
        with self._lock:
            chunks = self.store.chunk_count()
            base = self._up_to_date()
            return PendingChange(base, base.generation, chunks)

    def finish(self, change: PendingChange) -> None:
        """Apply ``change`` (or rebuild in full if another writer was seen) and save the result."""
        with self._lock:
            if (
                change.foreign
                or self.store.generation() != change.generation
                or (self.store.chunk_count() != change.chunks)
            ):
                log.info("The store changed beside this writer; rebuilding the BM25 index %s.", self.folder)
                self._install(self._rebuilt(self.store.generation()))
                return
            index = change.base.changed(change.added, change.removed, change.generation)
            self._save(index)
            self._install(index)

    # ------------------------------------------------------------------ steps (under the lock)
    def _up_to_date(self) -> LexicalIndex:
        generation = self.store.generation()
        self._checked = time.monotonic()
        if self._index is not None and self._index.generation == generation:
            return self._index
        loaded = LexicalIndex.load(self.folder)
        if loaded is not None and loaded.generation == generation:
            self._index = loaded
            return loaded
        if loaded is None and generation != "0" and not LexicalIndex.saved_in(self.folder):
            log.warning("The BM25 index %s is missing; rebuilding it from the stored chunks.", self.folder)
        return self._install(self._rebuilt(generation))

    def _rebuilt(self, generation: str) -> LexicalIndex:
        """A full build from the committed chunks, labelled with the generation read before reading them."""
        ids: list[str] = []
        texts: list[str] = []
        for chunk_id, text in self.store.committed_chunk_texts():
            ids.append(chunk_id)
            texts.append(text)
        index = LexicalIndex.build(ids, texts, generation)
        self._save(index)
        return index

    def _save(self, index: LexicalIndex) -> None:
        try:
            index.save(self.folder)
        except OSError as exc:
            log.warning("Could not save the BM25 index to %s: %s", self.folder, exc)

    def _install(self, index: LexicalIndex) -> LexicalIndex:
        self._index = index
        self._checked = time.monotonic()
        return index
