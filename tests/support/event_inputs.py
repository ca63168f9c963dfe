"""Inputs near the edge of the event contract, and the equality of two decoded events.

``raw_events``: JSON bytes of events that are valid, nearly valid or broken in one
or a few ways (wrong types, missing, null and unknown fields, timestamps at every
edge, lengths at the limits, unicode, control characters, huge numbers, duplicate
keys, escaped keys), written by orjson or by a hand serializer. ``timestamps``:
the strings put in ``occurred_at`` and ``starts_at``. Used by the equivalence
properties of the fast path (tests/unit/schemas/test_fast_events.py,
tests/unit/ingest/test_decode_equivalence.py).

``assert_same_event``: two events are one: same model, same fields in the same
order with values of the same types (aware UTC datetimes), same
``model_fields_set``, same pickled state and the same JSON.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import orjson
from hypothesis import strategies as st

from schemas.events import AnyEvent
from tests.support.factories import alert, change, deploy, ticket
from tests.support.strategies import json_values


def assert_same_event(fast: AnyEvent, slow: AnyEvent) -> None:
    """Fail unless ``fast`` and ``slow`` are indistinguishable."""
    assert type(fast) is type(slow)
    assert list(fast.__dict__.items()) == list(slow.__dict__.items())
    assert [type(v) for v in fast.__dict__.values()] == [type(v) for v in slow.__dict__.values()]
    for value in fast.__dict__.values():
        if isinstance(value, datetime):
            assert value.tzinfo is UTC
            assert value.microsecond % 1000 == 0
    assert fast.model_fields_set == slow.model_fields_set
    assert fast.__getstate__() == slow.__getstate__()
    assert fast.model_dump_json() == slow.model_dump_json()
    assert fast == slow


# --- strings -------------------------------------------------------------------------------


def _two(low: int, high: int) -> st.SearchStrategy[str]:
    return st.integers(low, high).map(lambda n: f"{n:02d}")


def _mostly(valid: st.SearchStrategy[str], edges: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return valid | valid | valid | edges


_year = _mostly(
    st.integers(1970, 2099).map(str), st.sampled_from(["0000", "0001", "1969", "2100", "9999"])
)
_fraction = _mostly(
    st.text("0123456789", min_size=1, max_size=9).map(lambda f: "." + f),
    st.sampled_from(["", ".", ".1234567890", ",5"]),
)
_offset = _mostly(
    st.sampled_from(["Z", "+00:00", "-00:00", "+01:00", "-05:30", "+23:59", "-23:59"])
    | st.tuples(st.sampled_from("+-"), _two(0, 23), _two(0, 59)).map("".join),
    st.sampled_from(["z", "", "+24:00", "+00:60", "+0100", "+01", "+01:00:00", " Z", "Z\n", "UTC"]),
)


@st.composite
def _composed_stamp(draw: st.DrawFn) -> str:
    month = draw(_mostly(_two(1, 12), st.sampled_from(["00", "13"])))
    day = draw(_mostly(_two(1, 28), st.sampled_from(["00", "29", "30", "31", "32"])))
    hour = draw(_mostly(_two(0, 23), st.sampled_from(["24", "25"])))
    minute, second = (
        draw(_mostly(_two(0, 59), st.just("60"))),
        draw(_mostly(_two(0, 59), st.sampled_from(["60", "61"]))),
    )
    separator = draw(_mostly(st.just("T"), st.sampled_from("t x")))
    text = (
        f"{draw(_year)}-{month}-{day}{separator}{hour}:{minute}:{second}"
        + draw(_fraction | st.just(""))
        + draw(_offset)
    )
    if draw(st.integers(0, 20)) == 0:  # Unicode digits, a stray character, a cut
        text = draw(
            st.sampled_from(
                [text.replace("2", "\u0662"), " " + text, text + "\n", text[:-3], text[:10]]
            )
        )
    return text


def _formatted(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


timestamps = (
    _composed_stamp()
    | st.datetimes(
        min_value=datetime(1969, 12, 31),  # noqa: DTZ001 - naive bounds, zoned values
        max_value=datetime(2100, 1, 2),  # noqa: DTZ001
        timezones=st.timezones(),
    ).map(_formatted)
    | st.sampled_from(["2026-03-02T10:00:00Z", "2026-03-02T10:00:00.123Z", "2026-03-02"])
)
"""Timestamp strings: every field at and beyond its range, offsets, fractions of 0 to 10 digits."""

_id_text = (
    st.from_regex(r"[A-Za-z0-9._:/-]{1,20}", fullmatch=True)
    | st.text(max_size=12)
    | st.text(st.characters(categories=["Zs", "Cc", "Cf", "Zl", "Zp", "Co", "So"]), max_size=4)
    | st.sampled_from(["", " ", "\u00a0", "a\u00a0b", "\u3000", "x\n", "\ud7ff", "é", "👩\u200d💻"])
)
_lengths = st.sampled_from([0, 1, 127, 128, 129, 255, 256, 257, 2048, 2049, 4096, 4097])


@st.composite
def _sized(draw: st.DrawFn) -> str:
    """A string of a length at one of the limits, of ASCII, accented, astral or space characters."""
    return draw(st.sampled_from(["a", "é", "😀", " "])) * draw(_lengths)


strings = _mostly(st.from_regex(r"[A-Za-z0-9._:/-]{1,20}", fullmatch=True), _id_text | _sized())


@st.composite
def _labels(draw: st.DrawFn) -> dict[str, Any]:
    count = draw(st.sampled_from([0, 1, 3, 63, 64, 65]))
    keys = [f"k{n}" for n in range(count)]
    if keys and draw(st.booleans()):
        keys[0] = draw(strings)
    return {key: draw(st.sampled_from(["v", ""]) | strings) for key in keys}


OPTIONAL: dict[str, dict[str, st.SearchStrategy[Any]]] = {
    "alert": {
        "category": st.sampled_from(["availability", "performance", "security", "other", "x"]),
        "starts_at": st.none() | timestamps,
        "summary": st.none() | strings,
        "labels": _labels(),
    },
    "deploy": {
        "kind": st.sampled_from(["release", "rollback", "hotfix", "config", "remediation", ""]),
        "version": st.none() | strings,
        "commit_sha": st.none()
        | st.from_regex(r"[0-9a-fA-F]{3,65}", fullmatch=True)
        | st.sampled_from(["abcd\n", "abcg", "ABCDEF"]),
    },
    "ticket": {
        "severity": st.none() | st.sampled_from(["critical", "high", "medium", "low", "HIGH"]),
        "title": st.none() | strings,
        "url": st.none() | strings,
    },
    "change": {
        "first_commit_at": st.none() | timestamps,
        "title": st.none() | strings,
        "commit_sha": st.from_regex(r"[0-9a-fA-F]{3,65}", fullmatch=True)
        | st.sampled_from(["abcd\n", "abcg", "ABCDEF"]),
    },
}
COMMON = {"environment": strings, "source": strings}
REPLACEABLE = ["event_id", "service", "occurred_at", "type", "status", "severity", "name"]


@st.composite
def event_dicts(draw: st.DrawFn) -> dict[str, Any]:
    """A factory event with some optional fields set and a few fields changed, dropped or added."""
    event = draw(st.sampled_from([alert, deploy, ticket, change]))(event_id="e-1")
    optional = {**COMMON, **OPTIONAL[event["type"]]}
    for name in draw(st.lists(st.sampled_from(sorted(optional)), max_size=4, unique=True)):
        event[name] = draw(optional[name])
    if draw(st.booleans()):
        event["occurred_at"] = draw(timestamps)
    for _ in range(draw(st.sampled_from([0, 0, 0, 1, 2]))):
        name = draw(st.sampled_from(sorted(event) + REPLACEABLE + ["extra"]))
        action = draw(st.sampled_from(["drop", "string", "json", "null"]))
        if action == "drop":
            event.pop(name, None)
        else:
            event[name] = draw({"string": strings, "json": json_values, "null": st.none()}[action])
    return event


def _escaped(text: str) -> str:
    """Return ``text`` as a JSON string with its ASCII letters and digits escaped (``\\u0061``)."""
    return (
        '"'
        + "".join(
            f"\\u{ord(c):04x}" if c.isascii() and c.isalnum() else json.dumps(c)[1:-1] for c in text
        )
        + '"'
    )


@st.composite
def _hand_written(draw: st.DrawFn, event: dict[str, Any]) -> bytes:
    """``event`` written by hand: escaped keys, spaces, a duplicate key, a huge number."""
    pairs = list(event.items())
    if pairs and draw(st.integers(0, 3)) == 0:
        at = draw(st.integers(0, len(pairs) - 1))
        pairs.insert(draw(st.integers(0, len(pairs))), (pairs[at][0], draw(json_values)))
    if draw(st.integers(0, 10)) == 0:
        pairs.append((draw(st.sampled_from(sorted(event) or ["x"])), 10**30))
    escape, ascii_only = draw(st.booleans()), draw(st.booleans())
    space = draw(st.sampled_from(["", " ", "\n\t"]))
    parts = [
        (_escaped(key) if escape else json.dumps(key, ensure_ascii=ascii_only))
        + ":"
        + space
        + json.dumps(value, ensure_ascii=ascii_only)
        for key, value in pairs
    ]
    return (space + "{" + ("," + space).join(parts) + "}" + space).encode("utf-8", "surrogatepass")


@st.composite
def raw_events(draw: st.DrawFn) -> bytes:
    """JSON bytes of an event from ``event_dicts``, by orjson or by hand."""
    event = draw(event_dicts())
    if draw(st.booleans()):
        try:
            return orjson.dumps(event)
        except TypeError:  # an integer beyond 64 bits
            pass
    return draw(_hand_written(event))
