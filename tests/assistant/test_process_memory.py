"""The malloc arena cap of a long-running server: set where glibc is, a no-op elsewhere."""

import platform

import pytest

from assistant.process_memory import limit_malloc_arenas

pytestmark = pytest.mark.unit


def test_no_cap_is_asked_for_zero_or_when_the_environment_sets_one(monkeypatch):
    assert limit_malloc_arenas(0) is False
    monkeypatch.setenv("MALLOC_ARENA_MAX", "4")
    assert limit_malloc_arenas(2) is False


@pytest.mark.skipif(platform.system() != "Linux" or platform.libc_ver()[0] != "glibc", reason="glibc only")
def test_glibc_takes_the_cap(monkeypatch):
    monkeypatch.delenv("MALLOC_ARENA_MAX", raising=False)
    assert limit_malloc_arenas(2) is True
