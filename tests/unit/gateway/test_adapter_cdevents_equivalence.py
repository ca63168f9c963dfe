"""The scripted history sent as CDEvents gives exactly the incidents of the native contract.

Every event of tests/support/scripted_history.py is written as the CDEvent a
producer would send (tests/support/cdevents_history.py), sent through the
adapter in structured mode, and the resulting events are fed to the pure
engine. The incidents must equal those of the native events cut to what
CDEvents v0.4 carries. What it cannot carry (an alert's ``starts_at``, a
failed hotfix) changes one incident, in exactly the fields stated here and in
docs/sources/cdevents.md ("What CDEvents cannot say").
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from tests.support.cdevents_history import HISTORY, carried, to_cdevent
from tests.support.cdevents_payloads import convert, structured
from tests.support.engine import Row, run
from tests.support.scripted_history import EXPECTED, dt

Key = tuple[str, str, datetime]
FIRST_PAYMENTS = ("payments", "production", dt("09:58:00"))
FIRST_PAYMENTS_CUT = ("payments", "production", dt("10:00:00"))


def by_key(rows: dict[str, Row]) -> dict[Key, Row]:
    """Index incident rows by (service, environment, started_at), without their id and version.

    The ``incident_id`` is derived from the first member's ``event_id``, which
    differs by construction (``cdevents-<hash>`` against the history's ``e001``).
    """
    volatile = {"incident_id", "version", "updated_at"}
    return {
        (row["service"], row["environment"], row["started_at"]): {
            name: value for name, value in row.items() if name not in volatile
        }
        for row in rows.values()
    }


def cdevents_events() -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = []
    for native in HISTORY:
        cdevent = to_cdevent(native)
        if cdevent is not None:
            events += convert(structured(cdevent)).events
    return events


def carried_events() -> list[dict[str, Any]]:
    return [event for native in HISTORY if (event := carried(native)) is not None]


def test_every_carried_event_becomes_exactly_one_event() -> None:
    assert len(cdevents_events()) == len(carried_events()) == len(HISTORY) - 1  # the hotfix


def test_cdevents_give_the_same_incidents_as_the_native_events_they_carry() -> None:
    incidents = by_key(run(cdevents_events()))
    assert incidents == by_key(run(carried_events()))
    assert len(incidents) == 5


def test_the_incidents_match_the_hand_computed_ones_except_the_documented_cut() -> None:
    incidents = by_key(run(cdevents_events()))
    for key, expected in EXPECTED.items():
        if key == FIRST_PAYMENTS:
            continue
        assert {name: incidents[key][name] for name in expected} == expected, key
    cut = incidents[FIRST_PAYMENTS_CUT]
    expected = EXPECTED[FIRST_PAYMENTS]
    differs = {name for name in expected if cut[name] != expected[name]}
    assert differs == {"ttd_seconds", "ttm_seconds", "ttr_seconds"}
    # no starts_at: started = detected = 10:00 (ttd 0); the rollback at 10:25 and the
    # resolve at 10:45 are measured from 10:00, two minutes less than from 09:58
    assert (cut["ttd_seconds"], cut["ttm_seconds"], cut["ttr_seconds"]) == (0.0, 1500.0, 2700.0)
    assert cut["cause_deploy_id"] == "pay-d1"  # 09:30 is still within the hour before 10:00


def test_what_cdevents_cannot_carry_changes_one_incident_only() -> None:
    full = by_key(run(HISTORY))
    cut = by_key(run(carried_events()))
    assert set(full) - set(cut) == {FIRST_PAYMENTS}
    assert set(cut) - set(full) == {FIRST_PAYMENTS_CUT}
    for key in set(full) & set(cut):
        assert full[key] == cut[key], key
    before, after = full[FIRST_PAYMENTS], cut[FIRST_PAYMENTS_CUT]
    changed = {name: (before[name], after[name]) for name in before if before[name] != after[name]}
    assert changed == {
        "started_at": (dt("09:58:00"), dt("10:00:00")),  # A1's starts_at
        "ttd_seconds": (120.0, 0.0),
        "ttm_seconds": (1620.0, 1500.0),
        "ttr_seconds": (2820.0, 2700.0),
        "event_count": (before["event_count"], before["event_count"] - 1),  # the failed hotfix
    }
