"""Pure: Backstage catalog descriptors (``catalog-info.yaml``) to ownership rows.

Each YAML document of a file is one Backstage entity. An entity of
``kind: Component`` gives one row: ``metadata.name`` is the service and
``spec.owner`` the team, with the kind ``group:`` and then the namespace
``default/`` stripped (``group:default/payments``, ``group:payments``,
``default/payments`` and ``payments`` are all team ``payments``; another
kind or namespace is kept as written, e.g. ``user:jdoe`` or ``ops/payments``).
Every other kind (System, API, Group, Location...) is counted as ignored.
Backstage has no history, so every row gets the same ``valid_from``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path

from yaml.nodes import MappingNode, Node

from streams.storage.owners import yaml_nodes
from streams.storage.owners.rows import Given, OwnerRow, Parsed, Problem, check_row
from streams.storage.rowfiles import read_text

CATALOG_NAMES = ("catalog-info.yaml", "catalog-info.yml")
"""The file names looked for in a directory (Backstage's convention)."""
LABELS = {"service": "metadata.name", "team": "spec.owner"}


def team_of(owner: str) -> str:
    """Return the team of a Backstage ``spec.owner`` entity reference (module docstring)."""
    team = owner.strip()
    if team.lower().startswith("group:"):
        team = team[len("group:") :]
    if team.lower().startswith("default/"):
        team = team[len("default/") :]
    return team


def catalog_files(paths: Iterable[Path]) -> tuple[list[Path], list[Problem]]:
    """Return the files to read: each file as given, and every catalog file under each directory.

    A directory is searched recursively for ``catalog-info.yaml``/``.yml``,
    skipping hidden directories; one with none, or a path that does not
    exist, is a problem.
    """
    files: list[Path] = []
    problems: list[Problem] = []
    for path in paths:
        if path.is_dir():
            found = sorted(
                p
                for p in path.rglob("catalog-info.y*ml")
                if p.name in CATALOG_NAMES
                and p.is_file()
                and not any(part.startswith(".") for part in p.relative_to(path).parts[:-1])
            )
            if not found:
                problems.append(Problem(str(path), f"no {' or '.join(CATALOG_NAMES)} under it"))
            files += found
        elif path.is_file():
            files.append(path)
        else:
            problems.append(Problem(str(path), "no such file or directory"))
    return files, problems


def parse_catalog_file(path: Path, valid_from: datetime) -> Parsed:
    """Read ``path`` and parse its entities (``parse_catalog``). Never raises."""
    text, problem = read_text(path)
    if text is None:
        return Parsed(problems=(problem,) if problem else ())
    return parse_catalog(text, str(path), valid_from)


def parse_catalog(text: str, name: str, valid_from: datetime) -> Parsed:
    """Parse every entity of a (multi-document) catalog file.

    Args:
        text: The YAML text.
        name: The file, prefixing every position.
        valid_from: The start of every row (UTC).

    Returns:
        One row per Component, the problems (a Component without a usable
        ``metadata.name`` or ``spec.owner``, an entity without ``kind``), and
        the number of entities of other kinds. Repeats are not checked here
        (``check_conflicts`` over all files does).
    """
    documents, problem = yaml_nodes.documents(text, name)
    if problem is not None:
        return Parsed(problems=(problem,))
    parsed = Parsed()
    for document in documents:
        if document is not None and not yaml_nodes.is_empty(document):
            parsed = parsed + _entity(document, name, valid_from)
    return parsed


def _entity(document: Node, name: str, valid_from: datetime) -> Parsed:
    at = yaml_nodes.where(name, document)
    if not isinstance(document, MappingNode):
        message = f"a Backstage entity is a mapping, not {yaml_nodes.kind(document)}"
        return Parsed(problems=(Problem(at, message),))
    entity, problems = yaml_nodes.mapping(document, name)
    kind = _text(entity, "kind", name)
    if kind.text is None:
        reason = f"kind: {kind.error}" if kind.error else "kind is missing"
        return Parsed(problems=(*problems, Problem(kind.where or at, reason)))
    if kind.text.lower() != "component":
        return Parsed(ignored=1)
    metadata, found = _section(entity, "metadata", name, at)
    spec, more = _section(entity, "spec", name, at)
    problems += found + more
    service = _text(metadata, "name", name)
    owner = _text(spec, "owner", name)
    given = {
        "service": dataclasses.replace(service, where=service.where or at),
        "team": dataclasses.replace(
            owner,
            text=team_of(owner.text) if owner.text is not None else None,
            where=owner.where or at,
        ),
    }
    result = check_row(given, at, LABELS)
    if isinstance(result, OwnerRow):
        rows = () if problems else (dataclasses.replace(result, valid_from=valid_from),)
        return Parsed(rows, tuple(problems))
    return Parsed(problems=(*problems, *result))


def _section(
    entity: dict[str, tuple[Node, Node]], key: str, name: str, at: str
) -> tuple[dict[str, tuple[Node, Node]], list[Problem]]:
    """Return the entries of the mapping under ``key`` (none if absent), and its problems."""
    if key not in entity:
        return {}, []
    node = entity[key][1]
    if not isinstance(node, MappingNode):
        message = f"{key} must be a mapping, not {yaml_nodes.kind(node)}"
        return {}, [Problem(yaml_nodes.where(name, node), message)]
    return yaml_nodes.mapping(node, name)


def _text(entries: dict[str, tuple[Node, Node]], key: str, name: str) -> Given:
    """Return the field under ``key`` (a string), or an empty one without a position."""
    if key not in entries:
        return Given(None, "")
    return yaml_nodes.field(entries[key][1], name, names_only=True)
