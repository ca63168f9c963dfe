"""Only ``streams/worker/faust_compat`` names private parts of faust, mode or aiokafka.

A private name (``_x``, not a dunder) of those libraries can change in any
release; keeping every use behind one door, each with the version it was
checked against, makes an upgrade a review of one module. The rule, per
module of ``streams/`` other than the door:

* no ``from faust... import _x`` (or ``import``/``from`` a private module of
  faust, mode or aiokafka);
* no attribute ``obj._x`` and no ``getattr``/``hasattr``/``setattr``/``delattr``
  of a constant ``"_x"``, unless ``obj`` is ``self`` or ``cls``, ``_x`` is a
  private name the project itself defines (outside the door), or it is in
  ``ALLOWED`` with a reason;
* no class deriving from a faust/mode/aiokafka name defines a private method
  (that is an override of a private method).

Whether ``obj`` is a Faust object is not known statically; a project-defined
name of the same spelling as a Faust one would pass. The second test checks
that the private names the door relies on still exist in the installed
versions, so an upgrade that drops one fails here rather than silently.
"""

from __future__ import annotations

import ast
import inspect
from collections.abc import Iterator

import pytest

from tests.support.paths import ROOT

STREAMS = ROOT / "streams"
DOOR = ("streams/worker/faust_compat.py", "streams/worker/faust_compat/")
LIBRARIES = {"faust", "mode", "aiokafka"}
ALLOWED = {
    # The documented API of named tuples (urllib's SplitResult in streams/settings).
    "_replace": "namedtuple API",
    "_asdict": "namedtuple API",
    "_fields": "namedtuple API",
    "_make": "namedtuple API",
}
ATTRIBUTE_FUNCTIONS = {"getattr", "hasattr", "setattr", "delattr"}


def _private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def _in_door(relative: str) -> bool:
    return relative == DOOR[0] or relative.startswith(DOOR[1])


def _modules() -> Iterator[tuple[str, ast.Module]]:
    for path in sorted(STREAMS.rglob("*.py")):
        relative = path.relative_to(ROOT).as_posix()
        yield relative, ast.parse(path.read_text(), filename=relative)


def defined_private_names(tree: ast.AST) -> set[str]:
    """Private names a module defines: functions, classes, variables, ``self._x``/``cls._x``."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
            if isinstance(node.value, ast.Name) and node.value.id in ("self", "cls"):
                names.add(node.attr)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
    return {name for name in names if _private(name)}


def _library(module: str | None) -> bool:
    return module is not None and module.split(".")[0] in LIBRARIES


def _library_names(tree: ast.AST) -> set[str]:
    """Local names bound to faust/mode/aiokafka modules or objects by imports."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if _library(alias.name):
                    names.add((alias.asname or alias.name).split(".")[0])
        elif isinstance(node, ast.ImportFrom) and _library(node.module):
            names.update(alias.asname or alias.name for alias in node.names)
    return names


def _root(node: ast.expr) -> str | None:
    while isinstance(node, ast.Attribute | ast.Call | ast.Subscript):
        node = node.func if isinstance(node, ast.Call) else node.value
    return node.id if isinstance(node, ast.Name) else None


