"""The exact Slack messages of notices (streams/notify/slack_payload.py)."""

from __future__ import annotations

from typing import Any

from streams.notify.incident_row import IncidentRow, parse_row
from streams.notify.slack_payload import escape, incident_link, slack_payload
from streams.notify.transitions import Notice

TEMPLATE = "https://grafana.example/d/mttr-incident-drilldown?orgId=1&var-incident={incident_id}"


def row(**overrides: Any) -> IncidentRow:
    fields: dict[str, Any] = {
        "incident_id": "5c1f0e2d9a7b4e3f8a6b1c2d",
        "service": "checkout",
        "environment": "production",
        "status": "open",
        "severity": "critical",
        "title": "Checkout errors",
        "started_at": "2026-03-02T10:07:00+00:00",
        "detected_at": "2026-03-02T10:09:10+00:00",
        "version": 1,
    }
    fields.update(overrides)
    return IncidentRow.model_validate(fields)


def test_opened() -> None:
    assert slack_payload(Notice("opened", row()), None) == {
        "text": "Incident opened: checkout (production), critical: Checkout errors",
        "blocks": [
            {
                "type": "section",
                "text": {
                    "type": "mrkdwn",
                    "text": ":rotating_light: *Incident opened*: *checkout (production)*\n"
                    "Checkout errors",
                },
            },
            {
                "type": "section",
                "fields": [
                    {"type": "mrkdwn", "text": "*Severity*\ncritical"},
                    {"type": "mrkdwn", "text": "*Environment*\nproduction"},
                    {"type": "mrkdwn", "text": "*Started*\n2026-03-02 10:07:00 UTC"},
                ],
            },
            {
                "type": "context",
                "elements": [
                    {"type": "mrkdwn", "text": "Incident `5c1f0e2d9a7b4e3f8a6b1c2d` · version 1"}
                ],
            },
        ],
    }


def test_resolved_the_demo_checkout_incident() -> None:
    """docs/incident-model.md's worked example: ttr 1060 s, fixed by a rollback."""
    resolved = row(
        status="resolved",
        acknowledged_at="2026-03-02T10:13:05+00:00",
        resolved_at="2026-03-02T10:24:40.500+00:00",
        ttr_seconds=1060.5,
        ticket_ids=["Q1XYZ"],
        cause_deploy_id="checkout-412",
        fix_deploy_id="checkout-413",
        repair_action="rollback",
        version=6,
    )
    payload = slack_payload(Notice("resolved", resolved), TEMPLATE)
    assert payload["text"] == (
        "Incident resolved after 17m 40s: checkout (production), critical: Checkout errors"
    )
    headline, fields, context = payload["blocks"]
    assert headline["text"]["text"] == (
        ":white_check_mark: *Incident resolved* after 17m 40s: *checkout (production)*\n"
        "Checkout errors"
    )
    assert [f["text"] for f in fields["fields"]] == [
        "*Severity*\ncritical",
        "*Environment*\nproduction",
        "*Started*\n2026-03-02 10:07:00 UTC",
        "*Acknowledged*\n2026-03-02 10:13:05 UTC",
        "*Resolved*\n2026-03-02 10:24:40 UTC",
        "*Time to repair*\n17m 40s",
        "*Tickets*\nQ1XYZ",
        "*Deploys*\nsuspected cause checkout-412, fix checkout-413 (rollback)",
    ]
    assert context["elements"][0]["text"] == (
        "Incident `5c1f0e2d9a7b4e3f8a6b1c2d` · version 6 · "
        "<https://grafana.example/d/mttr-incident-drilldown?orgId=1&amp;"
        "var-incident=5c1f0e2d9a7b4e3f8a6b1c2d|Details>"
    )


def test_acknowledged_and_reopened_headlines() -> None:
    acked = row(acknowledged_at="2026-03-02T10:13:05+00:00", version=3)
    text = slack_payload(Notice("acknowledged", acked), None)["blocks"][0]["text"]["text"]
    assert text.startswith(":eyes: *Incident acknowledged*: *checkout (production)*")
    reopened = row(reopen_count=2, version=8)
    payload = slack_payload(Notice("reopened", reopened), None)
    assert payload["text"].startswith("Incident reopened: checkout (production)")
    assert payload["blocks"][1]["fields"][-1] == {"type": "mrkdwn", "text": "*Reopened*\n2×"}


def test_event_text_cannot_mention_or_link() -> None:
    hostile = row(title="<!channel> see <https://evil.example|this> & more", ticket_ids=["<@U1>"])
    payload = slack_payload(Notice("opened", hostile), None)
    assert payload["text"].endswith(
        "&lt;!channel&gt; see &lt;https://evil.example|this&gt; &amp; more"
    )
    assert "<" not in payload["blocks"][0]["text"]["text"]
    assert "*Tickets*\n&lt;@U1&gt;" in [f["text"] for f in payload["blocks"][1]["fields"]]


def test_long_and_missing_titles() -> None:
    long = slack_payload(Notice("opened", row(title="x" * 1000)), None)
    assert long["text"].endswith(": " + "x" * 299 + "…")
    empty = slack_payload(Notice("opened", row(title="")), None)
    assert empty["text"].endswith(": (no title)")


def test_link_values_are_url_encoded() -> None:
    template = "https://g.example/d/x?var-service={service}&var-env={environment}"
    link = incident_link(template, row(service="a b/c", environment="prod&eu"))
    assert link == "https://g.example/d/x?var-service=a%20b%2Fc&var-env=prod%26eu"
    assert incident_link(None, row()) is None


def test_escape() -> None:
    assert escape("a < b && c > d") == "a &lt; b &amp;&amp; c &gt; d"


def test_parse_row_reasons() -> None:
    assert parse_row(None) == "empty message"
    assert str(parse_row(b"{nope")).startswith("not valid JSON")
    reason = parse_row(b'{"incident_id": "x"}')
    assert isinstance(reason, str) and reason.startswith("not an incident row: service: Field")
    naive = parse_row(
        b'{"incident_id":"x","service":"s","environment":"e","status":"open","severity":"low",'
        b'"started_at":"2026-03-02T10:00:00","detected_at":"2026-03-02T10:00:00","version":1}'
    )
    assert isinstance(naive, str) and "started_at" in naive  # times must carry a zone
