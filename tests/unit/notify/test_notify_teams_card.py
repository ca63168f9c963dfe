"""The exact Teams Adaptive Cards of notices (streams/notify/teams_card.py)."""

from __future__ import annotations

from typing import Any

import orjson

from streams.notify.incident_row import IncidentRow
from streams.notify.notice_text import facts as notice_facts
from streams.notify.slack_payload import slack_payload
from streams.notify.teams_card import teams_card, teams_payload
from streams.notify.transitions import Notice
from tests.support.webhooks import card, facts, links, texts

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


RESOLVED = {
    "status": "resolved",
    "acknowledged_at": "2026-03-02T11:13:05+01:00",  # another zone: shown in UTC
    "resolved_at": "2026-03-02T10:24:40.500+00:00",
    "ttr_seconds": 1060.5,
    "ticket_ids": ["Q1XYZ", "INC-7"],
    "cause_deploy_id": "checkout-412",
    "fix_deploy_id": "checkout-413",
    "repair_action": "rollback",
    "version": 6,
}


def test_opened_exactly() -> None:
    assert teams_payload(Notice("opened", row()), None) == {
        "type": "message",
        "attachments": [
            {
                "contentType": "application/vnd.microsoft.card.adaptive",
                "contentUrl": None,
                "content": {
                    "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
                    "type": "AdaptiveCard",
                    "version": "1.4",
                    "fallbackText": "Incident opened: checkout (production), critical: "
                    "Checkout errors",
                    "msteams": {"width": "Full"},
                    "body": [
                        {
                            "type": "RichTextBlock",
                            "inlines": [
                                {
                                    "type": "TextRun",
                                    "text": "🚨 Incident opened",
                                    "weight": "Bolder",
                                    "size": "Medium",
                                    "color": "Attention",
                                },
                                {"type": "TextRun", "text": ": ", "size": "Medium"},
                                {
                                    "type": "TextRun",
                                    "text": "checkout (production)",
                                    "weight": "Bolder",
                                    "size": "Medium",
                                },
                            ],
                        },
                        {
                            "type": "RichTextBlock",
                            "inlines": [{"type": "TextRun", "text": "Checkout errors"}],
                            "spacing": "Small",
                        },
                        *(_row(label, value) for label, value in OPENED_FACTS),
                        {
                            "type": "RichTextBlock",
                            "inlines": [
                                {
                                    "type": "TextRun",
                                    "text": "Incident 5c1f0e2d9a7b4e3f8a6b1c2d · version 1",
                                    "isSubtle": True,
                                    "size": "Small",
                                }
                            ],
                            "spacing": "Medium",
                        },
                    ],
                },
            }
        ],
    }


OPENED_FACTS = [
    ("Severity", "critical"),
    ("Environment", "production"),
    ("Started", "2026-03-02 10:07:00 UTC"),
]


def _row(label: str, value: str) -> dict[str, Any]:
    return {
        "type": "ColumnSet",
        "spacing": "Small",
        "columns": [
            {
                "type": "Column",
                "width": "120px",
                "items": [{"type": "TextBlock", "text": label, "weight": "Bolder", "wrap": True}],
            },
            {
                "type": "Column",
                "width": "stretch",
                "items": [
                    {"type": "RichTextBlock", "inlines": [{"type": "TextRun", "text": value}]}
                ],
            },
        ],
    }


