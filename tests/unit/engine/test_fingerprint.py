"""The incident fingerprint: sorted distinct firing alert names, else the normalised title.

docs/incident-model.md, "Fingerprint". Expected values are worked out by hand;
times are minutes after 10:00:00Z on 2026-03-02 (``BASE_TIME``).
"""

from __future__ import annotations

import pytest

from streams.engine.fingerprint import fingerprint, normalise_title
from tests.support.engine import DEFAULT_CONFIG, by_start, clear, fire, only, run, tkt
from tests.support.engine_pair import PATHS, Pair, engine_paths


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Checkout DOWN  for order 5c1f0e2d (INC-4711)", "checkout down for order # (inc-#)"),
        ("  Payments: 502 from PSP\tagain ", "payments: # from psp again"),
        ("Job 3f2b8c1a-9d4e-4f7a-8b6c-1e2d3c4b5a69 failed", "job # failed"),
        ("deploy 9fceb02d0ae598e95dc970b74767f19372d61af8 broke login", "deploy # broke login"),
        ("Deadbeef cafe facade", "deadbeef cafe facade"),  # hex words without a digit stay
        ("v1.2.3 rollout", "v#.#.# rollout"),
        ("abc1234def is down", "# is down"),  # 7+ hex digits with a digit: a hex id
        ("ab12 is down", "ab# is down"),  # too short for a hex id: only the digits go
        ("", ""),
    ],
)
def test_normalise_title(title: str, expected: str) -> None:
    assert normalise_title(title) == expected


def test_fingerprint_joins_names_else_normalises_the_title() -> None:
    assert fingerprint(["HighErrorRate", "Latency"], "Checkout down") == "HighErrorRate + Latency"
    assert fingerprint([], "Checkout DOWN 42") == "checkout down #"
    assert fingerprint([], None) == ""


def test_alert_incident_sorted_distinct_names() -> None:
    """Latency (a2) fires 10:00, HighErrorRate (a1) 10:01, Latency again (a3) 10:02, a
    resolved alert named Zzz 10:03 (never fired: not counted); ticket T titled opened 10:04.
    Fingerprint "HighErrorRate + Latency" (the ticket's title does not count)."""
    row = only(
        run([
            fire("a2", 0, name="Latency"), fire("a1", 1, name="HighErrorRate"),
            fire("a3", 2, name="Latency"), clear("z", 3, name="Zzz"),
            tkt("T", "opened", 4, title="Checkout is slow"),
        ])
    )  # fmt: skip
    assert row["fingerprint"] == "HighErrorRate + Latency"
    assert row["title"] == "Checkout is slow"


def test_declared_incident_normalised_first_ticket_title() -> None:
    """T opened 10:00 titled "Checkout DOWN for EU-1 (order 5c1f0e2d)", U acknowledged
    10:01 titled "Other": "checkout down for eu-# (order #)"; without any title: ""."""
    row = only(
        run([
            tkt("T", "opened", 0, title="Checkout DOWN for EU-1 (order 5c1f0e2d)"),
            tkt("U", "acknowledged", 1, title="Other"),
        ])
    )  # fmt: skip
    assert row["fingerprint"] == "checkout down for eu-# (order #)"
    assert only(run([tkt("T", "opened", 0)]))["fingerprint"] == ""


def test_declared_incident_that_an_alert_joined_takes_the_alert_names() -> None:
    """T opened 10:00 titled "Checkout down"; alert Latency fires 10:02: an alert fired in
    it, so the fingerprint is "Latency"."""
    row = only(run([tkt("T", "opened", 0, title="Checkout down"), fire("L", 2, name="Latency")]))
    assert row["fingerprint"] == "Latency"


def test_same_failure_twice_same_fingerprint() -> None:
    """Two declared incidents a day apart, titles differing only in ids and spacing."""
    rows = by_start(
        run([
            tkt("T1", "opened", 0, title="PSP timeout  for order 1234"),
            tkt("T1", "closed", 10),
            tkt("T2", "opened", 60, title="psp timeout for order 98765"),
        ])
    )  # fmt: skip
    assert [r["fingerprint"] for r in rows] == ["psp timeout for order #"] * 2


@pytest.mark.parametrize("paths", PATHS)
def test_fingerprint_exact_through_the_fold(paths: tuple[int, int]) -> None:
    """An alert storm of 40 names that fire and clear (base fires throughout, resolves at
    13:20), folded once 3 members lie before the horizon (12:20); a ticket acknowledged in
    the quiet period (13:25) re-derives it from the fold: all 41 names, as the reference."""
    events = [fire("base", 0, name="Base", event_id="f-base")]
    for i in range(40):
        events.append(fire(f"x{i}", 1, seconds=i, name=f"N{i:02d}", event_id=f"f-{i}"))
        events.append(clear(f"x{i}", 1, seconds=i + 1, event_id=f"c-{i}"))
    events += [clear("base", 200, event_id="f-end"), tkt("T", "acknowledged", 205)]
    pair = Pair(DEFAULT_CONFIG)
    with engine_paths(*paths, fold_min=3):
        for event in events:
            outputs = pair.send(event)
    assert pair.state is not None
    if paths[0] < len(events):  # indexed: the storm was folded
        assert pair.state["index"]["fold"] is not None
    assert outputs.rows[-1]["fingerprint"] == " + ".join(
        ["Base"] + [f"N{i:02d}" for i in range(40)]
    )
