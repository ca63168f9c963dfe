"""What every adapter returns, and how it says a payload is wrong or not for us.

An adapter is a pure function ``convert(payload, config) -> Converted``: the
parsed JSON body in, event dicts of the contract (``schemas/events.py``) out.
The gateway validates every event against the contract before publishing;
an adapter must still only produce valid events for valid payloads.
Identifiers must be deterministic: the same notification sent twice yields
the same ``event_id``s, so a re-delivered webhook is deduplicated downstream.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from schemas.events import EVENT_ADAPTER


class PayloadError(ValueError):
    """The payload is not what the source sends (HTTP 400).

    The message names the JSON path and the problem, e.g.
    ``alerts[0].startsAt: missing`` or ``deployment_status.state: unknown value 'weird'``.
    """


class SignatureError(ValueError):
    """Missing or wrong signature / shared secret (HTTP 401). The message says which."""


@dataclass(frozen=True)
class Converted:
    """The events of one webhook, or why it carries none we use.

    ``ignored`` is set (and ``events`` empty) for a well-formed payload of a
    kind we do not convert, e.g. a GitHub ``push`` event (HTTP 202, counted).
    ``rejected`` names the items of a payload that carries several (one
    Alertmanager notification, many alerts) that could not be converted,
    while the others are: the sender does not retry a 4xx, so one bad alert
    must not cost the good ones.
    """

    events: list[dict[str, Any]] = field(default_factory=list)
    ignored: str | None = None
    rejected: list[str] = field(default_factory=list)  # items of a batch payload left out, why


def require(payload: Any, path: str, kind: type | tuple[type, ...] = str) -> Any:
    """Return ``payload`` at dotted ``path`` (``a.b.0.c``); ``PayloadError`` if missing/mistyped.

    Example: ``require(body, "deployment_status.state")``.
    """
    current = payload
    walked: list[str] = []
    for part in path.split("."):
        walked.append(part)
        if isinstance(current, list) and part.isdigit() and int(part) < len(current):
            current = current[int(part)]
        elif isinstance(current, dict) and part in current:
            current = current[part]
        else:
            msg = f"{'.'.join(walked)}: missing"
            raise PayloadError(msg)
    if not isinstance(current, kind) or isinstance(current, bool) and kind is not bool:
        names = kind.__name__ if isinstance(kind, type) else "/".join(k.__name__ for k in kind)
        msg = f"{path}: expected {names}, got {type(current).__name__}"
        raise PayloadError(msg)
    return current


def checked(event: dict[str, Any], paths: Mapping[str, str]) -> dict[str, Any]:
    """Return ``event`` if the contract accepts it; else ``PayloadError`` naming the payload path.

    ``paths`` maps an event field to the source's JSON path it came from, so
    the error says e.g. ``deployment.sha: String should match ...``.
    """
    try:
        EVENT_ADAPTER.validate_python(event)
    except ValidationError as exc:
        problems = []
        for error in exc.errors(include_url=False, include_input=False):
            where = str(error["loc"][1]) if len(error["loc"]) > 1 else ""
            message = error["msg"].removeprefix("Value error, ")
            problems.append(f"{paths.get(where, where)}: {message}")
        msg = "; ".join(problems)
        raise PayloadError(msg) from None
    return event


def optional_str(payload: Any, path: str) -> str | None:
    """Return the string at dotted ``path`` or None when absent/null; ``PayloadError`` otherwise."""
    parent_path, _, leaf = path.rpartition(".")
    value = require(payload, parent_path, dict).get(leaf)
    if value is None or isinstance(value, str):
        return value
    msg = f"{path}: expected str, got {type(value).__name__}"
    raise PayloadError(msg)


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


def signing_keys(secrets: str | Sequence[str], source: str) -> list[str]:
    """Return the configured secrets (one string or several); ``SignatureError`` if none."""
    keys = [secrets] if isinstance(secrets, str) else [s for s in secrets if s]
    if not any(keys):
        msg = f"no {source} webhook secret is configured"
        raise SignatureError(msg)
    return keys


def any_signature_matches(body: bytes, keys: Sequence[str], candidates: Sequence[bytes]) -> bool:
    """True if a hex HMAC-SHA256 of ``body`` under any key equals any candidate.

    Every pair is compared in constant time and none is skipped.
    """
    matched = False
    for key in keys:
        expected = hmac.new(key.encode("utf-8"), body, hashlib.sha256).hexdigest().encode("ascii")
        for candidate in candidates:
            matched |= hmac.compare_digest(expected, candidate)
    return matched
