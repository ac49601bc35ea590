"""Imports point one way: app.py → assistant → vectorstore → ingest; nothing imports app.py."""

import ast
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit
ROOT = Path(__file__).resolve().parents[2]
ALLOWED = {
    "ingest": {"ingest"},
    "vectorstore": {"vectorstore", "ingest"},
    "assistant": {"assistant", "vectorstore", "ingest"},
}
OURS = {"app", "assistant", "vectorstore", "ingest"}


def imported_packages(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names & OURS


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_package_imports_only_lower_layers(package):
    for path in sorted((ROOT / package).rglob("*.py")):
        bad = imported_packages(path) - ALLOWED[package]
        assert not bad, f"{path.relative_to(ROOT)} imports {sorted(bad)}"


def test_nothing_imports_app():
    for package in ALLOWED:
        for path in (ROOT / package).rglob("*.py"):
            assert "app" not in imported_packages(path), path