def test_resolved_the_demo_checkout_incident() -> None:
    """docs/incident-model.md's worked example: ttr 1060 s, fixed by a rollback."""
    content = card(teams_payload(Notice("resolved", row(**RESOLVED)), TEMPLATE))
    assert texts(content) == [
        "✅ Incident resolved after 17m 40s: checkout (production)",
        "Checkout errors",
        "Incident 5c1f0e2d9a7b4e3f8a6b1c2d · version 6",
    ]
    assert content["body"][0]["inlines"][0]["color"] == "Good"
    assert facts(content) == [
        *OPENED_FACTS,
        ("Acknowledged", "2026-03-02 10:13:05 UTC"),
        ("Resolved", "2026-03-02 10:24:40 UTC"),
        ("Time to repair", "17m 40s"),
        ("Tickets", "Q1XYZ, INC-7"),
        ("Deploys", "suspected cause checkout-412, fix checkout-413 (rollback)"),
    ]
    assert links(content) == [
        "https://grafana.example/d/mttr-incident-drilldown?orgId=1&var-incident="
        "5c1f0e2d9a7b4e3f8a6b1c2d"
    ]
    assert content["actions"] == [
        {"type": "Action.OpenUrl", "title": "Details", "url": links(content)[0]}
    ]
    assert content["fallbackText"] == (
        "Incident resolved after 17m 40s: checkout (production), critical: Checkout errors"
    )


def test_same_facts_as_slack() -> None:
    """One notice core: Teams and Slack show the same facts, only formatted differently."""
    for notice in (Notice("opened", row()), Notice("resolved", row(**RESOLVED))):
        slack_fields = slack_payload(notice, None)["blocks"][1]["fields"]
        assert [f["text"] for f in slack_fields] == [
            f"*{label}*\n{value}" for label, value in notice_facts(notice.incident)
        ]
        assert facts(teams_card(notice, None)) == notice_facts(notice.incident)


def test_acknowledged_and_reopened_headlines() -> None:
    acked = row(acknowledged_at="2026-03-02T10:13:05+00:00", version=3)
    content = teams_card(Notice("acknowledged", acked), None)
    assert texts(content)[0] == "👀 Incident acknowledged: checkout (production)"
    assert content["body"][0]["inlines"][0]["color"] == "Warning"
    reopened = teams_card(Notice("reopened", row(reopen_count=2, version=8)), None)
    assert texts(reopened)[0] == "🔁 Incident reopened: checkout (production)"
    assert facts(reopened)[-1] == ("Reopened", "2×")
    assert "actions" not in reopened  # no link template


def test_event_text_is_never_markdown() -> None:
    """Event text only goes into TextRuns, which Adaptive Cards never parse as Markdown."""
    hostile = "**[click](https://evil.example)** <at>all</at> _x_"
    content = teams_card(
        Notice(
            "opened", row(title=hostile, service=hostile, environment=hostile, ticket_ids=[hostile])
        ),
        None,
    )

    def markdown_texts(node: Any) -> list[str]:
        """Texts of elements that Adaptive Cards render as Markdown (TextBlock, Fact)."""
        if isinstance(node, list):
            return [t for item in node for t in markdown_texts(item)]
        if not isinstance(node, dict):
            return []
        own = [node["text"]] if node.get("type") == "TextBlock" else []
        own += [node[k] for k in ("title", "value") if node.get("type") == "Fact"]
        return own + [t for value in node.values() for t in markdown_texts(value)]

    assert markdown_texts(content) == [label for label, _ in facts(content)]  # our labels only
    assert hostile in texts(content)[1]  # shown verbatim, as plain text
    assert ("Tickets", hostile) in facts(content)


def test_long_and_missing_titles() -> None:
    long = teams_card(Notice("opened", row(title="x" * 1000)), None)
    assert texts(long)[1] == "x" * 299 + "…"
    assert texts(teams_card(Notice("opened", row(title="")), None))[1] == "(no title)"


def test_link_values_are_url_encoded() -> None:
    template = "https://g.example/d/x?var-service={service}&var-env={environment}"
    content = teams_card(Notice("opened", row(service="a b/c", environment="prod&eu")), template)
    assert links(content) == ["https://g.example/d/x?var-service=a%20b%2Fc&var-env=prod%26eu"]


def test_a_full_card_stays_far_below_the_teams_size_limit() -> None:
    """Teams refuses messages above about 28 KB; titles are cut, so a card stays small."""
    big = row(**{**RESOLVED, "title": "é" * 5000, "ticket_ids": [f"T-{n}" for n in range(50)]})
    size = len(orjson.dumps(teams_payload(Notice("resolved", big), TEMPLATE)))
    assert size < 8_000
