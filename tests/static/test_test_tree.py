"""The test tree keeps its shape: helpers only in tests/support/, unit tests by layer.

- A test module never imports another test module: every ``tests.<x>`` import
  (read with ``ast`` from every Python file under tests/, imports inside
  functions included) must point into ``tests.support``; relative imports are
  not used at all. Whatever two test modules share belongs in tests/support/
  (its ``__init__`` says what each helper module is for); fixtures belong in
  conftest.py files.
- Every file under tests/unit/ sits in a folder named after the layer of the
  code it tests: a package under streams/, or ``schemas`` for the event
  contract (docs/architecture.md, "Modules"; README.md, "Testing").
- Every folder under tests/ that holds Python is a package (``__init__.py``),
  so test modules are imported as ``tests.<tier>.<...>`` and two modules may
  share a basename in different folders.
"""

from __future__ import annotations

import ast
from pathlib import Path

from tests.support.paths import ROOT, TESTS

UNIT = TESTS / "unit"
ALLOWED = "tests.support"


def _python_files() -> list[Path]:
    return sorted(p for p in TESTS.rglob("*.py") if "__pycache__" not in p.parts)


def _tests_imports(path: Path) -> list[tuple[int, str]]:
    """Return (line, dotted name) of every import of the ``tests`` package, and relative ones."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names if a.name.split(".")[0] == "tests"]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                found.append((node.lineno, "." * node.level + (node.module or "")))
            elif node.module == "tests":  # from tests import support / unit / ...
                found += [(node.lineno, f"tests.{alias.name}") for alias in node.names]
            elif node.module and node.module.split(".")[0] == "tests":
                found.append((node.lineno, node.module))
    return found


def _allowed(name: str) -> bool:
    return name == ALLOWED or name.startswith(ALLOWED + ".")


def test_test_modules_import_only_tests_support() -> None:
    offenders = [
        f"{path.relative_to(ROOT)}:{line} imports {name}"
        for path in _python_files()
        for line, name in _tests_imports(path)
        if not _allowed(name)
    ]
    assert offenders == [], (
        "a test module imports another test module (move what they share to tests/support/):\n"
        + "\n".join(offenders)
    )


def test_the_import_check_sees_every_form_of_import(tmp_path: Path) -> None:
    module = tmp_path / "test_example.py"
    module.write_text(
        "import tests.unit.engine.test_duplicates\n"
        "from tests.unit.engine.test_order_properties import histories\n"
        "from tests import unit\n"
        "from . import test_sibling\n"
        "from tests.support.engine import run\n"
        "from tests import support\n"
        "def f():\n"
        "    from tests.integration.views import conftest\n",
        encoding="utf-8",
    )
    names = [name for _, name in _tests_imports(module)]
    assert [name for name in names if not _allowed(name)] == [
        "tests.unit.engine.test_duplicates",
        "tests.unit.engine.test_order_properties",
        "tests.unit",
        ".",
        "tests.integration.views",
    ]


def _layers() -> set[str]:
    streams = ROOT / "streams"
    return {p.name for p in streams.iterdir() if (p / "__init__.py").is_file()} | {"schemas"}


def test_unit_tests_sit_in_a_layer_folder() -> None:
    layers = _layers()
    misplaced = []
    for path in sorted(UNIT.rglob("*")):
        if path.is_dir() or "__pycache__" in path.parts or path == UNIT / "__init__.py":
            continue
        parts = path.relative_to(UNIT).parts
        if len(parts) < 2 or parts[0] not in layers:
            misplaced.append(str(path.relative_to(ROOT)))
    assert misplaced == [], (
        f"unit tests belong in tests/unit/<layer>/ with <layer> one of {sorted(layers)}:\n"
        + "\n".join(misplaced)
    )


def test_every_python_folder_under_tests_is_a_package() -> None:
    folders = {path.parent for path in _python_files()}
    missing = sorted(
        str(folder.relative_to(ROOT))
        for folder in folders
        if not (folder / "__init__.py").is_file()
    )
    assert missing == [], "folders under tests/ without __init__.py:\n" + "\n".join(missing)
