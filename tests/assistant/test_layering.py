"""Imports point one way: app.py → assistant (ui, evaluation → core) → vectorstore → ingest.

Each layer may import only the layers below it (and itself); nothing imports app.py; only the
edges (app.py and the CLI) import the UI package; the core imports neither the UI, evaluation
nor training (training may use evaluation's dataset loaders).
"""

import ast
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit
ROOT = Path(__file__).resolve().parents[2]

# Layers from the top down, each with what it may import.
CORE = {"assistant", "assistant.llm", "vectorstore", "ingest"}
ALLOWED = {
    "app": {"assistant.ui", *CORE},
    "assistant.cli": {"assistant.cli", "assistant.ui", "assistant.evaluation", "assistant.training", *CORE},
    "assistant.__main__": {"assistant.cli"},
    "assistant.ui": {"assistant.ui", *CORE},
    "assistant.evaluation": {"assistant.evaluation", *CORE},
    "assistant.training": {"assistant.training", "assistant.evaluation", *CORE},
    "benchmarks": {"benchmarks", "assistant.evaluation", *CORE},
    "assistant": CORE,
    "assistant.llm": CORE,
    "vectorstore": {"vectorstore", "ingest"},
    "ingest": {"ingest"},
}
OURS = ("app", "assistant", "vectorstore", "ingest", "benchmarks")


def layer_of(module: str) -> str:
    """The most specific layer a dotted module name belongs to (``assistant.ui.render`` → ``assistant.ui``)."""
    for layer in sorted(ALLOWED, key=len, reverse=True):
        if module == layer or module.startswith(layer + "."):
            return layer
    raise ValueError(module)


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(source: str) -> set[str]:
    """Our modules that ``source`` imports (absolute imports; a package counts as its own module)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return {n for n in names if n.split(".")[0] in OURS}


def upward_imports(module: str, source: str) -> list[str]:
    """The imports of ``source`` (the text of ``module``) that its layer may not make."""
    allowed = ALLOWED[layer_of(module)]
    bad = []
    for name in sorted(imported_modules(source)):
        try:
            target = layer_of(name)
        except ValueError:
            continue
        if target not in allowed:
            bad.append(name)
    return bad


def our_files() -> list[Path]:
    files = [ROOT / "app.py"]
    for package in ("assistant", "vectorstore", "ingest", "benchmarks"):
        files += sorted((ROOT / package).rglob("*.py"))
    return files


@pytest.mark.parametrize("path", our_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_each_module_imports_only_lower_layers(path):
    bad = upward_imports(module_name(path), path.read_text(encoding="utf-8"))
    assert not bad, f"{path.relative_to(ROOT)} ({layer_of(module_name(path))}) imports {bad}"


def test_nothing_imports_app():
    for path in our_files():
        assert "app" not in imported_modules(path.read_text(encoding="utf-8")), path


@pytest.mark.parametrize(
    ("module", "source"),
    [
        ("assistant.service", "from assistant.ui.render import answer_html\n"),
        ("assistant.answering", "import assistant.evaluation.bench\n"),
        ("vectorstore.chroma_store", "from assistant.settings import Settings\n"),
        ("ingest.loaders", "from vectorstore.records import StoredChunk\n"),
        ("assistant.ui.page", "from assistant.evaluation.audit import audit_index\n"),
        ("benchmarks.loadtest", "from assistant.ui.page import build_ui\n"),
    ],
)
def test_an_upward_import_is_caught(module, source):
    """The check itself can fail: each of these imports points up a layer."""
    assert upward_imports(module, source)


def test_downward_imports_pass():
    assert not upward_imports("assistant.ui.page", "from assistant.service import IsnadService\n")
    assert not upward_imports("app", "from assistant.ui.page import serve\n")