def violations(tree: ast.AST, project_names: set[str]) -> list[str]:
    """Return the private faust/mode/aiokafka names ``tree`` uses, as ``line: what``."""
    found: list[str] = []

    def receiver_allowed(receiver: ast.expr, name: str) -> bool:
        own = isinstance(receiver, ast.Name) and receiver.id in ("self", "cls")
        return own or name in project_names or name in ALLOWED

    library_names = _library_names(tree)
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and _library(node.module):
            assert node.module is not None
            private = [part for part in node.module.split(".") if _private(part)]
            private += [alias.name for alias in node.names if _private(alias.name)]
            found += [f"{node.lineno}: import {name} from {node.module}" for name in private]
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if _library(alias.name) and any(map(_private, alias.name.split("."))):
                    found.append(f"{node.lineno}: import {alias.name}")
        elif isinstance(node, ast.Attribute) and _private(node.attr):
            if not receiver_allowed(node.value, node.attr):
                found.append(f"{node.lineno}: attribute .{node.attr}")
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in ATTRIBUTE_FUNCTIONS
            and len(node.args) >= 2
            and isinstance(node.args[1], ast.Constant)
            and isinstance(node.args[1].value, str)
            and _private(node.args[1].value)
            and not receiver_allowed(node.args[0], node.args[1].value)
        ):
            found.append(f"{node.lineno}: {node.func.id}(..., {node.args[1].value!r})")
        elif isinstance(node, ast.ClassDef) and any(
            _root(base) in library_names for base in node.bases
        ):
            found += [
                f"{item.lineno}: override {node.name}.{item.name}"
                for item in node.body
                if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef) and _private(item.name)
            ]
    return found


def _project_names() -> set[str]:
    names: set[str] = set()
    for relative, tree in _modules():
        if not _in_door(relative):
            names |= defined_private_names(tree)
    return names


def test_only_the_door_names_private_faust_mode_or_aiokafka_names() -> None:
    project_names = _project_names()
    found = [
        f"{relative}:{where}"
        for relative, tree in _modules()
        if not _in_door(relative)
        for where in violations(tree, project_names)
    ]
    assert found == [], "move these behind streams/worker/faust_compat:\n" + "\n".join(found)


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        (
            "from faust.streams import _current_event",
            ["1: import _current_event from faust.streams"],
        ),
        ("from aiokafka._internal import x", ["1: import _internal from aiokafka._internal"]),
        ("import mode._private.x", ["1: import mode._private.x"]),
        ("offsets = consumer._committed_offset", ["1: attribute ._committed_offset"]),
        ("x = getattr(consumer, '_active_partitions')", ["1: getattr(..., '_active_partitions')"]),
        (
            "from faust.transport.drivers import aiokafka\n"
            "class C(aiokafka.Consumer):\n    def _new_consumer_thread(self): ...",
            ["3: override C._new_consumer_thread"],
        ),
        ("self._table = {}\ncls._x = 1\nx = getattr(self, '_y')", []),
        ("x = other._own", []),  # a private name the project defines
        ("x = parts._replace(netloc='h')", []),
        ("from faust.streams import current_event\nx = obj.__dict__", []),
        ("class D(dict):\n    def _helper(self): ...", []),
    ],
)
def test_the_rule(source: str, expected: list[str]) -> None:
    assert violations(ast.parse(source), {"_own"}) == expected


def test_the_private_names_the_door_relies_on_exist() -> None:
    """faust-streaming 0.15.3: an upgrade that drops one of them fails here, not silently."""
    from contextvars import ContextVar

    import faust
    from faust import streams
    from faust.transport import consumer
    from faust.transport.drivers import aiokafka as driver

    assert isinstance(streams._current_event, ContextVar)
    source = inspect.getsource(consumer.Consumer)
    assert "self._committed_offset = " in source
    assert "self._active_partitions = " in source
    assert callable(driver.Consumer._new_consumer_thread)
    assert callable(driver.AIOKafkaConsumerThread._ensure_consumer)
    assert callable(faust.App._new_transport)
    # faust_compat.Consumer runs the before-commit hooks in _commit_offsets, which must
    # still be where the producer is flushed before committing.
    commit = inspect.getsource(consumer.Consumer._commit_offsets)
    assert "await self.app.producer.flush()" in commit
    assert commit.index("producer.flush()") < commit.index("await self._commit(")
    # faust_compat.Consumer marks held messages in on_partitions_revoked, which must
    # still be where Faust drops the acked offsets of the revoked partitions.
    revoked = inspect.getsource(consumer.Consumer.on_partitions_revoked)
    assert "self._acked.pop(tp, None)" in revoked
