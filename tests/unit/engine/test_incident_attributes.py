"""An incident's severity, category, title, ids and counts.

docs/incident-model.md, "Fields" (rows ``severity`` to ``reopen_count``).

Expected values are worked out by hand from the spec; times are minutes after
10:00:00Z on 2026-03-02 (``BASE_TIME``) unless written out.
"""

from __future__ import annotations

import pytest

from tests.support.engine import clear, dep, fire, only, run, tkt

# --- severity / category / title / ids / counts ------------------------------------


@pytest.mark.parametrize(
    ("events", "severity"),
    [
        pytest.param(
            [fire("A", 0, severity="low"), tkt("T", "opened", 1, severity="critical")],
            "critical",
            id="ticket-critical-beats-alert-low",
        ),  # fmt: skip
        pytest.param(
            [fire("A", 0, severity="medium"), fire("B", 1, severity="high")],
            "high",
            id="max-over-alerts",
        ),  # fmt: skip
        pytest.param(
            [fire("A", 0, severity="critical"), fire("B", 1, severity="low")],
            "critical",
            id="first-alert-critical",
        ),  # fmt: skip
        pytest.param(
            [fire("A", 0, severity="low"), clear("A", 5, severity="critical")],
            "low",
            id="resolved-alert-severity-ignored",
        ),  # fmt: skip
        pytest.param(
            [tkt("T", "opened", 0), tkt("T", "acknowledged", 1, severity="high")],
            "high",
            id="later-ticket-event-severity",
        ),  # fmt: skip
        pytest.param([tkt("T", "opened", 0, severity="low")], "low", id="declared-low"),
        pytest.param([tkt("T", "opened", 0)], "medium", id="no-severity-medium"),
    ],
)
def test_severity_is_highest_of_firing_alerts_and_tickets(
    events: list[dict[str, object]], severity: str
) -> None:
    """critical > high > medium > low over firing alerts and ticket events; medium if none."""
    assert only(run(events))["severity"] == severity


@pytest.mark.parametrize(
    ("events", "category"),
    [
        pytest.param(
            [fire("A", 0, category="performance"), fire("B", 1, category="security")],
            "security",
            id="any-security-wins",
        ),  # fmt: skip
        pytest.param(
            [fire("A", 0, category="performance"), fire("B", 1, category="other")],
            "performance",
            id="first-firing-alert",
        ),  # fmt: skip
        pytest.param(
            [fire("A", 0, category="other"), clear("S", 1, category="security")],
            "other",
            id="resolved-security-alert-ignored",
        ),  # fmt: skip
        pytest.param([tkt("T", "opened", 0)], "availability", id="declared-without-alerts"),
        pytest.param(
            [tkt("T", "opened", 0), fire("A", 1, category="performance")],
            "performance",
            id="declared-with-alert",
        ),  # fmt: skip
    ],
)
def test_category(events: list[dict[str, object]], category: str) -> None:
    """security if any firing alert is; else the first firing alert's; else availability."""
    assert only(run(events))["category"] == category


def test_title_first_ticket_title_over_alert_name() -> None:
    """A (HighErrorRate) 10:00; T opened 10:01 "Checkout 5xx"; U opened 10:02 "Payments slow"."""
    row = only(
        run(
            [
                fire("A", 0, name="HighErrorRate"),
                tkt("T", "opened", 1, title="Checkout 5xx"),
                tkt("U", "opened", 2, title="Payments slow"),
            ]
        )
    )
    assert row["title"] == "Checkout 5xx"


def test_title_first_firing_alert_name_without_ticket_titles() -> None:
    """A (High5xx) 10:00, B (Latency) 10:01, untitled T 10:02 -> "High5xx".

    The spec says "the first ticket title"; an untitled ticket is skipped.
    """
    row = only(
        run([fire("A", 0, name="High5xx"), fire("B", 1, name="Latency"), tkt("T", "opened", 2)])
    )
    assert row["title"] == "High5xx"


def test_title_skips_untitled_first_ticket() -> None:
    """T opened 10:00 without title, U opened 10:01 "DB failover" -> "DB failover"."""
    row = only(run([tkt("T", "opened", 0), tkt("U", "opened", 1, title="DB failover")]))
    assert row["title"] == "DB failover"


def test_alert_ids_distinct_fired_ticket_ids_distinct_event_count() -> None:
    """A fires 10:00 and again 10:01; B fires 10:02; C resolved 10:03 (never fired);
    T opened 10:04, acknowledged 10:05; U identified 10:06; deploy started 10:07,
    succeeded 10:08.

    alert_ids [A, B] (count 2); ticket_ids [T, U]; event_count 9 (deploys included).
    """
    row = only(
        run(
            [
                fire("B", 2),
                fire("A", 0),
                fire("A", 1),
                clear("C", 3),
                tkt("U", "identified", 6),
                tkt("T", "opened", 4),
                tkt("T", "acknowledged", 5),
                dep("d", 7, status="started"),
                dep("d", 8),
            ]
        )
    )
    assert row["alert_ids"] == ["A", "B"]
    assert row["alert_count"] == 2
    assert row["ticket_ids"] == ["T", "U"]
    assert row["event_count"] == 9
