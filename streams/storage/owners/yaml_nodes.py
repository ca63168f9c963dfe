"""Pure: YAML read as nodes (PyYAML's safe composer), so every value keeps its line.

Loading YAML into Python objects loses where each value was; composing it
keeps a node per value with its position, and the resolved tag says what the
value would have become (``str``, ``int``, ``timestamp``, ``null``...) while
the node still holds the text as written.
"""

from __future__ import annotations

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from streams.storage.owners.rows import Given, Problem

_TAG = "tag:yaml.org,2002:"
_KINDS = {"int": "a number", "float": "a number", "bool": "a boolean", "timestamp": "a date"}


def documents(text: str, name: str) -> tuple[list[Node | None], Problem | None]:
    """Compose every document of ``text`` (``name`` is the file, for positions).

    Returns:
        The root node of each document (None for an empty one) and None, or no
        documents and the syntax error with its line. Never raises.
    """
    try:
        return list(yaml.compose_all(text, Loader=yaml.SafeLoader)), None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"{name}:{mark.line + 1}" if mark is not None else name
        return [], Problem(where, f"not valid YAML: {exc.problem or exc.context}")
    except yaml.YAMLError as exc:
        return [], Problem(name, f"not valid YAML: {exc}")


def is_empty(node: Node | None) -> bool:
    """Return whether a document holds nothing (no node, or a bare null as after a last ``---``)."""
    return node is None or (isinstance(node, ScalarNode) and node.tag == _TAG + "null")


def where(name: str, node: Node) -> str:
    """Return ``name:LINE`` of the node's first line."""
    return f"{name}:{node.start_mark.line + 1}"


def kind(node: Node) -> str:
    """Return what the node is, for messages: ``a list``, ``a mapping``, ``a number``..."""
    if isinstance(node, SequenceNode):
        return "a list"
    if isinstance(node, MappingNode):
        return "a mapping"
    tag = str(node.tag).removeprefix(_TAG)
    return _KINDS.get(tag, "null" if tag == "null" else "a string")


def mapping(node: Node, name: str) -> tuple[dict[str, tuple[Node, Node]], list[Problem]]:
    """Return the mapping's entries by key (key node, value node) and its problems.

    A key that is not a plain string, or a key given twice, is a problem at its
    line; the first occurrence of a repeated key is kept.
    """
    entries: dict[str, tuple[Node, Node]] = {}
    problems: list[Problem] = []
    assert isinstance(node, MappingNode)  # noqa: S101 - callers check the kind first
    for key_node, value_node in node.value:
        if not isinstance(key_node, ScalarNode) or key_node.tag != _TAG + "str":
            problems.append(
                Problem(where(name, key_node), f"a key must be a string, not {kind(key_node)}")
            )
            continue
        key = str(key_node.value)
        if key in entries:
            first = entries[key][0].start_mark.line + 1
            problems.append(
                Problem(where(name, key_node), f"{key!r} is given twice (also at line {first})")
            )
            continue
        entries[key] = (key_node, value_node)
    return entries, problems


def field(node: Node, name: str, *, names_only: bool) -> Given:
    """Return a value node as a field for ``check_row``.

    Args:
        node: The value node.
        name: The file, for the position.
        names_only: True for a name (service, team): only a string will do,
            so ``team: 42`` asks for quotes instead of becoming ``"42"``.
            False for a timestamp: the text as written is checked (YAML's own
            timestamps are looser than RFC 3339).
    """
    at = where(name, node)
    if not isinstance(node, ScalarNode):
        return Given(None, at, f"must be a single value, not {kind(node)}")
    if node.tag == _TAG + "null":
        return Given(None, at)
    if names_only and node.tag != _TAG + "str":
        return Given(None, at, f'must be a string, not {kind(node)} (quote it: "{node.value}")')
    return Given(str(node.value), at)
