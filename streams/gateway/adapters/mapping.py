"""Checks shared by the adapters' configs: case-folded lookup tables, contract names.

The configs are built once at start-up from the settings; a wrong value is a
``ValueError`` then, never a failed request later.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from pydantic import TypeAdapter, ValidationError

from schemas.events import Name

NAME: TypeAdapter[str] = TypeAdapter(Name)
"""Validates a service, environment or version against the contract's ``Name``."""


def fold(
    mapping: Mapping[str, str], setting: str, allowed: frozenset[str] | None
) -> dict[str, str]:
    """Return ``mapping`` with case-folded keys; ``ValueError`` for a value not in ``allowed``."""
    folded: dict[str, str] = {}
    for key, value in mapping.items():
        if allowed is not None and value not in allowed:
            msg = f"{setting}[{key!r}]: {value!r} is not one of {sorted(allowed)}"
            raise ValueError(msg)
        folded[key.strip().casefold()] = value
    return folded


def check_names(names: Iterable[str]) -> None:
    """Raise ``ValueError`` naming the first of ``names`` the contract refuses as a name."""
    for name in names:
        try:
            NAME.validate_python(name)
        except ValidationError as exc:
            msg = f"invalid service/environment name {name!r}: {exc.errors()[0]['msg']}"
            raise ValueError(msg) from None
