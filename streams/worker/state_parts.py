"""A key's state split into parts that each fit in one changelog message.

A Kafka message has a size limit (the broker's ``message.max.bytes``, about
1 MiB by default), and a key's state grows with the events it must keep: an
alert storm of 50,000 events inside the lateness window is about 8 MB of
JSON. A state whose JSON is longer than ``PART_BYTES`` is therefore stored as
parts:

* the JSON text is cut into slices of at most ``PART_BYTES`` bytes, at
  character boundaries, and at the start of every top-level field, so that an
  event appended to one field (the members, the ids seen) changes the last
  slices of that field and leaves the others as they were;
* each slice is stored under ``part_key(key, digest)``: the key followed by
  the slice's digest, so a part never overwrites another one;
* the key itself holds the head ``{"parts": [digest, ...], "bytes": n}``.

``StagedTable`` writes the parts the previous head did not have, then the
head, then deletes the parts the new head no longer has. They all go to one
changelog partition in that order, so a worker stopped between two of them
restores either the old head with all of its parts or the new head with all
of its parts, never a mix.

Pure: no Faust, no I/O.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

import orjson

PART_BYTES = 256 * 1024  # a part's message is at most ~2x this (JSON string escaping)
SEPARATOR = "#"
DIGEST_BYTES = 8
_PART_KEY = re.compile(rf"\]{SEPARATOR}[0-9a-f]{{{2 * DIGEST_BYTES}}}\Z")  # state keys end with "]"

Head = dict[str, Any]


def part_key(key: str, digest: str) -> str:
    """Return the table key of ``key``'s part with ``digest``."""
    return f"{key}{SEPARATOR}{digest}"


def is_part_key(key: str) -> bool:
    """Return whether a table key holds a part rather than a state or a head."""
    return _PART_KEY.search(key) is not None


def is_head(value: Any) -> bool:
    """Return whether a table value is the head of a state stored as parts."""
    return isinstance(value, dict) and "parts" in value and "members" not in value


def _slices(data: bytes, limit: int) -> list[bytes]:
    """Cut ``data`` into slices of at most ``limit`` bytes at UTF-8 character boundaries."""
    slices = []
    start = 0
    while start < len(data):
        cut = min(start + limit, len(data))
        while cut < len(data) and data[cut] & 0xC0 == 0x80 and cut > start + 1:
            cut -= 1  # inside a character: cut before it
        slices.append(data[start:cut])
        start = cut
    return slices


def _digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=DIGEST_BYTES).hexdigest()


def split(value: Any, limit: int = PART_BYTES) -> tuple[Head, dict[str, str]] | None:
    """Return ``value``'s head and parts (digest -> text), or None if it fits in one message."""
    whole = orjson.dumps(value)  # one C call: most states are far below the limit
    if len(whole) <= limit:
        return None
    if isinstance(value, dict) and value:
        fields = [orjson.dumps({name: item})[1:-1] for name, item in value.items()]
        texts = [b"{" + fields[0]] + [b"," + text for text in fields[1:]]
        texts[-1] += b"}"
    else:
        texts = [whole]
    digests: list[str] = []
    parts: dict[str, str] = {}
    for text in texts:
        for piece in _slices(text, limit):
            digest = _digest(piece)
            digests.append(digest)
            parts[digest] = piece.decode()
    return {"parts": digests, "bytes": sum(map(len, texts))}, parts


def join(head: Head, parts: list[str]) -> Any:
    """Return the state whose parts, in the head's order, are ``parts``.

    Raises ``ValueError`` when the parts do not add up to the head.
    """
    data = "".join(parts).encode()
    if len(data) != head["bytes"]:
        msg = f"state parts hold {len(data)} bytes, the head says {head['bytes']}"
        raise ValueError(msg)
    return orjson.loads(data)
