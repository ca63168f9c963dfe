"""The fast path of the contract (schemas/fast.py) is never looser than the models.

``parse_event(raw)`` either returns None (the models decide) or exactly the event
``EVENT_ADAPTER`` makes of the same bytes: same model, values, types, fields set.
Checked on generated events near the contract, on every Unicode character for
ids and names, on timestamps at the edges, and on what a built event can do.
The common forms must take the fast path, or it would be fast for nothing.
docs/architecture.md ("Two validators"); docs/events.md, "Validation rules".
"""

from __future__ import annotations

import copy
import hashlib
import pickle
import re
import sys
from typing import Any

import msgspec
import orjson
import pytest
from hypothesis import HealthCheck, given, settings

from schemas.events import (
    EVENT_ADAPTER,
    AlertEvent,
    ChangeEvent,
    DeployEvent,
    EventBase,
    TicketEvent,
    _printable,
)
from schemas.export import generated
from schemas.fast import PRINTABLE, STAMP, _check_printable, _Undecided, parse_event
from schemas.fast_fields import (
    AlertFields,
    ChangeFields,
    DeployFields,
    EventFields,
    TicketFields,
)
from tests.support.event_inputs import assert_same_event, raw_events
from tests.support.factories import alert, as_line, change, deploy, ticket


def by_models(raw: bytes) -> Any:
    return EVENT_ADAPTER.validate_python(orjson.loads(raw))


def fast_and_models(event: dict[str, Any]) -> tuple[Any, Any]:
    raw = as_line(event)
    return parse_event(raw), by_models(raw)


@settings(
    max_examples=1000,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(raw=raw_events())
def test_what_the_fast_path_accepts_the_models_accept_the_same(raw: bytes) -> None:
    event = parse_event(raw)
    if event is not None:
        assert_same_event(event, by_models(raw))


FULL = [
    alert(
        environment="staging",
        source="alertmanager",
        category="performance",
        starts_at="2026-03-02T09:55:00.5+01:00",
        summary="p99 \x00 high\n",
        labels={"": "", "team": "payments", "k" * 256: "v" * 4096},
    ),
    alert(status="resolved", name="High\u00a0Error", service="\u200d"),  # not isprintable()
    alert(status="resolved", starts_at=None, summary=None),
    alert(status="firing", starts_at=None),
    deploy(kind="remediation", version="1.4.2", commit_sha="ABCdef0123", source="argocd"),
    deploy(version=None, commit_sha=None),
    ticket(severity="critical", title="Checkout down", url="https://t/INC-1"),
    ticket(severity=None, title=None, url=None),
    change(
        environment="staging",
        source="github",
        commit_sha="ABCdef0123",
        first_commit_at="2026-03-01T09:00:00.5+01:00",
        title="Retry \x00 payments\n",
    ),
    change(first_commit_at=None, title=None),
]


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"first_commit_at": "2026-03-02T10:00:00.001Z"}, "first_commit_at must not be after"),
        ({"commit_sha": "abc"}, "change.commit_sha\n  String should match pattern"),
        ({"commit_sha": None}, "change.commit_sha\n  Input should be a valid string"),
        ({"change_id": ""}, "change.change_id\n  String should have at least 1 character"),
        ({"status": "merged"}, "change.status\n  Extra inputs are not permitted"),
    ],
)
def test_invalid_changes_are_left_to_the_models(changes: dict[str, Any], reason: str) -> None:
    raw = as_line(change(occurred_at="2026-03-02T10:00:00Z", **changes))
    assert parse_event(raw) is None
    with pytest.raises(ValueError, match=re.escape(reason)):
        by_models(raw)


def test_a_change_defaults_its_first_commit_to_its_landing() -> None:
    fast, slow = fast_and_models(change(occurred_at="2026-03-02T11:00:00+01:00"))
    assert isinstance(fast, ChangeEvent)
    assert_same_event(fast, slow)
    assert fast.first_commit_at == fast.occurred_at
    assert "first_commit_at" not in fast.model_fields_set


@pytest.mark.parametrize("event", FULL, ids=lambda e: f"{e['type']}-{len(e)}")
def test_every_field_takes_the_fast_path(event: dict[str, Any]) -> None:
    fast, slow = fast_and_models(event)
    assert fast is not None
    assert_same_event(fast, slow)


@pytest.mark.parametrize(
    "stamp",
    [
        "2026-03-02T10:00:00Z",
        "2026-03-02T10:00:00.123Z",
        "2026-03-02T10:00:00.123456789Z",  # Go's RFC3339Nano: truncated to 10:00:00.123
        "2026-03-02T10:00:00.0009999Z",
        "2026-03-02T11:00:00+01:00",
        "2026-03-02T04:30:00-05:30",
        "2026-03-02T10:00:00-00:00",
        "2026-03-02T10:00:00+23:59",
        "1970-01-01T00:00:00Z",
        "1969-12-31T23:59:59.999-00:01",  # 1970 in UTC
        "2099-12-31T23:59:59.9999Z",
        "2100-01-01T00:59:59+01:00",  # 2099 in UTC
        "2024-02-29T12:00:00Z",
    ],
)
def test_timestamps_the_fast_path_converts(stamp: str) -> None:
    fast, slow = fast_and_models(alert(occurred_at=stamp, starts_at=stamp))
    assert fast is not None
    assert_same_event(fast, slow)


