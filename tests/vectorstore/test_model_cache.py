"""Building model files once, safely: the lock serialises builders, a failed build leaves the old target."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from vectorstore.model_cache import (
    atomic_file,
    atomic_folder,
    atomic_write_text,
    exclusive_lock,
    file_fingerprint,
    marker_matches,
    read_marker,
    write_marker,
)

pytestmark = pytest.mark.unit
PROJECT_ROOT = Path(__file__).resolve().parents[2]


def test_builders_of_one_target_take_turns(tmp_path: Path) -> None:
    target = tmp_path / "model"
    inside: list[int] = []
    overlaps: list[int] = []

    def build(n: int) -> None:
        with exclusive_lock(target):
            inside.append(n)
            if len(inside) > 1:
                overlaps.append(n)
            time.sleep(0.05)
            inside.remove(n)

    workers = [threading.Thread(target=build, args=(n,)) for n in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(10)
    assert overlaps == []
    assert (tmp_path / ".model.lock").is_file()


def test_the_lock_is_held_across_processes(tmp_path: Path) -> None:
    target = tmp_path / "model"
    script = (
        "import sys, time\n"
        "from pathlib import Path\n"
        "from vectorstore.model_cache import exclusive_lock\n"
        "with exclusive_lock(Path(sys.argv[1])):\n"
        "    print('locked', flush=True); time.sleep(60)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}
    child = subprocess.Popen([sys.executable, "-c", script, str(target)], stdout=subprocess.PIPE, env=env)
    try:
        assert child.stdout is not None and child.stdout.readline() == b"locked\n"
        acquired = threading.Event()

        def wait_for_lock() -> None:
            with exclusive_lock(target):
                acquired.set()

        waiter = threading.Thread(target=wait_for_lock, daemon=True)
        waiter.start()
        assert not acquired.wait(0.5), "the lock was taken while another process held it"
        child.send_signal(signal.SIGKILL)  # a dead holder releases it
        assert acquired.wait(10)
    finally:
        child.kill()
        child.wait(30)


def test_a_failed_file_build_keeps_the_old_file_and_leaves_no_staging(tmp_path: Path) -> None:
    target = tmp_path / "model.bin"
    target.write_bytes(b"old and complete")
    with pytest.raises(RuntimeError), exclusive_lock(target), atomic_file(target) as out:
        out.write(b"half of the new")
        raise RuntimeError("killed mid-way")
    assert target.read_bytes() == b"old and complete"
    assert sorted(p.name for p in tmp_path.iterdir()) == [".model.bin.lock", "model.bin"]


def test_a_file_build_replaces_the_target_readable_by_all(tmp_path: Path) -> None:
    target = tmp_path / "model.bin"
    with exclusive_lock(target), atomic_file(target) as out:
        out.write(b"new")
    assert target.read_bytes() == b"new"
    assert target.stat().st_mode & 0o777 == 0o644


def test_a_failed_folder_build_keeps_the_old_folder(tmp_path: Path) -> None:
    target = tmp_path / "model"
    target.mkdir()
    (target / "weights").write_text("old")
    with pytest.raises(RuntimeError), exclusive_lock(target), atomic_folder(target) as staging:
        (staging / "weights").write_text("half")
        raise RuntimeError("killed mid-way")
    assert (target / "weights").read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == [".model.lock", "model"]


def test_a_folder_build_replaces_the_old_one_and_clears_leftovers(tmp_path: Path) -> None:
    target = tmp_path / "model"
    target.mkdir()
    (target / "stale").write_text("old")
    (tmp_path / ".model.building-killed").mkdir()  # what a killed build left
    (tmp_path / ".model.old-killed").mkdir()
    (tmp_path / ".model.building-killed.part").write_bytes(b"half")
    (tmp_path / ".other.building-x").mkdir()  # another target's: not ours to remove
    with exclusive_lock(target), atomic_folder(target) as staging:
        (staging / "sub").mkdir()
        (staging / "sub" / "weights").write_text("new")
    assert sorted(p.name for p in target.rglob("*")) == ["sub", "weights"]
    assert target.stat().st_mode & 0o777 == 0o755
    assert (target / "sub" / "weights").stat().st_mode & 0o777 == 0o644
    assert sorted(p.name for p in tmp_path.iterdir()) == [".model.lock", ".other.building-x", "model"]


def test_a_marker_vouches_only_for_what_it_records(tmp_path: Path) -> None:
    model = tmp_path / "model.bin"
    model.write_bytes(b"weights")
    marker = tmp_path / "model.bin.verified.json"
    assert not marker_matches(marker, {"sha256": "abc"})  # no marker yet
    write_marker(marker, {"sha256": "abc", **file_fingerprint(model), "note": "عربي"})
    assert json.loads(marker.read_text(encoding="utf-8"))["note"] == "عربي"
    assert marker_matches(marker, {"sha256": "abc", **file_fingerprint(model)})
    assert not marker_matches(marker, {"sha256": "abd"})
    time.sleep(0.01)
    model.write_bytes(b"changed weights")
    assert not marker_matches(marker, {"sha256": "abc", **file_fingerprint(model)})
    marker.write_text("[1, 2]")  # valid JSON, not a record
    assert read_marker(marker) is None and not marker_matches(marker, {})
    marker.write_text("{cut sho")
    assert read_marker(marker) is None


def test_atomic_write_text_replaces_whole_and_leaves_no_temp(tmp_path: Path) -> None:
    path = tmp_path / "notes.json"
    path.write_text("old")
    atomic_write_text(path, "جديد")
    assert path.read_text(encoding="utf-8") == "جديد"
    assert [p.name for p in tmp_path.iterdir()] == ["notes.json"]
