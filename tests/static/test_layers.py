"""The layers of ``streams/`` hold: each package imports only the layers below it.

docs/architecture.md ("Layers") states the rules this test enforces. Imports
are read with ``ast`` from every module, including imports inside functions,
so a lazy import cannot hide a broken layer.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.support.paths import ROOT

STREAMS = ROOT / "streams"

CLIENTS = {"faust", "mode", "aiokafka", "kafka", "clickhouse_connect", "chdb", "aiohttp"}
BASE = {"errors", "retry"}  # shared by every layer

# package -> the streams packages (besides itself and BASE) it may import
ALLOWED: dict[str, set[str]] = {
    "engine": set(),
    "ingest": {"engine"},
    "settings": set(),
    "kafka": {"settings", "engine", "ingest"},
    "storage": {"settings", "engine", "ingest"},
    "present": {"settings", "engine", "ingest", "storage"},
    "gateway": {"settings", "engine", "ingest", "kafka"},
    "notify": {"settings", "engine", "ingest", "kafka", "storage", "present"},
    "worker": {"settings", "engine", "ingest", "kafka", "storage", "present", "notify"},
    "devtools": {"settings", "engine", "ingest", "kafka", "storage", "present", "worker"},
    "cli": {
        "settings", "engine", "ingest", "kafka", "storage", "present", "gateway", "notify",
        "worker", "devtools",
    },
}  # fmt: skip
# The one module of a lower package that is a Faust agent: it uses the worker's batch
# helper, counters and Faust door, and the worker registers it.
EXCEPTIONS = {"streams/notify/agent.py": {"worker"}}
PURE = {"engine", "ingest"}  # no Kafka, Faust, ClickHouse or HTTP client at all


def _modules() -> list[Path]:
    return sorted(STREAMS.rglob("*.py"))


def _package(path: Path) -> str | None:
    parts = path.relative_to(STREAMS).parts
    return parts[0] if len(parts) > 1 else None


def _imports(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
    return found


def _layer_of(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] != "streams" or len(parts) < 2:
        return None
    return parts[1]


def test_every_package_has_a_rule() -> None:
    packages = {p.name for p in STREAMS.iterdir() if (p / "__init__.py").is_file()}
    assert packages == set(ALLOWED)


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(ROOT)))
def test_module_imports_only_lower_layers(path: Path) -> None:
    package = _package(path)
    relative = str(path.relative_to(ROOT))
    broken = []
    for line, module in _imports(path):
        layer = _layer_of(module)
        if package is None or layer is None or layer == package or layer in BASE:
            continue
        if layer not in ALLOWED[package] | EXCEPTIONS.get(relative, set()):
            broken.append(f"{relative}:{line} imports {module} ({package} -> {layer})")
    for line, module in _imports(path):
        if package in PURE and module.split(".")[0] in CLIENTS:
            broken.append(f"{relative}:{line} imports the client {module}")
    assert broken == []


def test_pure_layers_load_no_client_even_indirectly() -> None:
    """Importing the engine and the edge pulls in no Kafka, Faust, ClickHouse or HTTP module."""
    import subprocess
    import sys

    modules = [
        ".".join(p.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
        for p in _modules()
        if _package(p) in PURE
    ]
    code = (
        "import sys\n"
        + "".join(f"import {m}\n" for m in modules)
        + f"print(sorted({{n.split('.')[0] for n in sys.modules}} & set({sorted(CLIENTS)!r})))"
    )
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True
    )
    assert result.stdout.strip() == "[]"


def test_schemas_import_nothing_of_streams() -> None:
    for path in sorted((ROOT / "schemas").rglob("*.py")):
        assert all(_layer_of(m) is None for _, m in _imports(path)), path