@pytest.mark.parametrize(
    ("changes", "valid"),
    [
        ({"occurred_at": "2026-03-02t10:00:00Z"}, True),  # the models accept lower case
        ({"occurred_at": "2026-03-02T10:00:00z"}, True),
        ({"occurred_at": "2026-02-29T10:00:00Z"}, False),
        ({"occurred_at": "2026-03-02T10:00:00+00:60"}, False),
        ({"occurred_at": "2026-03-02T24:00:00Z"}, False),
        ({"occurred_at": "2026-03-02T23:59:60Z"}, False),
        ({"occurred_at": "2026-03-02T10:00:00.Z"}, False),
        ({"occurred_at": "2026-03-02T10:00:00.1234567890Z"}, False),
        ({"occurred_at": "2026-03-02T10:00:00Z\n"}, False),
        ({"occurred_at": "2026-03-02 10:00:00Z"}, False),
        ({"occurred_at": "2100-01-01T00:00:00Z"}, False),
        ({"occurred_at": "1970-01-01T00:59:59+01:00"}, False),
        ({"occurred_at": "9999-12-31T23:59:59-01:00"}, False),  # overflows in UTC
        ({"occurred_at": "0001-01-01T00:00:00+01:00"}, False),
        ({"occurred_at": "\u0662026-03-02T10:00:00Z"}, False),
        ({"service": " \u3000"}, False),
        ({"labels": {str(n): "v" for n in range(65)}}, False),
    ],
)
def test_what_the_fast_path_leaves_to_the_models(changes: dict[str, Any], valid: bool) -> None:
    raw = as_line(alert(**changes))
    assert parse_event(raw) is None
    if valid:
        assert isinstance(by_models(raw), AlertEvent)


def test_printable_check_agrees_with_the_models_on_every_character() -> None:
    def fast(value: str) -> bool:
        try:
            _check_printable(value)
        except _Undecided:
            return False
        return True

    def models(value: str) -> bool:
        try:
            _printable(value)
        except ValueError:
            return False
        return True

    differing = [
        hex(code)
        for code in range(sys.maxunicode + 1)
        for value in (chr(code), "a" + chr(code))
        if fast(value) != models(value)
    ]
    assert differing == []


def test_whitespace_in_the_pattern_is_what_str_strip_removes() -> None:
    space = re.compile(r"\s")
    assert [
        code
        for code in range(sys.maxunicode + 1)
        if (space.match(chr(code)) is not None) != chr(code).isspace()
    ] == []
    assert PRINTABLE.match("a\u00a0b") and not PRINTABLE.match("\u00a0\u3000")


def test_timestamp_pattern_is_ascii_and_anchored() -> None:
    assert STAMP.match("2026-03-02T10:00:00Z")
    assert not STAMP.match("2026-03-02T10:00:00Z\n")
    assert not STAMP.match("\u0662\u0660\u0662\u0666-03-02T10:00:00Z")


def test_a_built_event_behaves_like_a_validated_one() -> None:
    raw = as_line(FULL[0])
    fast, slow = parse_event(raw), by_models(raw)
    assert isinstance(fast, AlertEvent)
    assert_same_event(pickle.loads(pickle.dumps(fast)), slow)
    assert_same_event(copy.deepcopy(fast), slow)
    assert repr(fast) == repr(slow)
    assert fast.model_dump() == slow.model_dump()
    assert fast.model_copy(update={"name": "x"}) == slow.model_copy(update={"name": "x"})
    assert AlertEvent.model_validate(fast.model_dump(mode="json")) == slow
    with pytest.raises(ValueError, match="frozen"):
        fast.name = "changed"  # type: ignore[misc]


# --- the two descriptions of the contract stay one -----------------------------------------

CONTRACT_SHA256 = "dc4ac54dd4308a2f5bc051d18ac80d53649eb8ae309a63594fc6f88029a5a47a"


@pytest.mark.parametrize(
    ("model", "struct"),
    [
        (AlertEvent, AlertFields),
        (DeployEvent, DeployFields),
        (TicketEvent, TicketFields),
        (ChangeEvent, ChangeFields),
    ],
)
def test_the_structs_have_the_fields_of_the_models(
    model: type[EventBase], struct: type[EventFields]
) -> None:
    fields = {field.name: field.required for field in msgspec.structs.fields(struct)}
    assert fields == {
        name: info.is_required() for name, info in model.model_fields.items() if name != "type"
    }


def test_the_contract_is_the_one_the_fast_path_was_written_for() -> None:
    """A changed contract trips this: check the new rule in schemas/fast.py, then update."""
    digest = hashlib.sha256(generated()["event.schema.json"]).hexdigest()
    assert digest == CONTRACT_SHA256, (
        "schemas/events.py changed: make schemas/fast.py and schemas/fast_fields.py check the "
        "same rules (never looser), then update CONTRACT_SHA256"
    )
